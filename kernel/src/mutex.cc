// Mutexes with priority inheritance (mutex.h).
//
// Design
// ------
// State: a mutex knows its owner and its waiters (a WaitQueue, sorted by
// effective priority, FIFO among equals); a task knows the mutexes it holds
// (Task::held_mutexes, linked through Mutex::next_held) and the one it waits
// for (WaitRecord::mutex). A task really waits for a mutex only while it
// is on that mutex's queue: one that timed out, was aborted or suspended has
// already been taken off it (by the scheduler), so it no longer counts for
// inheritance or deadlock detection even before it runs again.
//
// Invariant, kept by every operation here: each task's effective priority is
//   max(base_priority, priority of the first waiter of each mutex it holds).
// Whenever something it depends on changes, refresh() recomputes the task's
// priority and, if it changed and the task itself waits for a mutex, goes on
// to that mutex's owner, and so on (at most kMutexMaxChain links). A change
// stops propagating at the first task whose priority stays the same. All
// priority changes go through set_effective_priority(), which keeps the
// ready lists and wait queues ordered.
//
// The one delay: a waiter that times out, or is suspended, is taken off the
// queue by the scheduler, which does not name this module; the boost it
// gave is removed by the waiter itself, first thing when it runs again
// (before its mutex_lock returns), or earlier by any refresh of that chain
// (an unlock by its owner, for one). A timed-out waiter is ready at a
// priority at least as high as the boosted owner's, so with time slicing it
// runs at the latest when the owner's slice ends. wait_ended() below
// removes even that delay: the scheduler calls it, through the owner hook
// every mutex installs on its queue (kMutexOwner), where it takes a mutex
// waiter off that queue (see its comment).
//
// A task made owner by a hand-over keeps WaitRecord::mutex pointing at the
// mutex until it runs, and a task that timed out keeps it too: this is how
// mutex_delete finds the tasks that are still inside mutex_lock for that
// mutex but no longer on its queue, and makes their calls fail without
// touching the deleted mutex.
//
// Unlock hands the mutex to the first waiter directly (no convoy, no
// stealing), unless the mutex follows FreeRTOS's rule (WakeRule::
// kWakeAndRetry): then it becomes free and the first waiter is woken, still
// its WaitRecord::mutex still set, to try for it; a task that takes a free mutex
// while others wait inherits from them at once. Deleting a task (release_all,
// through the owner hook) takes it off the queue it waits on and hands over
// every mutex it holds.
//
// Cost: lock and unlock are O(1) when nobody waits; with contention, one
// wait-queue insertion plus O(chain length x mutexes held per task in the
// chain) for inheritance, the chain bounded by kMutexMaxChain. Unlock also
// walks the caller's held list (usually one or two entries). Everything runs
// with interrupts masked (a CriticalSection). mutex_delete also walks the
// list of all tasks once, to find waiters that already timed out but have
// not run yet.
#include "petrel/kernel/mutex.h"

#include <new>

#include "kernel_state.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/trace.h"

namespace petrel::kernel {
namespace {

constexpr Error kErrIsr{Errc::kInvalid, "mutex: cannot be used in interrupt context"};
constexpr BlockingErrors kBlocking{
    kErrIsr, {Errc::kInvalid, "mutex: cannot block with the scheduler locked"}};
constexpr Error kErrInvalid{Errc::kInvalid, "mutex: not initialized or deleted"};

bool valid(const Mutex* m) {
  return m != nullptr && (m->type == MutexType::kNormal || m->type == MutexType::kRecursive);
}

// The mutex `t` really waits for now (on its queue), or nullptr.
Mutex* waiting_for(const Task* t) {
  Mutex* m = t->wait.mutex;
  if (m == nullptr || t->state != TaskState::kBlocked || t->wait.queue != &m->waiters)
    return nullptr;
  return m;
}

Priority inherited(const Task* t) {
  Priority p = 0;
  for (const Mutex* m = t->held_mutexes; m != nullptr; m = m->next_held) {
    const Task* w = m->waiters.first();
    if (w != nullptr && w->priority > p) p = w->priority;
  }
  return p;
}

// Brings t's effective priority up to date and follows the chain of owners
// as long as priorities change.
void refresh(Task* t) {
  for (unsigned link = 0; t != nullptr && link < kMutexMaxChain; ++link) {
    const Priority from_mutexes = inherited(t);
    const Priority p = t->base_priority > from_mutexes ? t->base_priority : from_mutexes;
    if (p == t->priority) return;
    set_effective_priority(t, p);  // repositions t in the queue it waits on
    Mutex* m = waiting_for(t);
    if (m == nullptr) return;
    t = m->owner;
  }
}

// Raises the chain of owners starting at `t` to at least `p` (the caller is
// about to wait with priority p).
void boost(Task* t, Priority p) {
  for (unsigned link = 0; t != nullptr && link < kMutexMaxChain; ++link) {
    if (t->priority >= p) return;
    set_effective_priority(t, p);
    Mutex* m = waiting_for(t);
    if (m == nullptr) return;
    t = m->owner;
  }
}

// Whether `self` waiting for `m` would close a cycle of owners and waiters.
bool would_deadlock(const Mutex* m, const Task* self) {
  const Task* t = m->owner;
  for (unsigned link = 0; t != nullptr && link < kMutexMaxChain; ++link) {
    if (t == self) return true;
    const Mutex* next = waiting_for(t);
    if (next == nullptr) return false;
    t = next->owner;
  }
  return false;
}

void push_held(Task* t, Mutex* m) {
  m->next_held = t->held_mutexes;
  t->held_mutexes = m;
}

void remove_held(Task* t, Mutex* m) {
  for (Mutex** p = &t->held_mutexes; *p != nullptr; p = &(*p)->next_held) {
    if (*p == m) {
      *p = m->next_held;
      m->next_held = nullptr;
      return;
    }
  }
}

void take(Mutex* m, Task* t) {
  trace::mutex_taken(m, t);
  t->owner_hooks = &kMutexOwner;
  m->owner = t;
  m->count = 1;
  push_held(t, m);
}

// `m` has just been taken off its owner's held list: it goes to the first
// waiter (made ready, owning it) or becomes free. With kWakeAndRetry it
// becomes free and the first waiter is woken to try for it.
void hand_over(Mutex* m) {
  Task* w = m->waiters.first();
  if (w == nullptr || m->wake_rule == WakeRule::kWakeAndRetry) {
    m->owner = nullptr;
    m->count = 0;
    // w->wait.mutex stays set until w runs (mutex_delete finds it).
    if (w != nullptr) m->waiters.wake(w, WakeReason::kSignaled);
    return;
  }
  // w->wait.mutex stays set until w runs: if the mutex is deleted in
  // between, mutex_delete finds w and its mutex_lock fails cleanly.
  m->waiters.wake(w, WakeReason::kSignaled);
  take(m, w);
  refresh(w);  // it inherits from the remaining waiters
}

// Takes `t` off the queue of the mutex it waits for (if any) and removes the
// boost it gave along the chain.
void stop_waiting(Task* t) {
  Mutex* m = t->wait.mutex;
  if (m == nullptr) return;
  t->wait.mutex = nullptr;
  if (t->wait.queue == &m->waiters) {
    List<Task, WaitTag>::remove(t);
    t->wait.queue = nullptr;
  }
  if (m->owner != t) refresh(m->owner);  // (t owns m: handed over, not yet run)
}

}  // namespace

Result<Mutex*> mutex_create(MutexType type) {
  if (type != MutexType::kNormal && type != MutexType::kRecursive)
    return Error{Errc::kInvalid, "mutex: invalid type"};
  void* block = heap_alloc(sizeof(Mutex), alignof(Mutex));
  if (block == nullptr) return Error{Errc::kNoMemory, "mutex: heap exhausted"};
  Mutex* m = new (block) Mutex(type);
  m->dynamic = true;
  return m;
}

Status mutex_init(Mutex* m, MutexType type) {
  if (m == nullptr) return Error{Errc::kInvalid, "mutex: no storage"};
  if (type != MutexType::kNormal && type != MutexType::kRecursive)
    return Error{Errc::kInvalid, "mutex: invalid type"};
  new (m) Mutex(type);
  return ok();
}

Status mutex_delete(Mutex* m) {
  if (in_isr()) return kErrIsr;
  bool dynamic;
  {
    CriticalSection cs;
    if (!valid(m)) return kErrInvalid;
    if (Task* owner = m->owner) {
      remove_held(owner, m);
      m->owner = nullptr;
      m->count = 0;
      refresh(owner);
    }
    // Waiters on the queue, and any that already timed out but have not run
    // yet: their mutex_lock must fail without looking at the mutex again.
    List<Task, AllTag>& all = g_kernel.all;
    for (Task* t = all.front(); t != nullptr; t = all.next(t)) {
      if (t->wait.mutex != m) continue;
      t->wait.mutex = nullptr;
      t->wait.detail.mutex_deleted = true;  // its mutex_lock must not touch m
      if (t->wait.queue == &m->waiters) m->waiters.wake(t, WakeReason::kAborted);
    }
    m->type = MutexType::kNone;
    dynamic = m->dynamic;
  }
  if (dynamic) {
    m->~Mutex();
    heap_free(m);
  }
  return ok();
}

Status mutex_lock(Mutex* m, Ticks timeout) {
  if (in_isr()) return kErrIsr;
  const Deadline deadline = Deadline::after(timeout);
  CriticalSection cs;
  trace::op(trace::Kind::kMutexLock, m);
  if (!valid(m)) return kErrInvalid;
  Task* self = g_kernel.current;
  if (self == nullptr)
    return Error{Errc::kInvalid, "mutex: no task (the scheduler is not running)"};
  bool waited = false;
  for (;;) {
    if (m->owner == nullptr) {
      take(m, self);
      // With kWakeAndRetry others may still wait: inherit from them.
      if (!m->waiters.empty()) refresh(self);
      return ok();
    }
    if (m->owner == self) {
      if (m->type != MutexType::kRecursive)
        return Error{Errc::kInvalid, "mutex: deadlock (already held by the caller, not recursive)"};
      if (m->count == UINT32_MAX)
        return Error{Errc::kOutOfRange, "mutex: recursion count overflow"};
      ++m->count;
      return ok();
    }
    const Ticks remaining = deadline.remaining();
    if (remaining == kNoWait) {
      if (waited) return Error{Errc::kTimeout, "mutex: timed out"};
      return Error{Errc::kBusy, "mutex: held by another task"};
    }
    if (would_deadlock(m, self)) return Error{Errc::kInvalid, "mutex: deadlock"};
    if (Status refused = check_may_block(kBlocking); !refused) return refused;

    self->owner_hooks = &kMutexOwner;
    self->wait.mutex = m;
    self->wait.detail.mutex_deleted = false;
    boost(m->owner, self->priority);  // the queue will hold self at this priority
    const WakeReason reason = m->waiters.wait_until(deadline.at());
    waited = true;
    if (self->wait.detail.mutex_deleted) {  // m may be gone: do not touch it
      self->wait.detail.mutex_deleted = false;
      return Error{Errc::kNotFound, "mutex: deleted while waiting"};
    }
    if (m->owner == self) {  // handed over by an unlock or the owner's deletion
      self->wait.mutex = nullptr;
      return ok();
    }
    // Woken to try again (kWakeAndRetry: the mutex is free, or another task
    // took it first), or timed out, aborted or suspended: off the queue.
    stop_waiting(self);
    // FreeRTOS's rule also keeps waiting, for the time left, after the task
    // was suspended and resumed; only task_abort_delay ends the wait.
    if (reason == WakeReason::kAborted &&
        !(m->wake_rule == WakeRule::kWakeAndRetry && self->wait.suspended))
      return Error{Errc::kTimeout, "mutex: wait aborted"};
  }
}

void mutex_set_wake_rule(Mutex* m, WakeRule rule) {
  CriticalSection cs;
  if (m != nullptr) m->wake_rule = rule;
}

Status mutex_try_lock(Mutex* m) {
  return mutex_lock(m, kNoWait);
}

Status mutex_unlock(Mutex* m) {
  if (in_isr()) return kErrIsr;
  CriticalSection cs;
  if (!valid(m)) return kErrInvalid;
  Task* self = g_kernel.current;
  if (self == nullptr || m->owner != self)
    return Error{Errc::kPermission, "mutex: unlocked by a task that does not hold it"};
  if (--m->count > 0) return ok();  // recursive, still held
  trace::op(trace::Kind::kMutexUnlock, m);
  remove_held(self, m);
  hand_over(m);
  refresh(self);  // drops to what its base and remaining mutexes justify
  return ok();
}

Task* mutex_owner(const Mutex* m) {
  CriticalSection cs;
  return valid(m) ? m->owner : nullptr;
}

uint32_t mutex_lock_count(const Mutex* m) {
  CriticalSection cs;
  return valid(m) ? m->count : 0;
}

namespace {

// The owner hooks (wait_queue.h), interrupts masked.

// task_set_priority calls it right after it stored the new base priority:
// besides answering, it brings `t` up to date and propagates the change to
// the owners of the mutex `t` waits for, so the set_effective_priority that
// task_set_priority does next finds nothing left to change.
Priority inherited_priority(Task* t) {
  refresh(t);
  return inherited(t);
}

// `t`, which waited for a mutex, has just been taken off that mutex's queue
// without a hand-over (its timeout passed, it was suspended or aborted).
// Removes the boost it gave along the chain at once instead of when `t` runs
// again. Idempotent; `t` keeps WaitRecord::mutex until its mutex_lock returns.
void wait_ended(Task* t) {
  Mutex* m = t->wait.mutex;
  if (m != nullptr && m->owner != t && t->wait.queue != &m->waiters) refresh(m->owner);
}

// task_delete, before the task leaves its lists.
void release_all(Task* t) {
  stop_waiting(t);
  while (Mutex* m = t->held_mutexes) {
    t->held_mutexes = m->next_held;
    m->next_held = nullptr;
    hand_over(m);
  }
}

}  // namespace

constinit const WaitQueueOwner kMutexOwner{wait_ended, inherited_priority, release_all};

}  // namespace petrel::kernel
