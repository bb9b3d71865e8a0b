// The one exit-status rule of every booting command (tools/petrel/
// exit_status.h) and the QEMU command of the one board (qemu_machine.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "boot_options.h"
#include "exit_status.h"
#include "qemu_machine.h"

namespace petrel::tool {
namespace {

using Reason = ExitMarker::Reason;

TEST(FoldStatus, KeepsZeroAndSmallCodesAndNeverTurnsAFailureIntoSuccess) {
  EXPECT_EQ(fold_status(0), 0);
  EXPECT_EQ(fold_status(7), 7);
  EXPECT_EQ(fold_status(255), 255);
  EXPECT_EQ(fold_status(256), 1);  // its low byte is 0
  EXPECT_EQ(fold_status(512), 1);
  EXPECT_EQ(fold_status(257), 1);
  EXPECT_EQ(fold_status(-1), 255);
}

TEST(GuestVerdict, PoweroffGivesTheCodeAndACrashAtLeastOne) {
  EXPECT_EQ(guest_verdict("hello", {Reason::kPoweroff, 0}).status, 0);
  EXPECT_TRUE(guest_verdict("hello", {Reason::kPoweroff, 0}).reasons.empty());

  const Verdict exit7 = guest_verdict("faults", {Reason::kPoweroff, 7});
  EXPECT_EQ(exit7.status, 7);
  ASSERT_EQ(exit7.reasons.size(), 1U);
  EXPECT_EQ(exit7.reasons[0], "guest faults exited with status 7");

  const Verdict crash0 = guest_verdict("faults", {Reason::kCrash, 0});
  EXPECT_EQ(crash0.status, 1);
  ASSERT_EQ(crash0.reasons.size(), 1U);
  EXPECT_EQ(crash0.reasons[0], "guest faults crashed (code 0)");
  EXPECT_EQ(guest_verdict("faults", {Reason::kCrash, 2}).status, 2);
  EXPECT_EQ(guest_verdict("faults", {Reason::kCrash, 256}).status, 1);
}

TEST(GuestsVerdict, NothingUntilEveryGuestExited) {
  EXPECT_FALSE(guests_verdict({{"a", ExitMarker{Reason::kPoweroff, 0}}, {"b", std::nullopt}}));
  EXPECT_TRUE(guests_verdict({}));  // no guest: nothing to wait for
}

TEST(GuestsVerdict, TheFirstFailureInDomainOrderWinsAndEveryFailureIsNamed) {
  const auto v = guests_verdict({{"a", ExitMarker{Reason::kPoweroff, 0}},
                                 {"b", ExitMarker{Reason::kPoweroff, 4}},
                                 {"c", ExitMarker{Reason::kCrash, 2}}});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, 4);
  EXPECT_EQ(v->reasons,
            (std::vector<std::string>{"guest b exited with status 4", "guest c crashed (code 2)"}));
  const auto ok = guests_verdict(
      {{"a", ExitMarker{Reason::kPoweroff, 0}}, {"b", ExitMarker{Reason::kPoweroff, 0}}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 0);
}

Dom0Report report_of(std::initializer_list<const char*> events) {
  Dom0Report r;
  r.guest = "app";
  for (const char* e : events) {
    auto parsed = parse_dom0_event(e);
    EXPECT_TRUE(parsed) << e;
    if (parsed) r.take(*parsed);
  }
  return r;
}

TEST(Dom0Verdict, NothingWhileTheDomainRuns) {
  EXPECT_FALSE(dom0_verdict(report_of({"@petrel-dom0 ready", "@petrel-dom0 created domid=1"})));
}

TEST(Dom0Verdict, TheMarkerGivesTheStatusOnceTheDomainIsGone) {
  Dom0Report r = report_of({"@petrel-dom0 created domid=1"});
  r.marker = ExitMarker{Reason::kPoweroff, 7};
  EXPECT_FALSE(dom0_verdict(r));  // the marker alone: the domain is still there
  r.take(*parse_dom0_event("@petrel-dom0 domain-gone reason=poweroff"));
  const auto v = dom0_verdict(r);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, 7);
  EXPECT_EQ(v->reasons, std::vector<std::string>{"guest app exited with status 7"});
}

TEST(Dom0Verdict, WithoutAMarkerTheReasonTheDomainWentDecides) {
  const auto poweroff = dom0_verdict(
      report_of({"@petrel-dom0 created domid=3", "@petrel-dom0 domain-gone reason=poweroff"}));
  ASSERT_TRUE(poweroff);
  EXPECT_EQ(poweroff->status, 0);
  const auto destroyed = dom0_verdict(
      report_of({"@petrel-dom0 created domid=3", "@petrel-dom0 domain-gone reason=destroyed"}));
  ASSERT_TRUE(destroyed);
  EXPECT_EQ(destroyed->status, 0);
  const auto crashed = dom0_verdict(
      report_of({"@petrel-dom0 created domid=3", "@petrel-dom0 domain-gone reason=crash"}));
  ASSERT_TRUE(crashed);
  EXPECT_EQ(crashed->status, 1);
  ASSERT_EQ(crashed->reasons.size(), 1U);
  EXPECT_NE(crashed->reasons[0].find("domain 3 went away with reason crash"), std::string::npos);
}

TEST(Dom0Verdict, AFailedScriptFailsARunThatWasOtherwiseFine) {
  const auto v =
      dom0_verdict(report_of({"@petrel-dom0 created domid=1", "@petrel-dom0 script-exit status=3",
                              "@petrel-dom0 domain-gone reason=poweroff"}));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, 1);
  EXPECT_EQ(v->reasons.back(), "the dom0 script failed (exit status 3)");
  // The guest's own failure comes first and stays.
  Dom0Report r = report_of({"@petrel-dom0 created domid=1", "@petrel-dom0 script-exit status=3",
                            "@petrel-dom0 domain-gone reason=poweroff"});
  r.marker = ExitMarker{Reason::kCrash, 2};
  EXPECT_EQ(dom0_verdict(r)->status, 2);
}

TEST(Dom0Verdict, Dom0FailingIsABootFailure) {
  const auto tools = dom0_verdict(report_of({"@petrel-dom0 failed step=xenstored"}));
  ASSERT_TRUE(tools);
  EXPECT_EQ(tools->status, kExitBootFailure);
  EXPECT_TRUE(tools->show_tail);
  EXPECT_EQ(tools->reasons[0], "dom0 could not start Xen's tools (xenstored failed)");
  const auto create = dom0_verdict(report_of({"@petrel-dom0 create-failed status=1"}));
  ASSERT_TRUE(create);
  EXPECT_EQ(create->status, kExitBootFailure);
  Dom0Report panic = report_of({"@petrel-dom0 ready"});
  panic.linux_panic = "Kernel panic - not syncing: Attempted to kill init!";
  const auto p = dom0_verdict(panic);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, kExitBootFailure);
  // A domain already gone is judged by its own end, not by dom0's panic after.
  panic.take(*parse_dom0_event("@petrel-dom0 domain-gone reason=poweroff"));
  EXPECT_EQ(dom0_verdict(panic)->status, 0);
}

TEST(Dom0Report, MalformedNumbersReadAsUnknown) {
  const Dom0Report r = report_of({"@petrel-dom0 created domid=x", "@petrel-dom0 failed"});
  EXPECT_EQ(r.domid, -1);
  EXPECT_EQ(r.failed, "unknown");
}

size_t index_of(const std::vector<std::string>& v, const std::string& s) {
  return static_cast<size_t>(std::find(v.begin(), v.end(), s) - v.begin());
}

TEST(QemuCommand, TheBoardAndWhatItLoads) {
  QemuRun run;
  run.board = Board{2, 2};
  run.xen = "/cache/xen";
  run.dtb = "/tmp/run.dtb";
  run.files = {{"/a/hello.bin", 0x50000000}, {"/tmp/passthrough.dtb", 0x50200000}};
  run.extra = {"-S"};
  const std::vector<std::string> cmd = qemu_command(run);
  ASSERT_FALSE(cmd.empty());
  EXPECT_EQ(cmd[0], kQemu);
  EXPECT_EQ(cmd[index_of(cmd, "-machine") + 1], "virt,virtualization=on,gic-version=2");
  EXPECT_EQ(cmd[index_of(cmd, "-smp") + 1], "2");
  EXPECT_EQ(cmd[index_of(cmd, "-kernel") + 1], "/cache/xen");
  EXPECT_EQ(cmd[index_of(cmd, "-dtb") + 1], "/tmp/run.dtb");
  EXPECT_EQ(cmd[index_of(cmd, "-monitor") + 1], "none");
  EXPECT_EQ(cmd[index_of(cmd, "-serial") + 1], "stdio");
  EXPECT_LT(index_of(cmd, "-no-reboot"), cmd.size());
  EXPECT_LT(index_of(cmd, "loader,file=/a/hello.bin,addr=0x50000000,force-raw=on"), cmd.size());
  EXPECT_LT(index_of(cmd, "loader,file=/tmp/passthrough.dtb,addr=0x50200000,force-raw=on"),
            cmd.size());
  EXPECT_EQ(index_of(cmd, "-icount"), cmd.size());
  EXPECT_EQ(cmd.back(), "-S");  // the caller's arguments come last
  run.icount = true;
  const std::vector<std::string> counted = qemu_command(run);
  EXPECT_EQ(counted[index_of(counted, "-icount") + 1], "shift=0,sleep=off");
}

TEST(BoardArgs, DumpingTheTreeAsksForExactlyTheSameBoard) {
  const Board board{3, 1};
  const std::vector<std::string> plain = board_args(board);
  const std::vector<std::string> dump = board_args(board, "/tmp/board.dtb");
  ASSERT_EQ(plain.size(), dump.size());
  for (size_t i = 0; i < plain.size(); ++i)
    if (plain[i].starts_with("virt,"))
      EXPECT_EQ(dump[i], plain[i] + ",dumpdtb=/tmp/board.dtb");
    else
      EXPECT_EQ(dump[i], plain[i]);
}

// Every option with a good value, the command's own left alone, and where
// the index ends.
TEST(BootOptions, TakesEachOptionAndItsValue) {
  const std::vector<std::string> args = {"--arch", "arm32",      "--gic",   "2",         "--memory",
                                         "128",    "--bootargs", "a=1 b",   "--timeout", "2.5",
                                         "--raw",  "--no-build", "--batch", "f"};
  BootOptions o;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const Took t = take_boot_option(args, &i, &o, "debug");
    if (t == Took::kNotOurs) break;
    ASSERT_EQ(t, Took::kTaken) << args[i];
  }
  EXPECT_EQ(i, 12U);  // stopped at --batch, the command's own
  EXPECT_EQ(o.arch, Arch::kArm32);
  EXPECT_EQ(o.gic, 2);
  EXPECT_EQ(o.memory_mib, 128U);
  EXPECT_EQ(o.bootargs, "a=1 b");
  EXPECT_EQ(o.timeout_s, 2.5);
  EXPECT_TRUE(o.raw);
  EXPECT_FALSE(o.build);
}

TEST(BootOptions, BadOrMissingValuesAreUsageErrors) {
  const std::vector<std::vector<std::string>> bad = {
      {"--arch", "x86"}, {"--arch"},           {"--gic", "4"},       {"--gic"},
      {"--memory", "8"}, {"--memory", "1024"}, {"--memory", "64.5"}, {"--memory", "lots"},
      {"--memory"},      {"--timeout", "0"},   {"--timeout", "-3"},  {"--timeout", "3s"},
      {"--timeout", ""}, {"--timeout", "inf"}, {"--timeout"},        {"--bootargs"}};
  for (const auto& args : bad) {
    BootOptions o;
    size_t i = 0;
    testing::internal::CaptureStderr();
    EXPECT_EQ(take_boot_option(args, &i, &o, "trace"), Took::kBad) << args[0];
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("petrel: trace: " + args[0] + " takes"), std::string::npos) << err;
  }
}

TEST(BootOptions, OthersAreLeftToTheCommand) {
  BootOptions o;
  size_t i = 0;
  EXPECT_EQ(take_boot_option({"--dom0"}, &i, &o, ""), Took::kNotOurs);
  EXPECT_EQ(take_boot_option({"hello"}, &i, &o, ""), Took::kNotOurs);
  EXPECT_EQ(i, 0U);
  EXPECT_FALSE(o.memory_mib);
  EXPECT_FALSE(o.timeout_s);
}

TEST(ParseCommandLine, BootOptionsAndTheCommandsOwnInOneWalk) {
  const std::vector<std::string> args = {"--gic", "2", "app", "--out", "dir", "--raw"};
  BootOptions boot;
  std::vector<std::string> own;
  const auto status =
      parse_command_line(args, &boot, "trace", [&](size_t* i) -> std::optional<int> {
        own.push_back(args[*i]);
        if (args[*i] == "--out") own.push_back(args[++*i]);
        return std::nullopt;
      });
  EXPECT_FALSE(status);
  EXPECT_EQ(own, (std::vector<std::string>{"app", "--out", "dir"}));
  EXPECT_EQ(boot.gic, 2);
  EXPECT_TRUE(boot.raw);
}

TEST(ParseCommandLine, TheFirstUsageErrorEndsTheWalk) {
  BootOptions boot;
  int calls = 0;
  const auto mine = [&](size_t*) -> std::optional<int> {
    ++calls;
    return 9;  // the command's own error
  };
  EXPECT_EQ(parse_command_line({"--raw", "--bogus", "--gic", "2"}, &boot, "x", mine), 9);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(boot.gic, 3) << "nothing after the error is taken";
  testing::internal::CaptureStderr();
  EXPECT_EQ(parse_command_line({"--gic", "7", "app"}, &boot, "x", mine), kExitUsage);
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace petrel::tool
