// Host-only tests of software timers and stream/message buffers: interrupt
// variants (simulated interrupts), exact timer behaviour in simulated time,
// heap exhaustion and fatal errors. The portable scenarios are in
// tests/kernel/timer_scenarios.cc and tests/kernel/stream_scenarios.cc.
#include <string>
#include <vector>

#include "kernel_fixture.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/soft_timer.h"
#include "petrel/kernel/stream_buffer.h"

namespace petrel::kernel::test {
namespace {

// Interrupt IDs of this file's handlers.
constexpr uint32_t kIrqTimer = 160;
constexpr uint32_t kIrqStream = 161;

class TimerHost : public KernelTest {
 protected:
  void SetUp() override {
    KernelTest::SetUp();
    soft_timer_reset_module();  // until kernel_reset() does it
  }

  // Runs fn() as the handler of interrupt `irq`, now.
  template <typename F>
  void raise(uint32_t irq, F* fn) {
    arch::irq_unregister(irq);
    ASSERT_TRUE(arch::irq_register(
                    irq, [](uint32_t, void* p) { (*static_cast<F*>(p))(); }, fn)
                    .ok());
    host::raise_interrupt(irq);
  }
};

// Callbacks append "name@tick" to the std::vector<std::string> their ID
// points at.
void log_call(SoftTimer* t) {
  auto* log = static_cast<std::vector<std::string>*>(soft_timer_id(t));
  log->push_back(std::string(soft_timer_name(t)) + "@" + std::to_string(tick_count().count));
}

TimerConfig make(const char* name, uint64_t period, TimerMode mode, void* id) {
  TimerConfig c;
  c.name = name;
  c.period = Ticks{period};
  c.mode = mode;
  c.callback = log_call;
  c.id = id;
  return c;
}

Ticks at(uint64_t ticks) {
  return Ticks{ticks};
}

// --- timers from interrupt handlers ---

TEST_F(TimerHost, StartFromIsrRunsTheServiceTaskAtInterruptExit) {
  SoftTimer timer;
  ASSERT_TRUE(soft_timer_init(&timer, make("t", 5, TimerMode::kOneShot, &log)).ok());
  bool woken = false, active_in_isr = true;
  Status s = Error{Errc::kIo, "not called"};
  auto isr = [&] {
    s = soft_timer_start_from_isr(&timer, &woken);
    active_in_isr = soft_timer_is_active(&timer);  // the service task has not run yet
  };
  auto task = [&] {
    host::advance(3 * kCounterPerTick);
    raise(kIrqTimer, &isr);
    note(soft_timer_is_active(&timer) ? "active after exit" : "inactive after exit");
    task_delay(at(10));
  };
  spawn_fn("task", 1, &task);
  scheduler_start();
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(woken);
  EXPECT_FALSE(active_in_isr);
  EXPECT_EQ(log, (std::vector<std::string>{"active after exit", "t@8"}));
}

TEST_F(TimerHost, EveryCommandFromAnIsr) {
  SoftTimer timer;
  ASSERT_TRUE(soft_timer_init(&timer, make("t", 5, TimerMode::kPeriodic, &log)).ok());
  bool woken = false;
  auto start = [&] { EXPECT_TRUE(soft_timer_start_from_isr(&timer, &woken).ok()); };
  auto reset = [&] { EXPECT_TRUE(soft_timer_reset_from_isr(&timer, &woken).ok()); };
  auto change = [&] {
    EXPECT_FALSE(soft_timer_change_period_from_isr(&timer, at(0), &woken).ok());
    EXPECT_TRUE(soft_timer_change_period_from_isr(&timer, at(2), &woken).ok());
  };
  auto stop = [&] { EXPECT_TRUE(soft_timer_stop_from_isr(&timer, nullptr).ok()); };
  auto task = [&] {
    raise(kIrqTimer, &start);  // at 0: due 5
    task_delay(at(3));
    raise(kIrqTimer, &reset);  // at 3: due 8, 13
    task_delay(at(11));
    raise(kIrqTimer, &change);  // at 14: period 2, due 16, 18
    task_delay(at(5));
    raise(kIrqTimer, &stop);  // at 19
    task_delay(at(10));
  };
  spawn_fn("task", 1, &task);
  scheduler_start();
  EXPECT_TRUE(woken);
  EXPECT_EQ(log, (std::vector<std::string>{"t@8", "t@13", "t@16", "t@18"}));
}

TEST_F(TimerHost, IsrCommandErrors) {
  SoftTimer timer, never;
  ASSERT_TRUE(soft_timer_init(&timer, make("t", 5, TimerMode::kOneShot, &log)).ok());
  std::vector<Errc> codes;
  auto isr = [&] {
    // The blocking variants work from an interrupt only without a wait.
    Status blocking = soft_timer_start(&timer, at(1));
    codes.push_back(blocking.ok() ? Errc{} : blocking.error().code);
    EXPECT_TRUE(soft_timer_start(&timer, kNoWait).ok());
    Status dead = soft_timer_start_from_isr(&never, nullptr);
    codes.push_back(dead.ok() ? Errc{} : dead.error().code);
    // The queue holds kTimerQueueLength commands; the service task cannot
    // run before the interrupt ends.
    for (size_t i = 1; i < kTimerQueueLength; ++i)
      EXPECT_TRUE(soft_timer_stop_from_isr(&timer, nullptr).ok());
    Status full = soft_timer_start_from_isr(&timer, nullptr);
    codes.push_back(full.ok() ? Errc{} : full.error().code);
    Status call = soft_timer_pend_call_from_isr(nullptr, nullptr, 0, nullptr);
    codes.push_back(call.ok() ? Errc{} : call.error().code);
  };
  auto task = [&] { raise(kIrqTimer, &isr); };
  spawn_fn("task", 1, &task);
  scheduler_start();
  EXPECT_EQ(codes,
            (std::vector<Errc>{Errc::kInvalid, Errc::kInvalid, Errc::kBusy, Errc::kInvalid}));
  EXPECT_FALSE(soft_timer_is_active(&timer));  // the last command was a stop
}

TEST_F(TimerHost, NoHigherPriorityWokenWhenTheCallerIsAtTheServicePriority) {
  SoftTimer timer;
  ASSERT_TRUE(soft_timer_init(&timer, make("t", 5, TimerMode::kOneShot, &log)).ok());
  bool woken = false;
  bool active_after_isr = true;
  auto isr = [&] { EXPECT_TRUE(soft_timer_start_from_isr(&timer, &woken).ok()); };
  auto task = [&] {
    raise(kIrqTimer, &isr);
    active_after_isr = soft_timer_is_active(&timer);  // the service task has not run
    task_yield();
    EXPECT_TRUE(soft_timer_is_active(&timer));
  };
  spawn_fn("task", kTimerTaskPriority, &task);
  scheduler_start();
  EXPECT_FALSE(woken);
  EXPECT_FALSE(active_after_isr);
}

TEST_F(TimerHost, PendCallFromIsr) {
  static std::vector<std::string>* plog;
  plog = &log;
  bool woken = false;
  auto isr = [&] {
    // No timer exists: this creates the service task.
    EXPECT_TRUE(soft_timer_pend_call_from_isr(
                    [](void* arg, uint32_t value) {
                      plog->push_back(std::string(static_cast<const char*>(arg)) + " " +
                                      std::to_string(value) + " in " + task_name(task_current()));
                    },
                    const_cast<char*>("call"), 42, &woken)
                    .ok());
    plog->push_back("isr end");
  };
  auto task = [&] {
    raise(kIrqTimer, &isr);
    note("task");
  };
  spawn_fn("task", 1, &task);
  scheduler_start();
  EXPECT_TRUE(woken);
  EXPECT_EQ(log, (std::vector<std::string>{"isr end", "call 42 in timer service", "task"}));
}

// --- exact timing ---

TEST_F(TimerHost, MissedPeriodsAreCalledOnceEachInExpiryOrder) {
  SoftTimer a, b;
  ASSERT_TRUE(soft_timer_init(&a, make("a", 10, TimerMode::kPeriodic, &log)).ok());
  ASSERT_TRUE(soft_timer_init(&b, make("b", 15, TimerMode::kPeriodic, &log)).ok());
  auto task = [&] {
    EXPECT_TRUE(soft_timer_start(&a, kNoWait).ok());
    EXPECT_TRUE(soft_timer_start(&b, kNoWait).ok());
    scheduler_lock();
    host::advance(35 * kCounterPerTick);  // the service task cannot run
    note("unlock");
    scheduler_unlock();
    note("caught up");
    task_delay(at(11));  // to 46
    EXPECT_TRUE(soft_timer_stop(&a, kNoWait).ok());
    EXPECT_TRUE(soft_timer_stop(&b, kNoWait).ok());
  };
  spawn_fn("task", 1, &task);
  scheduler_start();
  // Expiries 10 (a), 15 (b), 20 (a), 30 (b, re-armed before a was) and 30
  // (a), all called at 35, then back on the grid: 40 (a), 45 (b).
  EXPECT_EQ(log, (std::vector<std::string>{"unlock", "a@35", "b@35", "a@35", "b@35", "a@35",
                                           "caught up", "a@40", "b@45"}));
}

TEST_F(TimerHost, ALowPriorityServiceTaskRunsLateButKeepsTheGrid) {
  SoftTimer timer;
  ASSERT_TRUE(soft_timer_init(&timer, make("t", 4, TimerMode::kPeriodic, &log)).ok());
  auto task = [&] {
    task_set_priority(soft_timer_service_task(), 1);
    EXPECT_TRUE(soft_timer_start(&timer, kNoWait).ok());  // queued, not yet processed
    host::advance(10 * kCounterPerTick);                  // busy: the service task gets no CPU
    task_delay(at(3));                                    // to 13: the service task runs now
    task_set_priority(soft_timer_service_task(), kTimerTaskPriority);
    task_delay(at(4));  // to 17
    EXPECT_TRUE(soft_timer_stop(&timer, kNoWait).ok());
  };
  spawn_fn("task", 2, &task);
  scheduler_start();
  // The start counts from when it was issued (0): due 4, 8, then 12, 16.
  EXPECT_EQ(log, (std::vector<std::string>{"t@10", "t@10", "t@12", "t@16"}));
}

TEST_F(TimerHost, TheServiceTaskOnlyWakesForExpiries) {
  SoftTimer timer;
  ASSERT_TRUE(soft_timer_init(&timer, make("t", 100, TimerMode::kPeriodic, &log)).ok());
  auto task = [&] {
    EXPECT_TRUE(soft_timer_start(&timer, kNoWait).ok());
    task_delay(at(1000));
    EXPECT_TRUE(soft_timer_stop(&timer, kNoWait).ok());
  };
  spawn_fn("task", 1, &task);
  scheduler_start();
  EXPECT_EQ(log.size(), 10u);
  EXPECT_EQ(host::timer_interrupts(), 10u);  // one per expiry, nothing else
}

TEST_F(TimerHost, AllTasksBlockedWithADormantTimerStopsTheHostScheduler) {
  SoftTimer timer;
  ASSERT_TRUE(soft_timer_init(&timer, make("t", 3, TimerMode::kOneShot, &log)).ok());
  auto task = [&] {
    EXPECT_TRUE(soft_timer_start(&timer, kNoWait).ok());
    task_suspend(nullptr);
  };
  spawn_fn("task", 1, &task);
  EXPECT_EQ(scheduler_start(), StopReason::kAllTasksBlocked);
  EXPECT_EQ(log, (std::vector<std::string>{"t@3"}));
}

TEST_F(TimerHost, BlockingWithTheSchedulerLockedIsRefused) {
  SoftTimer timer;
  ASSERT_TRUE(soft_timer_init(&timer, make("t", 3, TimerMode::kOneShot, &log)).ok());
  Status locked = ok();
  auto task = [&] {
    task_suspend(soft_timer_service_task());
    for (size_t i = 0; i < kTimerQueueLength; ++i)
      EXPECT_TRUE(soft_timer_start(&timer, kNoWait).ok());
    scheduler_lock();
    locked = soft_timer_stop(&timer, at(5));
    scheduler_unlock();
    task_resume(soft_timer_service_task());
  };
  spawn_fn("task", 1, &task);
  scheduler_start();
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, Errc::kInvalid);
  EXPECT_STREQ(locked.error().message, "soft timer: cannot block with the scheduler locked");
}

TEST_F(TimerHost, HeapExhaustion) {
  alignas(64) static unsigned char tiny[256];
  heap_init(tiny, sizeof tiny);
  while (heap_alloc(16) != nullptr) {
  }
  auto t = soft_timer_create(make("t", 1, TimerMode::kOneShot, &log));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::kNoMemory);
  auto sb = stream_buffer_create(1024);
  ASSERT_FALSE(sb.ok());
  EXPECT_EQ(sb.error().code, Errc::kNoMemory);
  auto mb = message_buffer_create(1024);
  ASSERT_FALSE(mb.ok());
  EXPECT_EQ(mb.error().code, Errc::kNoMemory);
  // Static timers need no heap, nor does the service task.
  SoftTimer fixed;
  EXPECT_TRUE(soft_timer_init(&fixed, make("f", 1, TimerMode::kOneShot, &log)).ok());
  EXPECT_NE(soft_timer_service_task(), nullptr);
}

TEST_F(TimerHost, CreatingATimerInAnIsrIsRefused) {
  Result<SoftTimer*> r = Error{Errc::kIo, "not called"};
  SoftTimer storage;
  Result<SoftTimer*> s = Error{Errc::kIo, "not called"};
  auto isr = [&] {
    r = soft_timer_create(make("t", 1, TimerMode::kOneShot, &log));
    s = soft_timer_init(&storage, make("t", 1, TimerMode::kOneShot, &log));
  };
  auto task = [&] { raise(kIrqTimer, &isr); };
  spawn_fn("task", 1, &task);
  scheduler_start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInvalid);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalid);
}

TEST_F(TimerHost, TheModuleResetsWithTheKernel) {
  SoftTimer timer;
  ASSERT_TRUE(soft_timer_init(&timer, make("t", 3, TimerMode::kOneShot, &log)).ok());
  EXPECT_NE(soft_timer_service_task(), nullptr);
  kernel_reset();
  soft_timer_reset_module();
  EXPECT_EQ(soft_timer_service_task(), nullptr);
  EXPECT_FALSE(soft_timer_is_active(&timer));
  // The old timer is forgotten: its storage can hold a new one.
  EXPECT_TRUE(soft_timer_init(&timer, make("t", 3, TimerMode::kOneShot, &log)).ok());
  auto task = [&] {
    EXPECT_TRUE(soft_timer_start(&timer, kNoWait).ok());
    task_delay(at(5));
  };
  spawn_fn("task", 1, &task);
  EXPECT_EQ(scheduler_start(), StopReason::kNoTasks);
  EXPECT_EQ(log, (std::vector<std::string>{"t@3"}));
}

// The fixture's SetUp resets only the kernel here, as a kernel_reset()
// that does not know about timers would.
using TimerNoModuleReset = KernelTest;

TEST_F(TimerNoModuleReset, AKernelResetIsNoticedWithoutTheModuleReset) {
  for (int round = 0; round < 2; ++round) {
    SoftTimer timer;
    ASSERT_TRUE(soft_timer_init(&timer, make("t", 3, TimerMode::kOneShot, &log)).ok());
    // A new service task, known to the new kernel.
    EXPECT_EQ(task_find("timer service"), soft_timer_service_task());
    auto task = [&] {
      EXPECT_TRUE(soft_timer_start(&timer, kNoWait).ok());
      task_delay(at(5));
    };
    spawn_fn("task", 1, &task);
    EXPECT_EQ(scheduler_start(), StopReason::kNoTasks);
    host::reset();  // kernel_reset() without soft_timer_reset_module()
  }
  EXPECT_EQ(log, (std::vector<std::string>{"t@3", "t@3"}));
}

using TimerHostDeath = TimerHost;

TEST_F(TimerHostDeath, ResettingTheModuleWhileTheSchedulerRunsIsFatal) {
  EXPECT_DEATH(
      {
        auto task = [&] { soft_timer_reset_module(); };
        spawn_fn("task", 1, &task);
        scheduler_start();
      },
      "soft_timer_reset_module while the scheduler runs");
}

// --- stream and message buffers from interrupt handlers ---

TEST_F(TimerHost, StreamSendFromIsrWakesTheReaderAtTheTriggerLevel) {
  StreamBuffer sb;
  uint8_t storage[16];
  ASSERT_TRUE(stream_buffer_init(&sb, storage, sizeof storage, 4).ok());
  std::vector<bool> woken;
  auto isr = [&] {
    bool w = false;
    EXPECT_EQ(stream_buffer_send_from_isr(&sb, "ab", 2, &w).value_or(0), 2u);
    woken.push_back(w);
    note("isr");
  };
  auto reader = [&] {
    uint8_t buf[16];
    auto r = stream_buffer_receive(&sb, buf, sizeof buf, kForever);
    note("reader got " + std::to_string(r.value_or(0)));
  };
  auto task = [&] {
    spawn_fn("reader", 3, &reader);  // blocks: empty
    raise(kIrqStream, &isr);         // 2 < 4: the reader sleeps on
    note("task");
    raise(kIrqStream, &isr);  // 4: the reader runs at interrupt exit
    note("task again");
  };
  spawn_fn("task", 1, &task);
  scheduler_start();
  EXPECT_EQ(woken, (std::vector<bool>{false, true}));
  EXPECT_EQ(log, (std::vector<std::string>{"isr", "task", "isr", "reader got 4", "task again"}));
}

TEST_F(TimerHost, StreamReceiveFromIsrWakesTheWriter) {
  StreamBuffer sb;
  uint8_t storage[4];
  ASSERT_TRUE(stream_buffer_init(&sb, storage, sizeof storage).ok());
  ASSERT_EQ(stream_buffer_send(&sb, "full", 4, kNoWait).value_or(0), 4u);
  bool woken = false;
  std::string got;
  auto isr = [&] {
    char buf[4];
    auto r = stream_buffer_receive_from_isr(&sb, buf, 2, &woken);
    got.assign(buf, r.value_or(0));
    note("isr");
  };
  auto writer = [&] {
    auto r = stream_buffer_send(&sb, "xy", 2, kForever);
    note("writer sent " + std::to_string(r.value_or(0)));
  };
  auto task = [&] {
    spawn_fn("writer", 3, &writer);
    raise(kIrqStream, &isr);
    note("task");
  };
  spawn_fn("task", 1, &task);
  scheduler_start();
  EXPECT_TRUE(woken);
  EXPECT_EQ(got, "fu");
  EXPECT_EQ(log, (std::vector<std::string>{"isr", "writer sent 2", "task"}));
  char buf[4];
  ASSERT_EQ(stream_buffer_receive(&sb, buf, 4, kNoWait).value_or(0), 4u);
  EXPECT_EQ(std::string(buf, 4), "llxy");
}

TEST_F(TimerHost, StreamIsrVariantsNeverWait) {
  StreamBuffer sb;
  uint8_t storage[4];
  ASSERT_TRUE(stream_buffer_init(&sb, storage, sizeof storage).ok());
  std::vector<std::string> results;
  auto isr = [&] {
    bool w = true;  // never set to false
    char buf[8];
    auto empty = stream_buffer_receive_from_isr(&sb, buf, sizeof buf, &w);
    results.push_back(empty.ok() ? "ok" : empty.error().message);
    auto partial = stream_buffer_send_from_isr(&sb, "abcdef", 6, &w);
    results.push_back(std::to_string(partial.value_or(0)));
    auto full = stream_buffer_send_from_isr(&sb, "g", 1, &w);
    results.push_back(full.ok() ? "ok" : full.error().message);
    auto blocking = stream_buffer_send(&sb, "g", 1, at(1));
    results.push_back(blocking.ok() ? "ok" : blocking.error().message);
    auto blocking_rx = stream_buffer_receive(&sb, buf, 1, at(1));
    results.push_back(blocking_rx.ok() ? "ok" : blocking_rx.error().message);
    auto no_wait = stream_buffer_receive(&sb, buf, 1, kNoWait);
    results.push_back(std::to_string(no_wait.value_or(0)));
    EXPECT_TRUE(w);
  };
  auto task = [&] { raise(kIrqStream, &isr); };
  spawn_fn("task", 1, &task);
  scheduler_start();
  EXPECT_EQ(results,
            (std::vector<std::string>{"stream buffer: empty", "4", "stream buffer: full",
                                      "stream buffer: cannot block in interrupt context",
                                      "stream buffer: cannot block in interrupt context", "1"}));
}

TEST_F(TimerHost, MessageIsrVariants) {
  MessageBuffer mb;
  uint8_t storage[32];
  ASSERT_TRUE(message_buffer_init(&mb, storage, sizeof storage).ok());
  bool send_woke = false, receive_woke = false;
  std::vector<std::string> results;
  auto isr_send = [&] {
    EXPECT_TRUE(message_buffer_send_from_isr(&mb, "hello", 5, &send_woke).ok());
    // 32 - (8 + 5) = 19 left: a 12-byte message needs 20.
    Status full = message_buffer_send_from_isr(&mb, "0123456789ab", 12, nullptr);
    results.push_back(full.ok() ? "ok" : full.error().message);
  };
  auto isr_receive = [&] {
    char buf[16];
    auto small = message_buffer_receive_from_isr(&mb, buf, 4, nullptr);
    results.push_back(small.ok() ? "ok" : small.error().message);
    auto r = message_buffer_receive_from_isr(&mb, buf, sizeof buf, &receive_woke);
    results.push_back(std::string(buf, r.value_or(0)));
  };
  auto reader = [&] {
    char buf[16];
    auto r = message_buffer_receive(&mb, buf, sizeof buf, kForever);
    note("reader " + std::string(buf, r.value_or(0)));
  };
  auto writer = [&] {
    EXPECT_TRUE(message_buffer_send(&mb, "0123456789abcde", 15, kForever).ok());
    note("writer");
  };
  auto task = [&] {
    spawn_fn("reader", 3, &reader);
    raise(kIrqStream, &isr_send);  // the reader takes "hello" at interrupt exit
    EXPECT_TRUE(message_buffer_send(&mb, "second", 6, kNoWait).ok());
    EXPECT_TRUE(message_buffer_send(&mb, "x", 1, kNoWait).ok());  // 14 + 9 = 23 of 32
    spawn_fn("writer", 3, &writer);                               // needs 23: waits
    raise(kIrqStream, &isr_receive);
    note("task");
  };
  spawn_fn("task", 1, &task);
  scheduler_start();
  EXPECT_TRUE(send_woke);
  EXPECT_TRUE(receive_woke);
  EXPECT_EQ(log, (std::vector<std::string>{"reader hello", "writer", "task"}));
  EXPECT_EQ(results, (std::vector<std::string>{
                         "message buffer: full",
                         "message buffer: the next message is larger than the buffer", "second"}));
}

}  // namespace
}  // namespace petrel::kernel::test
