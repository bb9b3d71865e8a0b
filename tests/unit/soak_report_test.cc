// The host tool's reading of the soak guest (tools/petrel/soak_report.h):
// the --length values, the summary lines, and the checks they must pass.
#include "soak_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace petrel::tool {
namespace {

// As the guest prints them (tests/guest/soak/main.cc), prefixes removed.
std::vector<std::string> passing_run() {
  return {
      "soak: AArch64, seed 1, until 1000000000 ns, epochs of 50000000 ns",
      "soak: epoch 1 done at 64 ms: 37 workers, 0 failures",
      "soak: summary ns=1010268704 epochs=18 seed=1 busy_pct=96",
      "soak: summary heap_start=63959008 heap_end=63959008 heap_min=63227312 heap_failures=0",
      "soak: summary stack_used=1248 stack_size=4096 stack_task=str-reader",
      "soak: summary deadline_periods=1003 deadline_misses=0 worst_late_ns=18768",
      "soak: summary timer_fires=143 timer_period_ticks=7 worst_timer_late_ns=8848 drift_ns=-32",
      "soak: summary worst_irq_late_ns=91968 timing_checked=1",
      "soak: summary ops_queue=15584 ops_semaphore=16734 ops_mutex=15954 ops_event_group=7535",
      "soak: summary ops_vchan=0",
      "soak: summary failures=0",
      "soak: PASS",
  };
}

TEST(SoakReport, ParsesCounts) {
  EXPECT_EQ(parse_count("1000000"), 1000000u);
  EXPECT_EQ(parse_count("1e12"), 1000000000000u);
  EXPECT_EQ(parse_count("2.5e9"), 2500000000u);
  EXPECT_EQ(parse_count("10G"), 10000000000u);
  EXPECT_EQ(parse_count("500M"), 500000000u);
  EXPECT_EQ(parse_count("2T"), 2000000000000u);
  EXPECT_EQ(parse_count("3k"), 3000u);
  for (const char* bad :
       {"", "0", "G", "-5", "1.5", "1e", "ten", "1e30", "5g", "1 0", "+7", "0x10", "nan", "inf"})
    EXPECT_FALSE(parse_count(bad).has_value()) << bad;
}

TEST(SoakReport, ReadsEverySummaryLine) {
  const SoakSummary s = parse_soak_summary(passing_run());
  EXPECT_TRUE(s.passed);
  EXPECT_TRUE(s.failed_checks.empty());
  EXPECT_EQ(s.number("ns"), 1010268704);
  EXPECT_EQ(s.number("heap_min"), 63227312);
  EXPECT_EQ(s.number("drift_ns"), -32);
  EXPECT_EQ(s.number("ops_event_group"), 7535);
  EXPECT_EQ(s.values.at("stack_task"), "str-reader");
  EXPECT_FALSE(s.has("epoch"));  // the epoch lines are not summary lines
  EXPECT_TRUE(soak_problems(s, 0).empty());
}

TEST(SoakReport, FiguresNameEachQuantity) {
  const std::string f = soak_figures(parse_soak_summary(passing_run()), 1000000000, 2.5);
  for (const char* want :
       {"1,000,000,000 asked", "1,010,268,704 ns", "wall time             2.5 s", "epochs", "18",
        "queue 15,584", "event_group 7,535", "63,959,008 bytes at the start",
        "1,248 of 4,096 bytes (task str-reader)", "-32 ns over 143 periods of 7 ticks",
        "0 in 1,003 periods", "91,968 ns"})
    EXPECT_NE(f.find(want), std::string::npos) << want << "\n" << f;
  EXPECT_EQ(f.find("vchan"), std::string::npos);  // no vchan load: not listed
  EXPECT_EQ(f.find("real time"), std::string::npos);
}

// With dom0 (no icount) the host may stop the guest: lateness is not checked.
TEST(SoakReport, RealTimeMissesAreFiguresOnly) {
  std::vector<std::string> lines = passing_run();
  for (auto& l : lines) {
    if (l.starts_with("soak: summary deadline"))
      l = "soak: summary deadline_periods=1003 deadline_misses=3 worst_late_ns=4000000";
    if (l.starts_with("soak: summary worst_irq"))
      l = "soak: summary worst_irq_late_ns=9 timing_checked=0";
  }
  const SoakSummary s = parse_soak_summary(lines);
  EXPECT_TRUE(soak_problems(s, 0).empty());
  EXPECT_NE(soak_figures(s, 1000, 1).find("3 in 1,003 periods"), std::string::npos);
  EXPECT_NE(soak_figures(s, 1000, 1).find("measured, not checked"), std::string::npos);
}

TEST(SoakReport, NamesEveryCheckThatFailed) {
  std::vector<std::string> lines = passing_run();
  lines.pop_back();  // no PASS
  lines.insert(lines.begin() + 2, "soak: FAILED: queue: producer 2's item 7 came when 6 was due");
  for (auto& l : lines) {
    if (l.starts_with("soak: summary heap_start"))
      l = "soak: summary heap_start=1000 heap_end=952 heap_min=800 heap_failures=0";
    if (l.starts_with("soak: summary deadline"))
      l = "soak: summary deadline_periods=1003 deadline_misses=2 worst_late_ns=1500000";
    if (l == "soak: summary failures=0") l = "soak: summary failures=25";
  }
  const auto p = soak_problems(parse_soak_summary(lines), 1);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_NE(p[0].find("free heap did not return to its starting value: 1,000 bytes at the start, "
                      "952 at the end"),
            std::string::npos);
  EXPECT_NE(p[1].find("2 deadline(s) missed"), std::string::npos);
  EXPECT_NE(p[2].find("producer 2's item 7"), std::string::npos);
  EXPECT_NE(p[3].find("25 check(s) failed in all"), std::string::npos);
}

TEST(SoakReport, NoSummaryIsAFailure) {
  const auto p = soak_problems(parse_soak_summary({"soak: AArch64, seed 1"}), 124);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("no summary (exit status 124)"), std::string::npos);
  // A summary whose guest neither passed nor named a check.
  std::vector<std::string> lines = passing_run();
  lines.pop_back();
  const auto q = soak_problems(parse_soak_summary(lines), 0);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_NE(q[0].find("did not print \"soak: PASS\""), std::string::npos);
}

}  // namespace
}  // namespace petrel::tool
