// Host-only tests of event groups and task notifications: the ISR variants
// (simulated interrupts), higher_priority_woken, exact timer behaviour, heap
// exhaustion and long stress loops. The portable scenarios are in
// tests/kernel/event_scenarios.cc and tests/kernel/notify_scenarios.cc.
#include <iterator>
#include <string>
#include <vector>

#include "kernel_fixture.h"
#include "petrel/kernel/event_group.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/notify.h"

namespace petrel::kernel::test {
namespace {

constexpr uint32_t kIrq = 120;  // 120-123: this file's interrupt IDs

// Installs a lambda as the handler of interrupt `id`.
template <typename F>
void on_irq(uint32_t id, F* fn) {
  ASSERT_TRUE(arch::irq_register(
                  id, [](uint32_t, void* p) { (*static_cast<F*>(p))(); }, fn)
                  .ok());
}

template <typename T>
Errc code_of(const Result<T>& r) {
  return r.ok() ? Errc{} : r.error().code;
}

using EventIsr = KernelTest;

TEST_F(EventIsr, SetBitsFromIsrWakesAHigherPriorityWaiterAtInterruptExit) {
  EventGroup g;
  bool woken = false;
  EventBits returned = 0;
  auto isr = [&] {
    note("isr");
    EXPECT_TRUE(in_isr());
    returned = event_group_set_bits_from_isr(&g, 0x3, &woken).value_or(999);
    note("isr end");
  };
  on_irq(kIrq, &isr);
  auto waiter = [&] {
    auto r = event_group_wait_bits(&g, 0x1, kEventWaitAny | kEventClearOnExit, kForever);
    note("waiter " + std::to_string(r.value_or(999)));
  };
  auto low = [&] {
    note("low");
    host::raise_interrupt(kIrq);
    note("low again");
  };
  spawn_fn("waiter", 4, &waiter);
  spawn_fn("low", 1, &low);
  scheduler_start();
  EXPECT_TRUE(woken);
  EXPECT_EQ(returned, 0x2u);  // after the waiter's clear-on-exit
  EXPECT_EQ(log, (std::vector<std::string>{"low", "isr", "isr end", "waiter 3", "low again"}));
}

TEST_F(EventIsr, SetBitsFromIsrWithALowerPriorityWaiterDoesNotPreempt) {
  EventGroup g;
  bool woken = false;
  auto isr = [&] { ASSERT_TRUE(event_group_set_bits_from_isr(&g, 0x1, &woken).ok()); };
  on_irq(kIrq, &isr);
  auto waiter = [&] {
    ASSERT_TRUE(event_group_wait_bits(&g, 0x1, kEventWaitAll, kForever).ok());
    note("waiter");
  };
  auto mid = [&] {
    task_delay(Ticks{1});  // the waiter blocks meanwhile
    host::raise_interrupt(kIrq);
    note("mid");
  };
  spawn_fn("waiter", 1, &waiter);
  spawn_fn("mid", 2, &mid);
  scheduler_start();
  EXPECT_FALSE(woken);
  EXPECT_EQ(log, (std::vector<std::string>{"mid", "waiter"}));
}

TEST_F(EventIsr, SetAndClearFromIsrBeforeTheSchedulerAndWithoutWaiters) {
  EventGroup g;
  bool woken = false;
  EventBits after_set = 0, before_clear = 0, got = 0;
  auto isr = [&] {
    after_set = event_group_set_bits_from_isr(&g, 0xf0, &woken).value_or(999);
    before_clear = event_group_clear_bits_from_isr(&g, 0x30).value_or(999);
    got = event_group_get_bits(&g);
    EXPECT_EQ(code_of(event_group_set_bits_from_isr(&g, 0x1000000, &woken)), Errc::kInvalid);
    EXPECT_EQ(code_of(event_group_clear_bits_from_isr(&g, 0x1000000)), Errc::kInvalid);
    EXPECT_EQ(code_of(event_group_set_bits_from_isr(nullptr, 1, nullptr)), Errc::kInvalid);
  };
  on_irq(kIrq, &isr);
  host::raise_interrupt(kIrq);  // no task exists yet
  EXPECT_FALSE(woken);
  EXPECT_EQ(after_set, 0xf0u);
  EXPECT_EQ(before_clear, 0xf0u);
  EXPECT_EQ(got, 0xc0u);
  EXPECT_EQ(event_group_get_bits(&g), 0xc0u);
}

TEST_F(EventIsr, HigherPriorityWokenIsOnlyEverSetAndMayBeNull) {
  EventGroup g;
  bool woken = true;  // must stay true: the call only ever sets it
  bool null_ok = false;
  auto isr = [&] {
    ASSERT_TRUE(event_group_set_bits_from_isr(&g, 0x1, &woken).ok());  // wakes nobody
    null_ok = event_group_set_bits_from_isr(&g, 0x2, nullptr).ok();    // wakes the waiter
  };
  on_irq(kIrq, &isr);
  auto waiter = [&] {
    ASSERT_TRUE(event_group_wait_bits(&g, 0x2, kEventWaitAny, kForever).ok());
    note("waiter");
  };
  auto low = [&] {
    host::raise_interrupt(kIrq);
    note("low");
  };
  spawn_fn("waiter", 3, &waiter);
  spawn_fn("low", 1, &low);
  scheduler_start();
  EXPECT_TRUE(woken);
  EXPECT_TRUE(null_ok);
  EXPECT_EQ(log, (std::vector<std::string>{"waiter", "low"}));  // switched at interrupt exit
}

TEST_F(EventIsr, WaitAndSyncCannotBlockInAnInterrupt) {
  EventGroup g;
  (void)event_group_set_bits(&g, 0x1);
  auto isr = [&] {
    auto w = event_group_wait_bits(&g, 0x2, kEventWaitAny, Ticks{5});
    EXPECT_EQ(code_of(w), Errc::kInvalid);
    EXPECT_STREQ(w.error().message, "event group: cannot block in interrupt context");
    EXPECT_EQ(code_of(event_group_sync(&g, 0, 0x2, kForever)), Errc::kInvalid);
    // Without a timeout they are plain tests and work anywhere.
    EXPECT_EQ(code_of(event_group_wait_bits(&g, 0x2, kEventWaitAny, kNoWait)), Errc::kTimeout);
    EXPECT_EQ(
        event_group_wait_bits(&g, 0x1, kEventWaitAny | kEventClearOnExit, kNoWait).value_or(0),
        0x1u);
    EXPECT_EQ(event_group_sync(&g, 0x4, 0x4, kNoWait).value_or(0), 0x4u);
  };
  on_irq(kIrq, &isr);
  auto t = [&] { host::raise_interrupt(kIrq); };
  spawn_fn("t", 1, &t);
  scheduler_start();
  EXPECT_EQ(event_group_get_bits(&g), 0u);
}

TEST_F(EventIsr, OneSetFromIsrWakesManyWaitersInPriorityThenArrivalOrder) {
  constexpr int kWaiters = 60;
  EventGroup g;
  bool woken = false;
  std::vector<int> order;
  struct Arg {
    EventGroup* g;
    std::vector<int>* order;
    int id;
  };
  std::vector<Arg> args(kWaiters);
  for (int i = 0; i < kWaiters; ++i) {
    args[i] = Arg{&g, &order, i};
    spawn(
        "w", static_cast<Priority>(2 + i % 3),
        [](void* p) {
          auto* a = static_cast<Arg*>(p);
          // Odd waiters want bit 1 too, which is never set.
          const EventBits want = a->id % 2 == 0 ? 0x1 : 0x3;
          if (event_group_wait_bits(a->g, want, kEventWaitAll, kForever).ok())
            a->order->push_back(a->id);
        },
        &args[i]);
  }
  auto isr = [&] { ASSERT_TRUE(event_group_set_bits_from_isr(&g, 0x1, &woken).ok()); };
  on_irq(kIrq, &isr);
  auto low = [&] {
    host::raise_interrupt(kIrq);
    note("low");
    event_group_delete(&g);  // the odd ones are aborted (and record nothing)
  };
  spawn_fn("low", 1, &low);
  scheduler_start();
  EXPECT_TRUE(woken);
  std::vector<int> want;
  for (int p = 4; p >= 2; --p)
    for (int i = 0; i < kWaiters; ++i)
      if (2 + i % 3 == p && i % 2 == 0) want.push_back(i);
  EXPECT_EQ(order, want);
  EXPECT_EQ(log, (std::vector<std::string>{"low"}));
}

TEST_F(EventIsr, WaitTimeoutArmsTheTimerForTheExactTick) {
  EventGroup g;
  uint64_t deadline = 0, woke_at = 0;
  Errc code{};
  auto waiter = [&] {
    code = code_of(event_group_wait_bits(&g, 0x1, kEventWaitAny, Ticks{10}));
    woke_at = host::now();
  };
  auto probe = [&] { deadline = host::timer_deadline(); };  // runs while the waiter blocks
  spawn_fn("waiter", 2, &waiter);
  spawn_fn("probe", 1, &probe);
  scheduler_start();
  EXPECT_EQ(code, Errc::kTimeout);
  EXPECT_EQ(deadline, 10 * kCounterPerTick);
  EXPECT_EQ(woke_at, 10 * kCounterPerTick);
  EXPECT_EQ(host::timer_interrupts(), 1u);
}

TEST_F(EventIsr, CreateFailsCleanlyWhenTheHeapIsFull) {
  std::vector<void*> blocks;
  for (size_t size = size_t{1} << 24; size >= 16; size /= 2)
    while (void* p = heap_alloc(size)) blocks.push_back(p);
  auto r = event_group_create();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kNoMemory);
  for (void* p : blocks) heap_free(p);
  auto again = event_group_create();
  ASSERT_TRUE(again.ok());
  event_group_delete(*again);
  EXPECT_TRUE(heap_check());
}

TEST_F(EventIsr, StressInterruptSetsAgainstAClearingWaiter) {
  constexpr int kRounds = 20000;
  EventGroup g;
  int received = 0, woken_count = 0;
  auto isr = [&] {
    bool woken = false;
    ASSERT_TRUE(event_group_set_bits_from_isr(&g, 0x1, &woken).ok());
    if (woken) ++woken_count;
  };
  on_irq(kIrq, &isr);
  auto consumer = [&] {
    for (int i = 0; i < kRounds; ++i) {
      auto r = event_group_wait_bits(&g, 0x1, kEventWaitAny | kEventClearOnExit, Ticks{5});
      ASSERT_TRUE(r.ok());
      ++received;
    }
  };
  auto producer = [&] {
    for (int i = 0; i < kRounds; ++i) host::raise_interrupt(kIrq);
  };
  spawn_fn("consumer", 3, &consumer);
  spawn_fn("producer", 1, &producer);
  scheduler_start();
  EXPECT_EQ(received, kRounds);
  EXPECT_EQ(woken_count, kRounds);
  EXPECT_EQ(event_group_get_bits(&g), 0u);
}

// --- notifications ---

using NotifyIsr = KernelTest;

TEST_F(NotifyIsr, EveryActionFromAnInterrupt) {
  struct Step {
    NotifyAction action;
    uint32_t value;
    uint32_t expect;
  };
  const Step steps[] = {
      {NotifyAction::kSetBits, 0x5, 0x5},
      {NotifyAction::kSetBits, 0x8, 0xd},
      {NotifyAction::kIncrement, 0, 0xe},
      {NotifyAction::kSetValueOverwrite, 100, 100},
      {NotifyAction::kSetValueNoOverwrite, 200, 200},
      {NotifyAction::kNone, 7, 200},
  };
  Task* waiter = nullptr;
  const Step* step = nullptr;
  std::vector<bool> woken;
  std::vector<uint32_t> got;
  auto isr = [&] {
    bool w = false;
    EXPECT_TRUE(notify_from_isr(waiter, 0, step->value, step->action, &w).ok());
    woken.push_back(w);
  };
  on_irq(kIrq, &isr);
  auto wait = [&] {
    for (size_t i = 0; i < std::size(steps); ++i) {
      uint32_t v = 0;
      ASSERT_TRUE(notify_wait(0, 0, 0, &v, kForever).ok());  // no clearing
      got.push_back(v);
    }
  };
  auto low = [&] {
    for (const Step& s : steps) {
      step = &s;
      host::raise_interrupt(kIrq);
    }
  };
  waiter = spawn_fn("waiter", 3, &wait);
  spawn_fn("low", 1, &low);
  scheduler_start();
  std::vector<uint32_t> want;
  for (const Step& s : steps) want.push_back(s.expect);
  EXPECT_EQ(got, want);
  EXPECT_EQ(woken, std::vector<bool>(std::size(steps), true));
}

TEST_F(NotifyIsr, HigherPriorityWokenOnlyForAnOutrankingWaiter) {
  Task* high = nullptr;
  Task* low_waiter = nullptr;
  bool woke_high = false, woke_low = false, woke_nobody = false;
  auto isr = [&] {
    EXPECT_TRUE(notify_give_from_isr(low_waiter, 0, &woke_low).ok());
    EXPECT_TRUE(notify_give_from_isr(high, 2, &woke_high).ok());
    EXPECT_TRUE(notify_give_from_isr(high, 1, &woke_nobody).ok());  // not waiting on 1
    EXPECT_TRUE(notify_give_from_isr(high, 2, nullptr).ok());       // already woken
    note("isr");
  };
  on_irq(kIrq, &isr);
  auto h = [&] {
    note("high took " + std::to_string(notify_take(2, false, kForever).value_or(0)));
  };
  auto lw = [&] { note("low took " + std::to_string(notify_take(0, true, kForever).value_or(0))); };
  auto mid = [&] {
    task_delay(Ticks{1});  // both block
    host::raise_interrupt(kIrq);
    note("mid");
  };
  high = spawn_fn("high", 4, &h);
  low_waiter = spawn_fn("lowwaiter", 1, &lw);
  spawn_fn("mid", 2, &mid);
  scheduler_start();
  EXPECT_TRUE(woke_high);
  EXPECT_FALSE(woke_low);
  EXPECT_FALSE(woke_nobody);
  EXPECT_EQ(log, (std::vector<std::string>{"isr", "high took 2", "mid", "low took 1"}));
}

TEST_F(NotifyIsr, AndQueryFromIsrAndNoOverwriteFailure) {
  Task* target = nullptr;
  uint32_t prev1 = 0, prev2 = 0;
  Errc second{};
  bool woken = false;
  auto isr = [&] {
    EXPECT_TRUE(
        notify_and_query_from_isr(target, 1, 40, NotifyAction::kSetValueNoOverwrite, &prev1, &woken)
            .ok());
    auto s = notify_and_query_from_isr(target, 1, 50, NotifyAction::kSetValueNoOverwrite, &prev2,
                                       &woken);
    second = s.ok() ? Errc{} : s.error().code;
  };
  on_irq(kIrq, &isr);
  auto t = [&] {
    task_current()->notify_value[1] = 3;
    host::raise_interrupt(kIrq);
    uint32_t v = 0;
    EXPECT_TRUE(notify_wait(1, 0, 0, &v, kNoWait).ok());
    EXPECT_EQ(v, 40u);
  };
  target = spawn_fn("t", 1, &t);
  scheduler_start();
  EXPECT_EQ(prev1, 3u);
  EXPECT_EQ(prev2, 40u);
  EXPECT_EQ(second, Errc::kBusy);
  EXPECT_FALSE(woken);  // it was running, not waiting
}

TEST_F(NotifyIsr, TakeAndWaitCannotBlockInAnInterrupt) {
  auto isr = [&] {
    auto take = notify_take(0, true, Ticks{3});
    EXPECT_EQ(code_of(take), Errc::kInvalid);
    EXPECT_STREQ(take.error().message, "notify: cannot block in interrupt context");
    EXPECT_EQ(code_of(notify_wait(0, 0, 0, nullptr, kForever)), Errc::kInvalid);
    // kNoWait polls the interrupted task's own value.
    EXPECT_EQ(notify_take(0, false, kNoWait).value_or(0), 2u);
    EXPECT_EQ(code_of(notify_wait(1, 0, 0, nullptr, kNoWait)), Errc::kTimeout);
  };
  on_irq(kIrq, &isr);
  auto t = [&] {
    ASSERT_TRUE(notify_give(task_current(), 0).ok());
    ASSERT_TRUE(notify_give(task_current(), 0).ok());
    host::raise_interrupt(kIrq);
    EXPECT_EQ(task_current()->notify_value[0], 1u);
  };
  spawn_fn("t", 1, &t);
  scheduler_start();
}

TEST_F(NotifyIsr, ATimedOutWaiterIsNotWokenTwiceFromAnInterrupt) {
  // The timer interrupt readies the timed-out waiter; before it runs a
  // device interrupt notifies it. No second make_ready, no "woken" report,
  // and the waiter still gets the notification.
  Task* waiter = nullptr;
  bool woken = false;
  Errc code = Errc::kIo;
  auto isr = [&] {
    EXPECT_TRUE(notify_from_isr(waiter, 0, 9, NotifyAction::kSetValueOverwrite, &woken).ok());
  };
  on_irq(kIrq, &isr);
  auto w = [&] {
    uint32_t v = 0;
    auto s = notify_wait(0, 0, 0, &v, Ticks{2});
    code = s.ok() ? Errc{} : s.error().code;
    note("waiter " + std::to_string(v));
  };
  auto peer = [&] {
    task_delay(Ticks{3});
    note("peer");
  };
  auto busy = [&] {
    task_delay(Ticks{1});
    host::advance(3 * kCounterPerTick);  // the timer readies waiter, then peer
    EXPECT_EQ(task_state(waiter), TaskState::kReady);
    host::raise_interrupt(kIrq);
    host::raise_interrupt(kIrq);
    note("busy");
  };
  waiter = spawn_fn("waiter", 2, &w);
  spawn_fn("peer", 2, &peer);
  spawn_fn("busy", 3, &busy);
  EXPECT_EQ(scheduler_start(), StopReason::kNoTasks);
  EXPECT_FALSE(woken);
  EXPECT_EQ(code, Errc{});
  EXPECT_EQ(log, (std::vector<std::string>{"busy", "waiter 9", "peer"}));
}

TEST_F(NotifyIsr, TakeTimeoutArmsTheTimerForTheExactTick) {
  uint64_t deadline = 0, woke_at = 0;
  uint32_t got = 99;
  auto taker = [&] {
    got = notify_take(0, true, Ticks{7}).value_or(0);
    woke_at = host::now();
  };
  auto probe = [&] { deadline = host::timer_deadline(); };
  spawn_fn("taker", 2, &taker);
  spawn_fn("probe", 1, &probe);
  scheduler_start();
  EXPECT_EQ(got, 0u);
  EXPECT_EQ(deadline, 7 * kCounterPerTick);
  EXPECT_EQ(woke_at, 7 * kCounterPerTick);
}

TEST_F(NotifyIsr, StressGivesFromInterruptsAgainstACountingTaker) {
  constexpr uint32_t kGives = 100000;
  Task* taker = nullptr;
  uint64_t taken = 0;
  auto isr = [&] { ASSERT_TRUE(notify_give_from_isr(taker, 0, nullptr).ok()); };
  on_irq(kIrq, &isr);
  bool done = false;
  auto t = [&] {
    while (taken < kGives) {
      auto r = notify_take(0, (taken & 1) != 0, Ticks{10});
      ASSERT_TRUE(r.ok());
      taken += (taken & 1) != 0 ? *r : 1;  // clear: all of them; else one
    }
    done = true;
  };
  auto producer = [&] {
    for (uint32_t i = 0; i < kGives; ++i) {
      host::raise_interrupt(kIrq);
      if (i % 3 == 0) task_yield();  // let counts pile up, or not
    }
  };
  taker = spawn_fn("taker", 2, &t);
  spawn_fn("producer", 2, &producer);
  scheduler_start();
  EXPECT_TRUE(done);
  EXPECT_EQ(taken, kGives);
}

}  // namespace
}  // namespace petrel::kernel::test
