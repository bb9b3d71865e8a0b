// The run's Xen options (tools/petrel/xen_options.h): which combinations are
// refused and why, what Xen's banner says, and the pieces of the real-time
// Xen's build (apt sources, versions, Kconfig).
#include "xen_options.h"

#include <gtest/gtest.h>

namespace petrel::tool {
namespace {

XenOptions options(XenBuild build, const char* cmdline) {
  XenOptions o;
  o.build = build;
  o.cmdline = cmdline;
  return o;
}

TEST(XenOptions, ParsesTheBuildNames) {
  EXPECT_EQ(parse_xen_build("debian"), XenBuild::kDebian);
  EXPECT_EQ(parse_xen_build("rt"), XenBuild::kRt);
  EXPECT_FALSE(parse_xen_build("RT"));
  EXPECT_FALSE(parse_xen_build(""));
  EXPECT_STREQ(xen_build_name(XenBuild::kRt), "rt");
}

TEST(XenOptions, TheLastSchedWordCounts) {
  EXPECT_FALSE(requested_scheduler(""));
  EXPECT_FALSE(requested_scheduler("vwfi=native dom0_vcpus_pin"));
  EXPECT_EQ(requested_scheduler("sched=null vwfi=native"), "null");
  EXPECT_EQ(requested_scheduler("sched=credit2  sched=rtds"), "rtds");
  EXPECT_FALSE(requested_scheduler("xsched=null"));
}

TEST(XenOptions, AcceptsWhatCanWork) {
  EXPECT_EQ(check_xen_options(options(XenBuild::kDebian, ""), 1, true, 1), "");
  EXPECT_EQ(check_xen_options(options(XenBuild::kDebian, "sched=credit"), 1, false, 3), "");
  EXPECT_EQ(check_xen_options(options(XenBuild::kRt, "sched=null vwfi=native"), 1, true, 1), "");
  EXPECT_EQ(check_xen_options(options(XenBuild::kRt, "sched=null"), 2, false, 2), "");
  EXPECT_EQ(check_xen_options(options(XenBuild::kRt, "sched=rtds"), 1, false, 4), "");
}

TEST(XenOptions, RefusesIcountWithMoreThanOneCpu) {
  const std::string err = check_xen_options(options(XenBuild::kRt, ""), 2, true, 1);
  EXPECT_NE(err.find("--icount needs one CPU"), std::string::npos) << err;
  EXPECT_EQ(check_xen_options(options(XenBuild::kRt, ""), 2, false, 1), "");
}

TEST(XenOptions, RefusesNullWithMoreDomainsThanCpus) {
  const std::string err = check_xen_options(options(XenBuild::kRt, "sched=null"), 1, false, 2);
  EXPECT_NE(err.find("2 domains need --cpus 2"), std::string::npos) << err;
}

TEST(XenOptions, RefusesASchedulerTheBuildLacks) {
  std::string err = check_xen_options(options(XenBuild::kDebian, "sched=null"), 1, false, 1);
  EXPECT_NE(err.find("needs --xen rt"), std::string::npos) << err;
  err = check_xen_options(options(XenBuild::kRt, "sched=fair"), 1, false, 1);
  EXPECT_NE(err.find("no scheduler 'fair'"), std::string::npos) << err;
}

TEST(XenOptions, RefusesArinc653WithTheReason) {
  const std::string err = check_xen_options(options(XenBuild::kRt, "sched=arinc653"), 1, false, 1);
  EXPECT_NE(err.find("default schedule names dom0's alone"), std::string::npos) << err;
}

TEST(XenOptions, RefusesACpuCountOutOfRange) {
  EXPECT_NE(check_xen_options(options(XenBuild::kDebian, ""), 0, false, 1), "");
  EXPECT_NE(check_xen_options(options(XenBuild::kDebian, ""), kMaxCpus + 1, false, 1), "");
  EXPECT_EQ(check_xen_options(options(XenBuild::kDebian, ""), kMaxCpus, false, 1), "");
}

TEST(XenBanner, ReadsTheSchedulerAndTheVersion) {
  EXPECT_EQ(banner_scheduler("(XEN) Using scheduler: null Scheduler (null)"), "null");
  EXPECT_EQ(banner_scheduler("(XEN) Using scheduler: SMP Credit Scheduler rev2 (credit2)"),
            "credit2");
  EXPECT_FALSE(banner_scheduler("(XEN) Using scheduler: broken"));
  EXPECT_FALSE(banner_scheduler("(d1) Using scheduler: ()"));
  XenSeen seen;
  note_xen_line("(XEN) Xen version 4.17.5-rt (root@) (aarch64-linux-gnu-gcc) debug=n", &seen);
  note_xen_line("(XEN) Xen version 9.9 (a later line does not replace it)", &seen);
  note_xen_line("(XEN) Using scheduler: RTDS Scheduler (rtds)", &seen);
  EXPECT_EQ(seen.version, "4.17.5-rt");
  EXPECT_EQ(seen.scheduler, "rtds");
}

TEST(XenBanner, AMismatchIsReported) {
  XenSeen seen{"4.17.5-rt", "credit2"};
  EXPECT_NE(scheduler_mismatch(options(XenBuild::kRt, "sched=null"), seen), "");
  EXPECT_EQ(scheduler_mismatch(options(XenBuild::kRt, "sched=credit2"), seen), "");
  EXPECT_EQ(scheduler_mismatch(options(XenBuild::kRt, "vwfi=native"), seen), "");
  seen.scheduler.clear();  // not seen yet
  EXPECT_EQ(scheduler_mismatch(options(XenBuild::kRt, "sched=null"), seen), "");
}

TEST(RtBuild, AptSourcesBecomeSourceEntries) {
  EXPECT_EQ(deb822_as_source("Types: deb\n# comment\nURIs: http://a/debian\nSuites: x\n\n"
                             "Types: deb deb-src\nURIs: http://b\n"),
            "Types: deb-src\n# comment\nURIs: http://a/debian\nSuites: x\n\n"
            "Types: deb-src\nURIs: http://b\n");
  EXPECT_EQ(one_line_as_source("deb http://a/debian bookworm main\n# deb http://c x y\n"
                               "deb-src http://b x y\n  deb [arch=amd64] http://d x y"),
            "deb-src http://a/debian bookworm main\n# deb http://c x y\ndeb-src http://b x y\n"
            "deb-src [arch=amd64] http://d x y\n");
}

TEST(RtBuild, SourceVersionsOfOnePackage) {
  const char* showsrc =
      "Package: xen\nBinary: a, b\nVersion: 4.17.5+72-g01140da4e8-1\nFiles:\n x\n\n"
      "Package: xen-other\nVersion: 4.17.9-1\n\n"
      "Package: xen\nVersion: 1:4.17.7+13-0+deb12u1\n\n"
      "Package: xen\nVersion: 4.16.0-1\n\n"
      "Package: xen\nVersion: 4.17.5+72-g01140da4e8-1\n";
  EXPECT_EQ(source_versions(showsrc, "xen", "4.17"),
            (std::vector<std::string>{"4.17.5+72-g01140da4e8-1", "1:4.17.7+13-0+deb12u1"}));
  EXPECT_TRUE(source_versions("", "xen", "4.17").empty());
}

TEST(RtBuild, EveryRealTimeOptionMustSurviveOlddefconfig) {
  std::string config;
  for (const auto& line : rt_config_lines()) config += line + "\n";
  EXPECT_TRUE(missing_rt_options(config).empty());
  // Kconfig drops an option whose dependency is off: it is reported.
  std::string dropped = config;
  dropped.erase(dropped.find("CONFIG_STATIC_SHM=y\n"), 20);
  EXPECT_EQ(missing_rt_options(dropped), (std::vector<std::string>{"CONFIG_STATIC_SHM=y"}));
  EXPECT_EQ(missing_rt_options(config + "CONFIG_DEBUG=y\n"),
            (std::vector<std::string>{"# CONFIG_DEBUG is not set"}));
}

}  // namespace
}  // namespace petrel::tool
