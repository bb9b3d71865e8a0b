// Host-only queue and semaphore tests: the interrupt variants through
// simulated interrupts, refusal of blocking calls in interrupt context, the
// timer as armed, and long runs. The portable scenarios are in
// tests/kernel/queue_scenarios.cc and tests/kernel/semaphore_scenarios.cc.
#include <functional>

#include "kernel_fixture.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/queue.h"
#include "petrel/kernel/semaphore.h"

namespace petrel::kernel::test {
namespace {

constexpr uint32_t kIrq = 120;  // this file's interrupt ID

std::function<void()> g_isr_body;

class QueueHost : public KernelTest {
 protected:
  void SetUp() override {
    KernelTest::SetUp();
    g_isr_body = nullptr;
    ASSERT_TRUE(arch::irq_register(
                    kIrq,
                    [](uint32_t, void*) {
                      EXPECT_TRUE(in_isr());
                      g_isr_body();
                    },
                    nullptr)
                    .ok());
  }
  void TearDown() override {
    g_isr_body = nullptr;
    KernelTest::TearDown();
  }

  // Runs `isr` in interrupt context now.
  void interrupt(std::function<void()> isr) {
    g_isr_body = std::move(isr);
    host::raise_interrupt(kIrq);
  }

  // A waiter at `waiter_prio` blocks in `wait` (which notes "waiter");
  // then a task at priority 2 raises an interrupt that runs `isr_call` and
  // notes "isr", and notes "interrupted" when it continues. Returns the
  // flag the call reported (starting from false).
  bool wake_from_isr(Priority waiter_prio, std::function<void()> wait,
                     std::function<Status(bool*)> isr_call) {
    bool woken = false;
    auto waiter = [&] {
      wait();
      note("waiter");
    };
    auto interrupted = [&] {
      spawn_fn("waiter", waiter_prio, &waiter);
      task_delay(Ticks{1});  // a lower-priority waiter blocks meanwhile
      interrupt([&] {
        EXPECT_TRUE(isr_call(&woken).ok());
        note("isr");
      });
      note("interrupted");
    };
    spawn_fn("interrupted", 2, &interrupted);
    scheduler_start();
    return woken;
  }

  using Log = std::vector<std::string>;
  static Log preempted() { return {"isr", "waiter", "interrupted"}; }
  static Log not_preempted() { return {"isr", "interrupted", "waiter"}; }

  Queue* make_queue(size_t length) {
    auto q = queue_create(length, sizeof(uint32_t));
    EXPECT_TRUE(q.ok());
    return *q;
  }
};

uint32_t received(Queue* q) {
  uint32_t v = 0;
  EXPECT_TRUE(queue_receive(q, &v, kNoWait).ok());
  return v;
}

// --- queue interrupt variants ---

TEST_F(QueueHost, SendBackFromIsrWakesAHigherPriorityReceiver) {
  Queue* q = make_queue(2);
  uint32_t got = 0;
  const uint32_t v = 41;
  EXPECT_TRUE(wake_from_isr(
      3, [&] { ASSERT_TRUE(queue_receive(q, &got, kForever).ok()); },
      [&](bool* w) { return queue_send_back_from_isr(q, &v, w); }));
  EXPECT_EQ(log, preempted());
  EXPECT_EQ(got, 41u);
  EXPECT_EQ(queue_messages_waiting(q), 0u);
  queue_delete(q);
}

TEST_F(QueueHost, SendBackFromIsrToALowerOrEqualReceiverLeavesTheFlag) {
  for (Priority prio : {Priority{1}, Priority{2}}) {
    log.clear();
    Queue* q = make_queue(2);
    uint32_t got = 0;
    const uint32_t v = 42;
    EXPECT_FALSE(wake_from_isr(
        prio, [&] { ASSERT_TRUE(queue_receive(q, &got, kForever).ok()); },
        [&](bool* w) { return queue_send_back_from_isr(q, &v, w); }));
    EXPECT_EQ(log, not_preempted());
    EXPECT_EQ(got, 42u);
    queue_delete(q);
    kernel_reset();
  }
}

TEST_F(QueueHost, SendFrontFromIsrWakesAHigherPriorityReceiver) {
  Queue* q = make_queue(2);
  uint32_t got = 0;
  const uint32_t v = 43;
  EXPECT_TRUE(wake_from_isr(
      3, [&] { ASSERT_TRUE(queue_receive(q, &got, kForever).ok()); },
      [&](bool* w) { return queue_send_front_from_isr(q, &v, w); }));
  EXPECT_EQ(log, preempted());
  EXPECT_EQ(got, 43u);
  queue_delete(q);
}

TEST_F(QueueHost, SendFrontFromIsrToALowerReceiverLeavesTheFlag) {
  Queue* q = make_queue(2);
  uint32_t got = 0;
  const uint32_t v = 44;
  EXPECT_FALSE(wake_from_isr(
      1, [&] { ASSERT_TRUE(queue_receive(q, &got, kForever).ok()); },
      [&](bool* w) { return queue_send_front_from_isr(q, &v, w); }));
  EXPECT_EQ(log, not_preempted());
  EXPECT_EQ(got, 44u);
  queue_delete(q);
}

TEST_F(QueueHost, OverwriteFromIsrWakesAHigherPriorityReceiver) {
  Queue* q = make_queue(1);
  uint32_t got = 0;
  const uint32_t v = 45;
  EXPECT_TRUE(wake_from_isr(
      3, [&] { ASSERT_TRUE(queue_receive(q, &got, kForever).ok()); },
      [&](bool* w) { return queue_overwrite_from_isr(q, &v, w); }));
  EXPECT_EQ(log, preempted());
  EXPECT_EQ(got, 45u);
  queue_delete(q);
}

TEST_F(QueueHost, OverwriteFromIsrToALowerReceiverLeavesTheFlag) {
  Queue* q = make_queue(1);
  uint32_t got = 0;
  const uint32_t v = 46;
  EXPECT_FALSE(wake_from_isr(
      1, [&] { ASSERT_TRUE(queue_receive(q, &got, kForever).ok()); },
      [&](bool* w) { return queue_overwrite_from_isr(q, &v, w); }));
  EXPECT_EQ(log, not_preempted());
  EXPECT_EQ(got, 46u);
  queue_delete(q);
}

TEST_F(QueueHost, ReceiveFromIsrWakesAHigherPriorityBlockedSender) {
  Queue* q = make_queue(1);
  const uint32_t first = 1, second = 2;
  ASSERT_TRUE(queue_send_back(q, &first, kNoWait).ok());
  uint32_t got = 0;
  EXPECT_TRUE(wake_from_isr(
      3, [&] { ASSERT_TRUE(queue_send_back(q, &second, kForever).ok()); },
      [&](bool* w) { return queue_receive_from_isr(q, &got, w); }));
  EXPECT_EQ(log, preempted());
  EXPECT_EQ(got, 1u);
  EXPECT_EQ(received(q), 2u);  // the sender's item went in as the ISR made room
  queue_delete(q);
}

TEST_F(QueueHost, ReceiveFromIsrWithALowerBlockedSenderLeavesTheFlag) {
  Queue* q = make_queue(1);
  const uint32_t first = 1, second = 2;
  ASSERT_TRUE(queue_send_back(q, &first, kNoWait).ok());
  uint32_t got = 0;
  EXPECT_FALSE(wake_from_isr(
      1, [&] { ASSERT_TRUE(queue_send_back(q, &second, kForever).ok()); },
      [&](bool* w) { return queue_receive_from_isr(q, &got, w); }));
  EXPECT_EQ(log, not_preempted());
  EXPECT_EQ(got, 1u);
  EXPECT_EQ(received(q), 2u);
  queue_delete(q);
}

TEST_F(QueueHost, SendFromIsrWakesAHigherPriorityPeeker) {
  Queue* q = make_queue(2);
  uint32_t got = 0;
  const uint32_t v = 47;
  EXPECT_TRUE(wake_from_isr(
      3, [&] { ASSERT_TRUE(queue_peek(q, &got, kForever).ok()); },
      [&](bool* w) { return queue_send_back_from_isr(q, &v, w); }));
  EXPECT_EQ(log, preempted());
  EXPECT_EQ(got, 47u);
  EXPECT_EQ(queue_messages_waiting(q), 1u);  // peeked, still queued
  queue_delete(q);
}

TEST_F(QueueHost, InterruptVariantsWithoutWaitersAndAtTheLimits) {
  Queue* q = make_queue(2);
  Queue* mailbox = make_queue(1);
  auto t = [&] {
    interrupt([&] {
      bool woken = false;
      uint32_t v = 1, out = 0;
      EXPECT_TRUE(queue_send_back_from_isr(q, &v, &woken).ok());
      v = 2;
      EXPECT_TRUE(queue_send_front_from_isr(q, &v, nullptr).ok());  // no flag: fine
      Status full = queue_send_back_from_isr(q, &v, &woken);
      EXPECT_FALSE(full.ok());
      EXPECT_EQ(full.error().code, Errc::kBusy);
      EXPECT_FALSE(queue_send_front_from_isr(q, &v, &woken).ok());
      EXPECT_TRUE(queue_peek_from_isr(q, &out).ok());
      EXPECT_EQ(out, 2u);
      EXPECT_TRUE(queue_receive_from_isr(q, &out, &woken).ok());
      EXPECT_EQ(out, 2u);
      EXPECT_TRUE(queue_receive_from_isr(q, &out, &woken).ok());
      EXPECT_EQ(out, 1u);
      Status empty = queue_receive_from_isr(q, &out, &woken);
      EXPECT_FALSE(empty.ok());
      EXPECT_EQ(empty.error().code, Errc::kBusy);
      EXPECT_FALSE(queue_peek_from_isr(q, &out).ok());
      // Overwrite: stores, then replaces; on a longer queue it is refused.
      v = 7;
      EXPECT_TRUE(queue_overwrite_from_isr(mailbox, &v, &woken).ok());
      v = 8;
      EXPECT_TRUE(queue_overwrite_from_isr(mailbox, &v, &woken).ok());
      EXPECT_EQ(queue_overwrite_from_isr(q, &v, &woken).error().code, Errc::kInvalid);
      // The plain calls work from an interrupt with kNoWait.
      EXPECT_TRUE(queue_send_back(q, &v, kNoWait).ok());
      EXPECT_TRUE(queue_peek(q, &out, kNoWait).ok());
      EXPECT_TRUE(queue_receive(q, &out, kNoWait).ok());
      EXPECT_EQ(queue_messages_waiting(q), 0u);
      EXPECT_EQ(queue_spaces_available(q), 2u);
      EXPECT_FALSE(woken);  // nothing was woken
    });
  };
  spawn_fn("t", 1, &t);
  scheduler_start();
  EXPECT_EQ(received(mailbox), 8u);
  queue_delete(q);
  queue_delete(mailbox);
}

TEST_F(QueueHost, TheFlagCollectsSeveralCalls) {
  // Two receivers, one above and one below the interrupted task: one flag
  // over both sends ends up true whichever order they are woken in.
  Queue* q = make_queue(2);
  bool woken = false;
  auto r = [&] {
    uint32_t v = 0;
    ASSERT_TRUE(queue_receive(q, &v, kForever).ok());
  };
  auto t = [&] {
    spawn_fn("high", 3, &r);
    spawn_fn("low", 1, &r);
    task_delay(Ticks{1});  // the low one blocks too
    interrupt([&] {
      const uint32_t v = 1;
      ASSERT_TRUE(queue_send_back_from_isr(q, &v, &woken).ok());  // high
      ASSERT_TRUE(queue_send_back_from_isr(q, &v, &woken).ok());  // low: leaves it
    });
  };
  spawn_fn("t", 2, &t);
  scheduler_start();
  EXPECT_TRUE(woken);
  queue_delete(q);
}

// --- semaphore interrupt variants ---

TEST_F(QueueHost, SemaphoreGiveFromIsrWakesAHigherPriorityTaker) {
  auto s = semaphore_create_binary();
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(wake_from_isr(
      3, [&] { ASSERT_TRUE(semaphore_take(*s, kForever).ok()); },
      [&](bool* w) { return semaphore_give_from_isr(*s, w); }));
  EXPECT_EQ(log, preempted());
  EXPECT_EQ(semaphore_count(*s), 0u);
  semaphore_delete(*s);
}

TEST_F(QueueHost, SemaphoreGiveFromIsrToALowerTakerLeavesTheFlag) {
  auto s = semaphore_create_binary();
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(wake_from_isr(
      1, [&] { ASSERT_TRUE(semaphore_take(*s, kForever).ok()); },
      [&](bool* w) { return semaphore_give_from_isr(*s, w); }));
  EXPECT_EQ(log, not_preempted());
  EXPECT_EQ(semaphore_count(*s), 0u);
  semaphore_delete(*s);
}

TEST_F(QueueHost, SemaphoreInterruptVariantsWithoutWaiters) {
  auto s = semaphore_create_counting(2, 0);
  ASSERT_TRUE(s.ok());
  auto t = [&] {
    interrupt([&] {
      bool woken = false;
      Status none = semaphore_take_from_isr(*s, &woken);
      EXPECT_FALSE(none.ok());
      EXPECT_EQ(none.error().code, Errc::kBusy);
      EXPECT_TRUE(semaphore_give_from_isr(*s, &woken).ok());
      EXPECT_TRUE(semaphore_give_from_isr(*s, nullptr).ok());
      Status full = semaphore_give_from_isr(*s, &woken);
      EXPECT_FALSE(full.ok());
      EXPECT_EQ(full.error().code, Errc::kOutOfRange);
      EXPECT_STREQ(full.error().message, "semaphore: already at its maximum count");
      EXPECT_TRUE(semaphore_take_from_isr(*s, &woken).ok());
      EXPECT_TRUE(semaphore_take(*s, kNoWait).ok());  // plain take, no wait: allowed
      EXPECT_EQ(semaphore_count(*s), 0u);
      EXPECT_TRUE(semaphore_give(*s).ok());  // plain give works in an interrupt too
      EXPECT_FALSE(woken);
    });
  };
  spawn_fn("t", 1, &t);
  scheduler_start();
  EXPECT_EQ(semaphore_count(*s), 1u);
  semaphore_delete(*s);
}

// --- refusals ---

TEST_F(QueueHost, BlockingCallsFromAnInterruptAreRefused) {
  Queue* q = make_queue(2);
  auto s = semaphore_create_counting(2, 1);
  ASSERT_TRUE(s.ok());
  auto t = [&] {
    interrupt([&] {
      uint32_t v = 0;
      auto refused = [](const Status& st, const char* what) {
        ASSERT_FALSE(st.ok());
        EXPECT_EQ(st.error().code, Errc::kInvalid);
        EXPECT_STREQ(st.error().message, what);
      };
      const char* kQueue = "queue: cannot block in interrupt context";
      // Refused even though each could complete at once: the call is wrong.
      refused(queue_send_back(q, &v, Ticks{1}), kQueue);
      refused(queue_send_front(q, &v, kForever), kQueue);
      ASSERT_TRUE(queue_send_back(q, &v, kNoWait).ok());
      refused(queue_receive(q, &v, Ticks{5}), kQueue);
      refused(queue_peek(q, &v, kForever), kQueue);
      refused(semaphore_take(*s, Ticks{1}), "semaphore: cannot block in interrupt context");
      refused(semaphore_take(*s, kForever), "semaphore: cannot block in interrupt context");
    });
  };
  spawn_fn("t", 1, &t);
  scheduler_start();
  EXPECT_EQ(queue_messages_waiting(q), 1u);  // only the kNoWait send happened
  EXPECT_EQ(semaphore_count(*s), 1u);
  queue_delete(q);
  semaphore_delete(*s);
}

TEST_F(QueueHost, BlockingBeforeTheSchedulerStartsIsRefused) {
  Queue* q = make_queue(1);
  auto s = semaphore_create_binary();
  ASSERT_TRUE(s.ok());
  uint32_t v = 0;
  Status r = queue_receive(q, &v, Ticks{3});
  ASSERT_FALSE(r.ok());
  EXPECT_STREQ(r.error().message, "queue: cannot block before the scheduler starts");
  Status t = semaphore_take(*s, kForever);
  ASSERT_FALSE(t.ok());
  EXPECT_STREQ(t.error().message, "semaphore: cannot block before the scheduler starts");
  queue_delete(q);
  semaphore_delete(*s);
}

TEST_F(QueueHost, BlockingWithTheSchedulerLockedFails) {
  Queue* q = make_queue(1);
  Status result;
  auto t = [&] {
    scheduler_lock();
    uint32_t v = 0;
    result = queue_receive(q, &v, Ticks{1});  // the blocking rule (sched.h): no panic
    scheduler_unlock();
  };
  spawn_fn("t", 1, &t);
  scheduler_start();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Errc::kInvalid);
  EXPECT_STREQ(result.error().message, "queue: cannot block with the scheduler locked");
}

// --- timing, priorities, suspension ---

TEST_F(QueueHost, ATimedWaitArmsTheTimerForItsDeadlineAndAHandOverDisarmsIt) {
  Queue* q = make_queue(1);
  Ticks start{};
  bool armed_forever = true, armed_timed = false, armed_after = true;
  uint64_t deadline = 0;
  auto r = [&] {
    uint32_t v = 0;
    ASSERT_TRUE(queue_receive(q, &v, kForever).ok());
    start = tick_count();
    ASSERT_TRUE(queue_receive(q, &v, Ticks{25}).ok());
  };
  auto ctl = [&] {
    spawn_fn("receiver", 3, &r);
    armed_forever = host::timer_armed();  // kForever: no timer
    const uint32_t v = 1;
    ASSERT_TRUE(queue_send_back(q, &v, kNoWait).ok());
    armed_timed = host::timer_armed();
    deadline = host::timer_deadline();
    host::advance(5 * kCounterPerTick);
    ASSERT_TRUE(queue_send_back(q, &v, kNoWait).ok());
    armed_after = host::timer_armed();
  };
  spawn_fn("ctl", 2, &ctl);
  scheduler_start();
  EXPECT_FALSE(armed_forever);
  EXPECT_TRUE(armed_timed);
  EXPECT_EQ(deadline, (start.count + 25) * kCounterPerTick);
  EXPECT_FALSE(armed_after);
  queue_delete(q);
}

TEST_F(QueueHost, RaisingAWaitersPriorityMovesItUpTheWaitQueue) {
  Queue* q = make_queue(2);
  Task* late = nullptr;
  auto r = [&](const char* name) {
    uint32_t v = 0;
    ASSERT_TRUE(queue_receive(q, &v, kForever).ok());
    note(name);
  };
  auto first = [&] { r("first"); };
  auto second = [&] { r("second"); };
  auto ctl = [&] {
    spawn_fn("first", 3, &first);
    late = spawn_fn("second", 3, &second);
    task_set_priority(late, 4);
    const uint32_t v = 1;
    ASSERT_TRUE(queue_send_back(q, &v, kNoWait).ok());
    ASSERT_TRUE(queue_send_back(q, &v, kNoWait).ok());
  };
  spawn_fn("ctl", 2, &ctl);
  scheduler_start();
  EXPECT_EQ(log, (std::vector<std::string>{"second", "first"}));
  queue_delete(q);
}

TEST_F(QueueHost, SuspendingAWaiterEndsItsWaitAsAborted) {
  Queue* q = make_queue(1);
  auto s = semaphore_create_binary();
  ASSERT_TRUE(s.ok());
  Status qr = ok(), sr = ok();
  auto qw = [&] {
    uint32_t v = 0;
    qr = queue_receive(q, &v, kForever);
  };
  auto sw = [&] { sr = semaphore_take(*s, Ticks{100}); };
  auto ctl = [&] {
    Task* a = spawn_fn("qw", 3, &qw);
    Task* b = spawn_fn("sw", 3, &sw);
    task_suspend(a);
    task_suspend(b);
    const uint32_t v = 1;
    ASSERT_TRUE(queue_send_back(q, &v, kNoWait).ok());  // queued: the waiter is gone
    ASSERT_TRUE(semaphore_give(*s).ok());
    task_resume(a);
    task_resume(b);
  };
  spawn_fn("ctl", 2, &ctl);
  scheduler_start();
  ASSERT_FALSE(qr.ok());
  EXPECT_STREQ(qr.error().message, "queue: wait aborted");
  ASSERT_FALSE(sr.ok());
  EXPECT_STREQ(sr.error().message, "semaphore: wait aborted");
  EXPECT_EQ(queue_messages_waiting(q), 1u);
  EXPECT_EQ(semaphore_count(*s), 1u);
  queue_delete(q);
  semaphore_delete(*s);
}

TEST_F(QueueHost, DeletingAStaticSemaphoreWithWaiters) {
  static Semaphore storage;
  ASSERT_TRUE(semaphore_create_static(&storage, 1, 0).ok());
  Status r = ok();
  auto w = [&] { r = semaphore_take(&storage, kForever); };
  auto ctl = [&] {
    spawn_fn("w", 3, &w);
    semaphore_delete(&storage);
  };
  spawn_fn("ctl", 2, &ctl);
  scheduler_start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kNotFound);
  EXPECT_EQ(semaphore_max_count(&storage), 0u);
}

// --- long runs ---

TEST_F(QueueHost, HundredThousandItemsAcrossPrioritiesStayInOrder) {
  constexpr uint32_t kItems = 100'000;
  Queue* q = make_queue(5);
  uint32_t bad = 0, count = 0;
  auto producer = [&] {
    for (uint32_t i = 0; i < kItems; ++i) {
      if (i % 3 == 0) {
        ASSERT_TRUE(queue_send_back(q, &i, kForever).ok());
      } else {
        // A mix of timed sends; host time only moves when all tasks block.
        ASSERT_TRUE(queue_send_back(q, &i, Ticks{1000}).ok());
      }
    }
  };
  auto consumer = [&] {
    for (uint32_t i = 0; i < kItems; ++i) {
      uint32_t v = 0;
      ASSERT_TRUE(queue_receive(q, &v, kForever).ok());
      if (v != i) ++bad;
      ++count;
    }
  };
  spawn_fn("consumer", 2, &consumer);
  spawn_fn("producer", 3, &producer);
  scheduler_start();
  EXPECT_EQ(count, kItems);
  EXPECT_EQ(bad, 0u);
  queue_delete(q);
}

TEST_F(QueueHost, InterruptsFeedATaskThroughAQueue) {
  constexpr uint32_t kItems = 10'000;
  Queue* q = make_queue(4);
  uint32_t bad = 0, count = 0, dropped = 0;
  auto consumer = [&] {
    for (uint32_t i = 0; i < kItems; ++i) {
      uint32_t v = 0;
      ASSERT_TRUE(queue_receive(q, &v, kForever).ok());
      if (v != i) ++bad;
      ++count;
    }
  };
  auto source = [&] {
    for (uint32_t i = 0; i < kItems; ++i) {
      interrupt([&] {
        bool woken = false;
        if (!queue_send_back_from_isr(q, &i, &woken).ok()) ++dropped;
        EXPECT_TRUE(woken);  // the consumer waits at a higher priority
      });
    }
  };
  spawn_fn("consumer", 3, &consumer);
  spawn_fn("source", 1, &source);
  scheduler_start();
  EXPECT_EQ(count, kItems);
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(dropped, 0u);
  queue_delete(q);
}

TEST_F(QueueHost, SemaphoreRoundTripsUseNoHeap) {
  constexpr int kRounds = 100'000;
  auto a = semaphore_create_binary();
  auto b = semaphore_create_binary();
  ASSERT_TRUE(a.ok() && b.ok());
  int rounds = 0;
  size_t allocations_before = 0, allocations_after = 0;
  auto ping = [&] {
    allocations_before = heap_stats().allocations;
    for (int i = 0; i < kRounds; ++i) {
      ASSERT_TRUE(semaphore_give(*a).ok());
      ASSERT_TRUE(semaphore_take(*b, kForever).ok());
      ++rounds;
    }
    allocations_after = heap_stats().allocations;
  };
  auto pong = [&] {
    for (int i = 0; i < kRounds; ++i) {
      ASSERT_TRUE(semaphore_take(*a, kForever).ok());
      ASSERT_TRUE(semaphore_give(*b).ok());
    }
  };
  spawn_fn("pong", 3, &pong);  // higher: each give switches at once
  spawn_fn("ping", 2, &ping);
  scheduler_start();
  EXPECT_EQ(rounds, kRounds);
  EXPECT_EQ(allocations_after, allocations_before);
  semaphore_delete(*a);
  semaphore_delete(*b);
}

}  // namespace
}  // namespace petrel::kernel::test
