// Semaphores (semaphore.h).
//
// Design
// ------
// A count, a maximum and one WaitQueue of blocked takers, which is only
// ever non-empty while the count is 0. give hands the unit over: with a
// taker waiting it wakes that taker with WakeReason::kGranted, leaving the
// count at 0; the taker's call returns success as soon as it sees that
// reason, without looking at the semaphore again. So no task can take the
// unit between the give and the woken taker running, wake order is exactly
// priority then FIFO, and a task can only take a positive count when nobody
// waits. A taker deleted while it waits is simply off the wait queue.
//
// With WakeRule::kWakeAndRetry (FreeRTOS's rule) give raises the count and
// only wakes the first taker, which takes a unit when it runs if one is
// still there and otherwise waits again for the time left.
//
// A semaphore in a queue set (set_link.set) follows kWakeAndRetry whatever
// its rule, so every unit given is counted, and each give first posts the
// semaphore's tag to the set (queue_set.cc), in the same critical section;
// a full set fails the give. A semaphore in no set pays one test of the
// link per give (in retries() under kHandOver, before the post under
// kWakeAndRetry).
//
// A wait ends with kGranted (success), or else: the semaphore deleted (the
// BlockingCall says so; nothing of it is touched), kTimeout (the deadline
// passed: the count is looked at once more, then the call times out),
// kSignaled (kWakeAndRetry: try again) or kAborted (task_abort_delay,
// suspension).
//
// Cost: take and give are O(1): no heap, no loop over tasks, no time
// reading unless a take blocks with a finite timeout. Each runs entirely
// with interrupts masked (CriticalSection); delete wakes every waiter.
#include "petrel/kernel/semaphore.h"

#include <new>

#include "kernel_state.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/kernel/trace.h"
#include "queue_set_hooks.h"
#include "switch_core.h"

namespace petrel::kernel {
namespace {

constexpr Error kNotInitialized{Errc::kInvalid, "semaphore: not initialized or deleted"};
constexpr BlockingErrors kBlocking{
    {Errc::kInvalid, "semaphore: cannot block in interrupt context"},
    {Errc::kInvalid, "semaphore: cannot block with the scheduler locked"}};
constexpr Error kNoTask{Errc::kInvalid, "semaphore: cannot block before the scheduler starts"};
constexpr Error kNotAvailable{Errc::kBusy, "semaphore: not available"};
constexpr Error kTimedOut{Errc::kTimeout, "semaphore: timed out"};
constexpr Error kAbortedErr{Errc::kTimeout, "semaphore: wait aborted"};
constexpr Error kDeletedErr{Errc::kNotFound, "semaphore: deleted while waiting"};
constexpr Error kAtMax{Errc::kOutOfRange, "semaphore: already at its maximum count"};

bool usable(const Semaphore* s) {
  return s != nullptr && s->max_count != 0;
}

// FreeRTOS's rule: chosen for the semaphore, or implied by membership of a
// queue set.
bool retries(const Semaphore* s) {
  return s->wake_rule == WakeRule::kWakeAndRetry || s->set_link.set != nullptr;
}

Status give(Semaphore* s, bool* higher_priority_woken);

// A taker that was given the semaphore is deleted before it ran: the unit
// goes to the next taker or back to the count.
void give_back(Task* t) {
  (void)give(static_cast<Semaphore*>(const_cast<void*>(t->wait.call_object)), nullptr);
}

void note_woken(const Task* t, bool* higher_priority_woken) {
  const Task* cur = task_current();
  if (higher_priority_woken != nullptr && cur != nullptr && t->priority > cur->priority)
    *higher_priority_woken = true;
}

// kHandOver: the unit goes straight to the first taker `t`, which wakes with
// its call done.
void hand_over(Semaphore* s, Task* t) {
  t->wait.undo_handoff = give_back;
  s->takers.wake(t, WakeReason::kGranted);
}

// Interrupts masked. Sets *higher_priority_woken when a woken taker outranks
// the running task.
Status give(Semaphore* s, bool* higher_priority_woken) {
  if (!usable(s)) return kNotInitialized;
  if (retries(s)) {
    // The unit goes to the count; the first taker tries for it when it runs.
    if (s->count == s->max_count) return kAtMax;
    if (s->set_link.set != nullptr) {
      bool higher = false;
      if (!queue_set_post(s->set_link, &higher)) return kQueueSetFull;
      if (higher && higher_priority_woken != nullptr) *higher_priority_woken = true;
    }
    ++s->count;
    if (Task* t = s->takers.first()) {
      s->takers.wake(t, WakeReason::kSignaled);
      note_woken(t, higher_priority_woken);
    }
    return ok();
  }
  if (Task* t = s->takers.first()) {
    hand_over(s, t);
    note_woken(t, higher_priority_woken);
    return ok();
  }
  if (s->count == s->max_count) return kAtMax;
  ++s->count;
  return ok();
}

Status check_counts(uint32_t max_count, uint32_t initial_count) {
  if (max_count == 0) return Error{Errc::kInvalid, "semaphore: maximum count 0"};
  if (initial_count > max_count)
    return Error{Errc::kOutOfRange, "semaphore: initial count above the maximum"};
  return ok();
}

Semaphore* init(Semaphore* s, uint32_t max_count, uint32_t initial_count, bool dynamic) {
  new (s) Semaphore();
  s->count = initial_count;
  s->dynamic = dynamic;
  s->max_count = max_count;  // last: marks it usable
  return s;
}

}  // namespace

Result<Semaphore*> semaphore_create_counting(uint32_t max_count, uint32_t initial_count) {
  Status st = check_counts(max_count, initial_count);
  if (!st) return st.error();
  void* block = heap_alloc(sizeof(Semaphore), alignof(Semaphore));
  if (block == nullptr) return Error{Errc::kNoMemory, "semaphore: heap exhausted"};
  return init(static_cast<Semaphore*>(block), max_count, initial_count, true);
}

Result<Semaphore*> semaphore_create_binary() {
  return semaphore_create_counting(1, 0);
}

Result<Semaphore*> semaphore_create_static(Semaphore* storage, uint32_t max_count,
                                           uint32_t initial_count) {
  Status st = check_counts(max_count, initial_count);
  if (!st) return st.error();
  if (storage == nullptr) return Error{Errc::kInvalid, "semaphore: no storage"};
  return init(storage, max_count, initial_count, false);
}

void semaphore_delete(Semaphore* s) {
  CriticalSection cs;
  if (!usable(s)) return;
  queue_set_leave(s->set_link);
  while (Task* t = s->takers.first()) s->takers.wake(t, WakeReason::kAborted);
  mark_object_deleted(s);  // the woken takers, and those that timed out but have not run yet
  s->max_count = 0;
  s->count = 0;
  // The woken tasks run after this critical section and touch nothing of s.
  if (s->dynamic) heap_free(s);
}

namespace {

// A take whose wait ended with `r`, not kGranted: the running task is still
// inside its call on the semaphore (call_enter, wait_queue.h), with the
// deadline `at`; the caller ends the call. Out of line, so that the first
// wait's path keeps nothing but the interrupt mask across the switch.
[[gnu::noinline]] Status take_retry(WakeReason r, Ticks at) {
  Task* self = task_current();
  auto* s = static_cast<Semaphore*>(const_cast<void*>(self->wait.call_object));
  for (;;) {
    if (self->wait.call_object_deleted) return kDeletedErr;
    // FreeRTOS's rule also keeps waiting, for the time left, after the task
    // was suspended and resumed; only task_abort_delay ends the wait.
    if (r == WakeReason::kAborted && !(retries(s) && self->wait.suspended)) return kAbortedErr;
    // Woken to try again (kWakeAndRetry), or timed out: a give may have
    // raised the count since the wake-up, or another task taken the unit.
    if (s->count > 0) {
      --s->count;
      return ok();
    }
    if (at != kForever && at <= tick_count()) return kTimedOut;
    if (scheduler_locked()) return kBlocking.locked;
    r = s->takers.wait_until(at);
    if (r == WakeReason::kGranted) {
      self->wait.undo_handoff = nullptr;  // running again: the unit is ours
      return ok();
    }
  }
}

// semaphore_take, with its block inline (kInlineBlock: the hot path of a
// round trip, switch_core.h) or through the shared block_running.
template <bool kInlineBlock>
[[gnu::always_inline]] inline Status take(Semaphore* s, Ticks timeout) {
  if (Status refused = check_wait_context(timeout, kBlocking); !refused) return refused;
  HotCriticalSection cs;
  trace::op(trace::Kind::kSemTake, s);
  if (!usable(s)) return kNotInitialized;
  if (s->count > 0) {
    --s->count;
    return ok();
  }
  if (timeout == kNoWait) return kNotAvailable;
  Task* self = task_current();
  if (self == nullptr) return kNoTask;
  // It would wait (timeout is not kNoWait): the blocking rule, interrupt
  // context having been refused up front.
  if (scheduler_locked()) return kBlocking.locked;
  const Ticks at = Deadline::after(timeout).at();
  // The common case, straight from "the count is 0" to the switch and back:
  // a give handed the unit over (kGranted), nothing more to look at.
  // Inside the call for the length of the wait (call_enter, wait_queue.h;
  // a BlockingCall guard cost 4 instructions a take on AArch32 and 1 on
  // AArch64). Every return below ends the call.
  call_enter(self, s);
  const WakeReason r =
      kInlineBlock ? block_running_inline(self, &s->takers, at) : s->takers.wait_until(at);
  if (r == WakeReason::kGranted) [[likely]] {
    self->wait.undo_handoff = nullptr;  // running again: the unit is ours
    call_end(self);
    return ok();
  }
  // FreeRTOS's rule: woken to try again, and the unit is there (no task ran
  // in between and took it), as take_retry's first pass would find it. The
  // semaphore read back from the wait record, where the call keeps it: `s`
  // kept across the wait would cost the hand-over's path a register.
  if (r == WakeReason::kSignaled && !self->wait.call_object_deleted) {
    auto* again = static_cast<Semaphore*>(const_cast<void*>(self->wait.call_object));
    if (again->count > 0) {
      --again->count;
      call_end(self);
      return ok();
    }
  }
  const Status st = take_retry(r, at);
  call_end(self);
  return st;
}

}  // namespace

Status semaphore_take(Semaphore* s, Ticks timeout) {
  return take<true>(s, timeout);
}

Status semaphore_take_compact(Semaphore* s, Ticks timeout) {
  return take<false>(s, timeout);
}

void semaphore_set_wake_rule(Semaphore* s, WakeRule rule) {
  CriticalSection cs;
  if (s != nullptr) s->wake_rule = rule;
}

namespace {

// The gives of a ping-pong, inline in both forms of the call (a semaphore
// in no queue set): the unit handed to a waiting taker, or (FreeRTOS's
// rule) counted and the first taker woken, with one inline wake-up for
// both, in a HotCriticalSection of their own. Returns false, having done
// nothing, for any other case: give_general's.
[[gnu::always_inline]] inline bool gave_at_once(Semaphore* s) {
  HotCriticalSection cs;
  if (!usable(s) || s->set_link.set != nullptr) return false;
  Task* t = s->takers.first();
  const bool hands_over = s->wake_rule == WakeRule::kHandOver;
  if (hands_over ? t == nullptr : s->count == s->max_count) return false;
  trace::op(trace::Kind::kSemGive, s);
  if (hands_over) {
    t->wait.undo_handoff = give_back;
  } else {
    ++s->count;
    if (t == nullptr) return true;
  }
  (void)wake_waiter(t, hands_over ? WakeReason::kGranted : WakeReason::kSignaled);
  return true;
}

// Every other give (none waiting under kHandOver, a member of a queue set,
// an error), from the start: out of line, so the inline path's only call is
// a tail call.
[[gnu::noinline]] Status give_general(Semaphore* s) {
  CriticalSection cs;
  trace::op(trace::Kind::kSemGive, s);
  return give(s, nullptr);
}

}  // namespace

Status semaphore_give(Semaphore* s) {
  if (gave_at_once(s)) [[likely]]
    return ok();
  return give_general(s);
}

bool semaphore_take_timed_passed(Semaphore* s, Ticks timeout) {
  return take<true>(s, timeout).ok();
}

bool semaphore_take_forever_passed(Semaphore* s) {
  return take<true>(s, kForever).ok();
}

bool semaphore_give_passed(Semaphore* s) {
  if (gave_at_once(s)) [[likely]]
    return true;
  return give_general(s).ok();
}

Status semaphore_take_from_isr(Semaphore* s, bool* higher_priority_woken) {
  (void)higher_priority_woken;  // a take wakes no one
  return semaphore_take(s, kNoWait);
}

Status semaphore_give_from_isr(Semaphore* s, bool* higher_priority_woken) {
  CriticalSection cs;
  trace::op(trace::Kind::kSemGive, s);
  return give(s, higher_priority_woken);
}

uint32_t semaphore_count(const Semaphore* s) {
  CriticalSection cs;
  return usable(s) ? s->count : 0;
}

uint32_t semaphore_max_count(const Semaphore* s) {
  CriticalSection cs;
  return usable(s) ? s->max_count : 0;
}

}  // namespace petrel::kernel
