// Host-only scheduler tests: simulated interrupts, the timer as armed, and
// fatal errors. The portable scenarios are in tests/kernel/sched_scenarios.cc.
#include <string>

#include "kernel_fixture.h"

namespace petrel::kernel::test {
namespace {

using Sched = KernelTest;

TEST_F(Sched, AllTasksBlockedForeverStopsTheHostScheduler) {
  auto t = [&] { task_suspend(nullptr); };
  spawn_fn("t", 1, &t);
  EXPECT_EQ(scheduler_start(), StopReason::kAllTasksBlocked);
}

TEST_F(Sched, InterruptWakesAHigherPriorityTaskOnExit) {
  static Task* waiter;
  static std::vector<std::string>* plog;
  plog = &log;
  auto w = [&] {
    task_suspend(nullptr);
    note("waiter");
  };
  ASSERT_TRUE(arch::irq_register(
                  40,
                  [](uint32_t, void*) {
                    plog->push_back("isr");
                    EXPECT_TRUE(in_isr());
                    EXPECT_TRUE(task_resume_from_isr(waiter));
                    plog->push_back("isr end");
                  },
                  nullptr)
                  .ok());
  auto low = [&] {
    note("low");
    host::raise_interrupt(40);
    note("low again");
  };
  waiter = spawn_fn("waiter", 4, &w);
  spawn_fn("low", 1, &low);
  scheduler_start();
  EXPECT_EQ(log, (std::vector<std::string>{"low", "isr", "isr end", "waiter", "low again"}));
}

TEST_F(Sched, ALoneTaskAtItsPriorityRunsWithoutTimer) {
  bool armed_alone = true, armed_shared = false;
  Task* peer = nullptr;
  auto p = [&] {};
  auto t = [&] {
    armed_alone = host::timer_armed();  // a lower-priority task is ready: no slicing
    peer = spawn_fn("peer", 2, &p);     // an equal-priority peer: now slice
    armed_shared = host::timer_armed();
  };
  auto low = [&] {};
  spawn_fn("low", 1, &low);
  spawn_fn("t", 2, &t);
  scheduler_start();
  EXPECT_FALSE(armed_alone);
  EXPECT_TRUE(armed_shared);
}

// As on hardware, a timer interrupt that comes due with interrupts masked
// waits for them to be unmasked: a task due meanwhile runs then, not inside
// the critical section.
TEST_F(Sched, ATimerDueWhileMaskedIsTakenWhenUnmasked) {
  const uint64_t per_tick = host::kCounterHz / config::kTickRateHz;
  auto sleeper = [&] {
    task_delay(Ticks{2});
    note("sleeper@" + std::to_string(tick_count().count));
  };
  auto t = [&] {
    const uint64_t before = host::timer_interrupts();
    {
      CriticalSection cs;
      host::advance(5 * per_tick);
      note("still masked");
      EXPECT_EQ(host::timer_interrupts(), before);
    }
    note("unmasked");
    EXPECT_EQ(host::timer_interrupts(), before + 1);
  };
  spawn_fn("t", 1, &t);
  spawn_fn("sleeper", 2, &sleeper);
  scheduler_start();
  EXPECT_EQ(log, (std::vector<std::string>{"still masked", "sleeper@5", "unmasked"}));
}

using SchedDeath = KernelTest;

TEST_F(SchedDeath, StackOverflowIsCaughtAndNamesTheTask) {
  EXPECT_DEATH(
      {
        auto t = [&] {
          // Scribble over the bottom of our own stack as an overflow would:
          // growing down, it reaches the canary's top byte (of 32) first.
          Task* me = task_current();
          me->stack_base[31] = 0;
          task_yield();
          task_delay(Ticks{1});
        };
        spawn_fn("overflower", 1, &t);
        scheduler_start();
      },
      "stack overflow in task 'overflower'");
}

TEST_F(SchedDeath, StartingTheSchedulerASecondTimeIsRefused) {
  EXPECT_DEATH(
      {
        auto t = [&] {};
        spawn_fn("first", 1, &t);
        scheduler_start();  // returns: every task ended
        spawn_fn("second", 1, &t);
        scheduler_start();
      },
      "scheduler has run before; it starts only once");
}

TEST_F(SchedDeath, DeletingTheKernelsOwnTaskIsRefused) {
  EXPECT_DEATH(
      {
        auto t = [&] { task_delete(task_find("idle")); };
        spawn_fn("t", 1, &t);
        scheduler_start();
      },
      "task_delete: 'idle' is the kernel's own task");
}

TEST_F(SchedDeath, BlockingInAnInterruptIsReported) {
  EXPECT_DEATH(
      {
        ASSERT_TRUE(arch::irq_register(
                        41, [](uint32_t, void*) { task_delay(Ticks{1}); }, nullptr)
                        .ok());
        auto t = [&] { host::raise_interrupt(41); };
        spawn_fn("t", 1, &t);
        scheduler_start();
      },
      "blocking call was made from interrupt context");
}

}  // namespace
}  // namespace petrel::kernel::test
