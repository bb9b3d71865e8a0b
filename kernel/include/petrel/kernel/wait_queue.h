// WaitQueue: the tasks blocked on one kernel object, highest priority first
// (FIFO among equals). Every blocking primitive is built on it.
#pragma once

#include "petrel/kernel/list.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/task.h"

namespace petrel::kernel {

// How a queue, semaphore or mutex wakes the tasks blocked on it, chosen per
// object (queue_set_wake_rule, semaphore_set_wake_rule, mutex_set_wake_rule):
//   kHandOver (the default): the operation that makes a blocked request
//     possible completes it for the first waiter (the item copied, the unit
//     or the mutex given to it) and wakes it; its call has then succeeded,
//     and no task can take what it was given in between.
//   kWakeAndRetry (FreeRTOS's rule, set by the FreeRTOS layer): that
//     operation only wakes the first waiter, which tries again when it runs;
//     a task that ran first may have taken the item, unit or mutex, and the
//     woken task then waits again for the time it has left.
enum class WakeRule : uint8_t { kHandOver, kWakeAndRetry };

class WaitQueue {
 public:
  constexpr WaitQueue() = default;

  // Blocks the running task on this queue (interrupts masked, task context)
  // until it is woken or the tick `wake_tick` comes (kForever: no timeout).
  // A deadline, not a timeout: the counter moves while interrupts are
  // masked, so a timeout worked out from a deadline and added to the tick
  // count read again here could end one tick late.
  WakeReason wait_until(Ticks wake_tick);

  // Wakes the first waiter with `reason`; returns it, or nullptr.
  Task* wake_one(WakeReason reason = WakeReason::kSignaled);
  // Wakes every waiter; returns how many.
  size_t wake_all(WakeReason reason = WakeReason::kSignaled);
  // Removes `task` (which waits here) and makes it ready with `reason`.
  void wake(Task* task, WakeReason reason);

  bool empty() const { return waiters_.empty(); }
  Task* first() const { return waiters_.front(); }
  Task* next(const Task* t) const { return waiters_.next(t); }
  size_t size() const { return waiters_.size(); }

  // Keeps the order right after a waiter's priority changed.
  void reposition(Task* task);

  // The scheduler's block path (wait_until): `task` joins the queue in its
  // place (priority order, FIFO among equals). Always inline: the block path
  // is inlined into the hot calls (kernel/src/switch_core.h), and a call here
  // would cost about a tenth of a block.
  [[gnu::always_inline]] void insert(Task* task) {
    waiters_.insert_sorted(task,
                           [](const Task* a, const Task* b) { return a->priority > b->priority; });
  }

 private:
  List<Task, WaitTag> waiters_;
};

// The owner hook of a wait queue whose object a task owns (a mutex), as
// Zircon's OwnedWaitQueue: priority inheritance lives with the queue, and the
// scheduler and the task code reach it only through these hooks, never
// naming the primitive. Queues without an owner (semaphores, queues, event
// groups) pay one null test where a waiter leaves without being granted.
// Every hook runs with interrupts masked, in task or interrupt context.
struct WaitQueueOwner {
  // `task` was taken off a queue with this hook without being granted what it
  // waited for (timeout, suspension, abort): the priority it lent stops
  // boosting the owner chain. Idempotent.
  void (*wait_ended)(Task* task);
  // What `task` inherits from the objects it owns; brings `task` and the
  // owner chain it waits in up to date first (task_set_priority).
  Priority (*inherited_priority)(Task* task);
  // `task` is being deleted: ends its wait and gives up all it owns.
  void (*release_all)(Task* task);
};

// A wait queue whose object a task owns: it carries the owner hook, and a
// task blocked on it carries that hook too (WaitRecord::owner), so the
// scheduler can call it without knowing the queue's kind. Plain queues stay
// two pointers and pay one null test.
class OwnedWaitQueue : public WaitQueue {
 public:
  constexpr explicit OwnedWaitQueue(const WaitQueueOwner* owner) : owner_(owner) {}

  // As WaitQueue::wait_until, with the running task carrying the owner hook
  // for the length of the wait.
  WakeReason wait_until(Ticks wake_tick);

  const WaitQueueOwner* owner() const { return owner_; }

 private:
  const WaitQueueOwner* owner_;
};

// For the scheduler and the task code (interrupts masked): `task` has just
// been taken off the queue it waited on without being granted; tells that
// queue's owner hook, if it has one.
inline void owner_wait_ended(Task* task) {
  if (task->wait.owner != nullptr) task->wait.owner->wait_ended(task);
}

// The running task `self` enters a blocking call on `object`, or ends it
// (interrupts masked). A task that timed out is off the object's wait queue
// but still inside the call until it runs again; if the object is deleted in
// between, WaitRecord::call_object_deleted tells the call not to touch it.
// The semaphore's take and the queue's block write these two out around
// their waits; BlockingCall is the guard every other call uses (kept in
// memory across the switch by GCC, it cost those round trips a stack slot, a
// reload and a null test).
inline void call_enter(Task* self, const void* object) {
  self->wait.call_object = object;
  self->wait.call_object_deleted = false;
}
inline void call_end(Task* self) {
  self->wait.call_object = nullptr;
}

// The running task, if any, is inside a blocking call on `object` for the
// lifetime of this guard (call_enter, call_end).
class BlockingCall {
 public:
  explicit BlockingCall(const void* object);
  ~BlockingCall() {
    if (self_ != nullptr) call_end(self_);
  }
  BlockingCall(const BlockingCall&) = delete;
  BlockingCall& operator=(const BlockingCall&) = delete;
  bool object_deleted() const { return self_ != nullptr && self_->wait.call_object_deleted; }

 private:
  Task* self_;
};

// For an object's delete (interrupts masked): every task inside a blocking
// call on `object` sees object_deleted(). O(number of tasks).
void mark_object_deleted(const void* object);

}  // namespace petrel::kernel
