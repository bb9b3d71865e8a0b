// Timeouts end at their deadline's tick even though the counter moves while
// a blocking call runs with interrupts masked (host-only: the host port's
// counter can be made to move on every read, host::set_drift_per_read).
// The soak (tests/guest/soak) found the software-timer service waking a tick
// late when the counter passed a tick boundary between its two readings.
#include <string>
#include <vector>

#include "kernel_fixture.h"
#include "petrel/kernel/semaphore.h"
#include "petrel/kernel/soft_timer.h"

namespace petrel::kernel::test {
namespace {

class DeadlineHost : public KernelTest {
 protected:
  uint64_t timed_take_ends_at(uint64_t before);
};

// With the counter `before` counter ticks short of the boundary of tick 10,
// a take of an empty semaphore for 5 ticks: the tick at which it timed out
// (its deadline is 9 + 5 = 14).
uint64_t DeadlineHost::timed_take_ends_at(uint64_t before) {
  host::reset();
  Semaphore* s = *semaphore_create_binary();
  uint64_t ended = 0;
  bool timed_out = false;
  auto body = [&] {
    host::advance(10 * kCounterPerTick - before - host::now());
    host::set_drift_per_read(1);
    timed_out = semaphore_take(s, Ticks{5}).error().code == Errc::kTimeout;
    host::set_drift_per_read(0);
    ended = tick_count().count;
    scheduler_end();
  };
  spawn_fn("taker", 5, &body);
  scheduler_start();
  semaphore_delete(s);
  EXPECT_TRUE(timed_out) << "before " << before;
  return ended;
}

TEST_F(DeadlineHost, ATimedWaitEndsAtItsDeadlineTick) {
  for (uint64_t before = 1; before <= 12; ++before)
    EXPECT_EQ(timed_take_ends_at(before), 14u) << "counter " << before << " short of tick 10";
}

TEST_F(DeadlineHost, APeriodicTimerFiresOnEveryPeriodsTick) {
  std::vector<uint64_t> fired;
  TimerConfig c;
  c.name = "periodic";
  c.period = Ticks{3};
  c.mode = TimerMode::kPeriodic;
  c.id = &fired;
  c.callback = [](SoftTimer* t) {
    static_cast<std::vector<uint64_t>*>(soft_timer_id(t))->push_back(tick_count().count);
  };
  SoftTimer* periodic = *soft_timer_create(c);
  TimerConfig p;
  p.name = "poke";
  p.period = Ticks{1000};
  p.callback = [](SoftTimer*) {};
  SoftTimer* poke = *soft_timer_create(p);
  auto body = [&] {
    ASSERT_TRUE(soft_timer_start(periodic, kForever).ok());
    // Commands sent 1 to 8 counter ticks short of a tick boundary: the
    // service task handles each and then works out its wait for the
    // periodic timer while the counter (moving 1 per read) passes the
    // boundary.
    for (uint64_t round = 0; round < 40; ++round) {
      task_delay(Ticks{1});
      const uint64_t into = host::now() % kCounterPerTick;
      host::advance(kCounterPerTick - into - (1 + round % 8));
      host::set_drift_per_read(1);
      ASSERT_TRUE(soft_timer_reset(poke, kForever).ok());
      task_delay(Ticks{1});
      host::set_drift_per_read(0);
    }
    scheduler_end();
  };
  spawn_fn("watch", 1, &body);
  scheduler_start();
  EXPECT_TRUE(soft_timer_delete(periodic, kForever).ok());
  EXPECT_TRUE(soft_timer_delete(poke, kForever).ok());
  ASSERT_GE(fired.size(), 20u);
  for (size_t i = 0; i < fired.size(); ++i) EXPECT_EQ(fired[i], 3 * (i + 1)) << "callback " << i;
}

}  // namespace
}  // namespace petrel::kernel::test
