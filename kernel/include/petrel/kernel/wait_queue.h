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

  // Blocks the running task on this queue (interrupts masked, task context).
  // kNoWait returns kTimeout at once without blocking.
  WakeReason wait(Ticks timeout);

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

 private:
  void insert(Task* task);
  List<Task, WaitTag> waiters_;
};

// The running task is inside a blocking call on `object` for the lifetime
// of this guard (interrupts masked). A task that timed out is off the
// object's wait queue but still inside the call until it runs again; if the
// object is deleted in between, object_deleted() tells the call not to
// touch it.
class BlockingCall {
 public:
  explicit BlockingCall(const void* object);
  ~BlockingCall();
  BlockingCall(const BlockingCall&) = delete;
  BlockingCall& operator=(const BlockingCall&) = delete;
  bool object_deleted() const;

 private:
  Task* self_;
};

// For an object's delete (interrupts masked): every task inside a blocking
// call on `object` sees object_deleted(). O(number of tasks).
void mark_object_deleted(const void* object);

}  // namespace petrel::kernel
