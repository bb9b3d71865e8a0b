// The blocking rule (sched.h), the same for every primitive: a call that
// would block with the scheduler locked, or that asks to wait in interrupt
// context, fails with Errc::kInvalid and its object's message, without
// blocking and without a panic; with the scheduler locked, a call that
// completes at once still succeeds. (Soft timer commands: timer_host_test.)
#include <string>

#include "kernel_fixture.h"
#include "petrel/kernel/event_group.h"
#include "petrel/kernel/mutex.h"
#include "petrel/kernel/notify.h"
#include "petrel/kernel/queue.h"
#include "petrel/kernel/semaphore.h"
#include "petrel/kernel/stream_buffer.h"

namespace petrel::kernel::test {
namespace {

constexpr uint32_t kIrq = 170;  // this file's interrupt ID

using BlockingRule = KernelTest;

template <typename R>
bool refused(const R& r, const char* message) {
  return !r.ok() && r.error().code == Errc::kInvalid && std::string(r.error().message) == message;
}

TEST_F(BlockingRule, WithTheSchedulerLockedACallThatWouldBlockFails) {
  Queue* q = *queue_create(1, sizeof(uint32_t));
  Semaphore* s = *semaphore_create_binary();
  EventGroup* g = *event_group_create();
  StreamBuffer* sb = *stream_buffer_create(16);
  static Mutex m{MutexType::kNormal};
  ASSERT_TRUE(mutex_init(&m).ok());
  bool done = false;
  auto holder = [&] {
    EXPECT_TRUE(mutex_lock(&m).ok());
    task_delay(Ticks{10});
    EXPECT_TRUE(mutex_unlock(&m).ok());
  };
  auto t = [&] {
    task_delay(Ticks{1});  // the holder has the mutex
    const Ticks start = tick_count();
    scheduler_lock();
    uint32_t v = 0;
    uint8_t byte = 0;
    EXPECT_TRUE(
        refused(queue_receive(q, &v, Ticks{5}), "queue: cannot block with the scheduler locked"));
    EXPECT_TRUE(
        refused(semaphore_take(s, kForever), "semaphore: cannot block with the scheduler locked"));
    EXPECT_TRUE(refused(event_group_wait_bits(g, 1, 0, Ticks{5}),
                        "event group: cannot block with the scheduler locked"));
    EXPECT_TRUE(
        refused(notify_take(0, true, Ticks{5}), "notify: cannot block with the scheduler locked"));
    EXPECT_TRUE(refused(notify_wait(0, 0, 0, nullptr, Ticks{5}),
                        "notify: cannot block with the scheduler locked"));
    EXPECT_TRUE(refused(mutex_lock(&m, Ticks{5}), "mutex: cannot block with the scheduler locked"));
    EXPECT_TRUE(refused(stream_buffer_receive(sb, &byte, 1, Ticks{5}),
                        "stream buffer: cannot block with the scheduler locked"));
    // What completes at once still does.
    v = 7;
    EXPECT_TRUE(queue_send_back(q, &v, Ticks{5}).ok());
    v = 0;
    EXPECT_TRUE(queue_receive(q, &v, Ticks{5}).ok());
    EXPECT_EQ(v, 7u);
    EXPECT_TRUE(semaphore_give(s).ok());
    EXPECT_TRUE(semaphore_take(s, kForever).ok());
    EXPECT_TRUE(event_group_set_bits(g, 1).ok());
    EXPECT_TRUE(event_group_wait_bits(g, 1, kEventClearOnExit, Ticks{5}).ok());
    EXPECT_TRUE(notify_give(task_current(), 0).ok());
    EXPECT_EQ(*notify_take(0, true, Ticks{5}), 1u);
    EXPECT_TRUE(stream_buffer_send(sb, "x", 1, Ticks{5}).ok());
    EXPECT_EQ(*stream_buffer_receive(sb, &byte, 1, Ticks{5}), 1u);
    // kNoWait is never refused.
    EXPECT_EQ(queue_receive(q, &v, kNoWait).error().code, Errc::kBusy);
    EXPECT_EQ(semaphore_take(s, kNoWait).error().code, Errc::kBusy);
    EXPECT_EQ(tick_count(), start) << "nothing waited";
    scheduler_unlock();
    done = true;
  };
  spawn_fn("holder", 1, &holder);
  spawn_fn("t", 2, &t);
  scheduler_start();
  EXPECT_TRUE(done);
  queue_delete(q);
  semaphore_delete(s);
  event_group_delete(g);
  ASSERT_TRUE(stream_buffer_delete(sb).ok());
}

// A wait whose deadline passes just before the task would block (the
// counter crosses a tick boundary between the call's readings of it) is
// still a wait, on a deadline already gone: with the scheduler locked it is
// refused like any other, not made (it was a panic, in the wait itself).
TEST_F(BlockingRule, WithTheSchedulerLockedAWaitWhoseDeadlineJustPassedFails) {
  Queue* q = *queue_create(1, sizeof(uint32_t));
  Semaphore* s = *semaphore_create_binary();
  bool done = false;
  auto t = [&] {
    scheduler_lock();
    host::set_drift_per_read(kCounterPerTick);  // a tick more at every reading
    uint32_t v = 0;
    EXPECT_TRUE(
        refused(queue_receive(q, &v, Ticks{1}), "queue: cannot block with the scheduler locked"));
    EXPECT_TRUE(
        refused(semaphore_take(s, Ticks{1}), "semaphore: cannot block with the scheduler locked"));
    host::set_drift_per_read(0);
    scheduler_unlock();
    done = true;
  };
  spawn_fn("t", 2, &t);
  scheduler_start();
  EXPECT_TRUE(done);
  queue_delete(q);
  semaphore_delete(s);
}

TEST_F(BlockingRule, InInterruptContextAWaitIsRefusedUpFront) {
  static Queue* q;
  static Semaphore* s;
  static EventGroup* g;
  static StreamBuffer* sb;
  static int checks;
  q = *queue_create(1, sizeof(uint32_t));
  s = *semaphore_create_binary();
  g = *event_group_create();
  sb = *stream_buffer_create(16);
  checks = 0;
  ASSERT_TRUE(arch::irq_register(
                  kIrq,
                  [](uint32_t, void*) {
                    uint32_t v = 1;
                    uint8_t byte = 0;
                    // Refused even where the call could complete at once.
                    EXPECT_TRUE(refused(queue_send_back(q, &v, Ticks{1}),
                                        "queue: cannot block in interrupt context"));
                    EXPECT_TRUE(refused(semaphore_take(s, Ticks{1}),
                                        "semaphore: cannot block in interrupt context"));
                    EXPECT_TRUE(refused(event_group_wait_bits(g, 1, 0, Ticks{1}),
                                        "event group: cannot block in interrupt context"));
                    EXPECT_TRUE(refused(notify_take(0, true, Ticks{1}),
                                        "notify: cannot block in interrupt context"));
                    EXPECT_TRUE(refused(stream_buffer_receive(sb, &byte, 1, Ticks{1}),
                                        "stream buffer: cannot block in interrupt context"));
                    ++checks;
                  },
                  nullptr)
                  .ok());
  auto t = [&] { host::raise_interrupt(kIrq); };
  spawn_fn("t", 1, &t);
  scheduler_start();
  EXPECT_EQ(checks, 1);
  queue_delete(q);
  semaphore_delete(s);
  event_group_delete(g);
  ASSERT_TRUE(stream_buffer_delete(sb).ok());
}

}  // namespace
}  // namespace petrel::kernel::test
