// xen/src/control.cc and pv_console.cc against the fake Xen: the
// toolstack's shutdown requests through xenstore, and the PV console
// through the fake console backend, a hostile one included.
#include <stdint.h>

#include <string>
#include <vector>

#include "fixture.h"
#include "petrel/console.h"

namespace petrel::xen::test {
namespace {

std::vector<control::Request> g_requests;
bool ignore(control::Request r) {
  g_requests.push_back(r);
  return false;  // the test process must not shut down
}

class ControlGlue : public XenFakeTest {
 protected:
  bool start_control();
};

// Inside run(): xenstore connected, `ignore` the handler, control::init()
// done and its task's watch set. False if any of it failed.
bool ControlGlue::start_control() {
  connect_xenstore();
  if (HasFatalFailure()) return false;
  control::set_handler(ignore);
  if (!control::init().ok()) return false;
  kernel::task_delay(kernel::Ticks{1});  // the control task sets its watch
  return true;
}

TEST_F(ControlGlue, RequestsReachTheHandlerAndAreAcknowledged) {
  g_requests.clear();
  run([&] {
    ASSERT_TRUE(start_control());
    EXPECT_EQ(fake::xenstored::read("control/feature-poweroff"), "1");
    EXPECT_EQ(fake::xenstored::read("control/feature-reboot"), "1");
    fake::xenstored::write("control/shutdown", "reboot");
    EXPECT_EQ(fake::xenstored::read("control/shutdown"), "");
    fake::xenstored::write("control/shutdown", "halt");
    fake::xenstored::write("control/shutdown", "poweroff");
    fake::xenstored::write("control/shutdown", "suspend");  // not understood
    EXPECT_EQ(fake::xenstored::read("control/shutdown"), "");
  });
  EXPECT_EQ(g_requests,
            (std::vector<control::Request>{control::Request::kReboot, control::Request::kPoweroff,
                                           control::Request::kPoweroff}));
}

TEST_F(ControlGlue, ASecondInitChangesNothing) {
  g_requests.clear();
  run([&] {
    ASSERT_TRUE(start_control());
    ASSERT_TRUE(control::init().ok());
    kernel::task_delay(kernel::Ticks{1});
    fake::xenstored::write("control/shutdown", "poweroff");
    EXPECT_EQ(fake::xenstored::read("control/shutdown"), "");
  });
  // One control task, one request handled once.
  EXPECT_EQ(g_requests, (std::vector<control::Request>{control::Request::kPoweroff}));
}

TEST_F(ControlGlue, WithoutXenstoreThereIsNoControl) {
  fake::Config c;
  c.xenstore = false;
  start(c);
  EXPECT_EQ(control::init().error().code, Errc::kNotFound);
}

using ConsoleGlue = XenFakeTest;

TEST_F(ConsoleGlue, OutputReachesTheBackendAndInputATask) {
  ASSERT_TRUE(pv_console::init().ok());
  pv_console::write("hello, ", 7);
  pv_console::write("dom0", 4);
  EXPECT_EQ(fake::console::output(), "hello, dom0");
  EXPECT_EQ(pv_console::stats().written, 11u);
  run([&] {
    char buf[16];
    auto none = pv_console::read(buf, sizeof buf, kernel::Ticks{5});
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(*none, 0u);  // timed out
    fake::console::input("typed");
    auto n = pv_console::read(buf, sizeof buf, kernel::Ticks{5});
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(std::string(buf, *n), "typed");
  });
}

TEST_F(ConsoleGlue, AHostileBackendLosesOutputNotMemory) {
  ASSERT_TRUE(pv_console::init().ok());
  fake::console::stall(true);
  fake::console::corrupt();
  pv_console::write("lost", 4);
  EXPECT_EQ(pv_console::stats().dropped, 4u);
  EXPECT_GE(pv_console::stats().ring_errors, 1u);
  EXPECT_EQ(fake::console::output(), "");
}

// A xenconsoled starved of CPU: it drains the ring once in 500 notifications,
// and the guest's every look at the clock takes 1 ms (host counter: 1 us).
// `count` bytes of '.' written in lines of 40; returns the time it took (ms).
uint64_t write_lines_to_a_slow_backend(size_t count) {
  fake::console::slow(500);
  host::set_drift_per_read(1000);
  const uint64_t start = host::now();
  const std::string line(39, '.');
  for (size_t i = 0; i < count / 40; ++i) {
    pv_console::write(line.data(), line.size());
    pv_console::write("\n", 1);
  }
  return (host::now() - start) / 1000;
}

TEST_F(ConsoleGlue, WhileTheGuestRunsASlowBackendCostsAWriteAt200Ms) {
  ASSERT_TRUE(pv_console::init().ok());
  const uint64_t ms = write_lines_to_a_slow_backend(4000);  // two rings' worth
  // Every full ring was given up after 200 ms, its write's rest dropped.
  EXPECT_GT(pv_console::stats().dropped, 0u);
  EXPECT_EQ(pv_console::stats().written + pv_console::stats().dropped, 4000u);
  EXPECT_LT(ms, 1000u);
}

TEST_F(ConsoleGlue, GoingDownASlowBackendIsWaitedForAndLosesNothing) {
  ASSERT_TRUE(pv_console::init().ok());
  pv_console::final_output();
  write_lines_to_a_slow_backend(8000);
  pv_console::drain();
  EXPECT_EQ(pv_console::stats().dropped, 0u);
  EXPECT_EQ(fake::console::output().size(), 8000u);
}

TEST_F(ConsoleGlue, GoingDownAStuckBackendIsWaitedFor5SOnceThenGivenUp) {
  ASSERT_TRUE(pv_console::init().ok());
  pv_console::final_output();
  fake::console::stall(true);
  host::set_drift_per_read(1000);
  const std::string text(3000, 'x');
  uint64_t start = host::now();
  pv_console::write(text.data(), text.size());  // 2048 fit, then 5 s
  const uint64_t waited_ms = (host::now() - start) / 1000;
  EXPECT_GE(waited_ms, 5000u);
  EXPECT_LT(waited_ms, 5100u);
  EXPECT_EQ(pv_console::stats().dropped, 3000u - 2048u);
  // From now on nothing waits: a dead dom0 does not hold a dying guest.
  start = host::now();
  pv_console::write("more", 4);
  pv_console::drain();
  EXPECT_LT((host::now() - start) / 1000, 10u);
  EXPECT_EQ(pv_console::stats().dropped, 3000u - 2048u + 4u);
  fake::console::stall(false);
  EXPECT_EQ(fake::console::output(), std::string(2048, 'x'));
}

std::string g_said;
void say(const char* text, size_t len) {
  g_said.append(text, len);
}

TEST_F(ConsoleGlue, GoingDownSaysWhatTheRunningGuestDropped) {
  ASSERT_TRUE(pv_console::init().ok());
  fake::console::stall(true);
  host::set_drift_per_read(1000);
  const std::string text(3000, 'x');
  pv_console::write(text.data(), text.size());  // 2048 fit; 952 dropped after 200 ms
  g_said.clear();
  console_set_output(say, "test");
  pv_console::final_output();
  pv_console::final_output();  // once
  EXPECT_EQ(g_said,
            "petrel: the PV console dropped 952 bytes while the guest ran: dom0's xenconsoled "
            "left its ring full for more than 200 ms\n");
}

TEST_F(ConsoleGlue, GoingDownWithNothingDroppedSaysNothing) {
  ASSERT_TRUE(pv_console::init().ok());
  pv_console::write("fine\n", 5);
  g_said.clear();
  console_set_output(say, "test");
  pv_console::final_output();
  EXPECT_EQ(g_said, "");
}

TEST_F(ConsoleGlue, TheDrainBeforeShutdownWaitsOnlyForWhatIsPending) {
  ASSERT_TRUE(pv_console::init().ok());
  host::set_drift_per_read(1000);
  pv_console::write("taken\n", 6);
  uint64_t start = host::now();
  pv_console::drain();  // all taken already
  EXPECT_LT((host::now() - start) / 1000, 10u);
  fake::console::stall(true);
  pv_console::write("pending\n", 8);
  start = host::now();
  pv_console::drain();  // 5 s without progress
  EXPECT_GE((host::now() - start) / 1000, 5000u);
  fake::console::stall(false);
  EXPECT_EQ(fake::console::output(), "taken\npending\n");
}

TEST_F(ConsoleGlue, WithoutAConsolePageThereIsNone) {
  fake::Config c;
  c.console = false;
  start(c);
  EXPECT_EQ(pv_console::init().error().code, Errc::kNotFound);
  EXPECT_FALSE(pv_console::available());
  pv_console::write("nowhere", 7);  // dropped, no crash
  char buf[4];
  EXPECT_EQ(pv_console::read(buf, sizeof buf, kernel::Ticks{1}).error().code, Errc::kUnsupported);
}

TEST_F(ConsoleGlue, ThePageNotMappableIsAnError) {
  ASSERT_TRUE(evtchn::ready());
  fake::fail_map_shared_memory();
  EXPECT_EQ(pv_console::init().error().code, Errc::kNoMemory);
  EXPECT_FALSE(pv_console::available());
}

}  // namespace
}  // namespace petrel::xen::test
