// Event groups (event_group.h).
//
// Design
// ------
// A group is its 24-bit value plus one WaitQueue (highest priority first,
// FIFO among equals). A waiter parks what it waits for in its own
// WaitRecord::detail.event_group (32 bits, so the encoding does not depend on the
// pointer width):
//   while waiting: bits 0-23 the awaited bits, kAll, kClear;
//   once woken:    bits 0-23 the group's value when its condition was met
//                  plus kSatisfied, or the value at deletion plus kDeleted.
// The waker writes that result, so a woken waiter never re-reads the group:
// the condition it saw is exactly the one that was met, even if a
// higher-priority task changes the bits before it runs, and a waiter woken
// by deletion never touches the (maybe freed) group again.
//
// Guarantees: every state change (set, clear, the evaluation and waking of
// all waiters of one set, the clear-on-exit of all satisfied waiters, a sync's
// set-then-check) happens in one critical section, so it is atomic with
// respect to tasks and interrupts. One set call evaluates every waiter
// against the same value (the value after setting, before any clearing),
// then clears the union of the clear-on-exit bits of the satisfied ones.
//
// Cost with interrupts masked: set (task or ISR) and delete O(W), W = tasks
// waiting on this group; clear, get O(1); wait/sync O(W) to enqueue (the
// sorted insert) plus the scheduler's O(delayed tasks) for a timeout. Set is
// done directly in interrupt context (FreeRTOS defers it to its timer task),
// so an interrupt's cost is bounded by the number of waiters of the group.
#include "petrel/kernel/event_group.h"

#include <new>

#include "petrel/kernel/heap.h"
#include "petrel/kernel/internal/sched.h"

namespace petrel::kernel {
namespace {

// WaitRecord::detail.event_group encoding (above the 24 event bits).
constexpr uint32_t kAll = 1u << 24;
constexpr uint32_t kClear = 1u << 25;
constexpr uint32_t kSatisfied = 1u << 26;
constexpr uint32_t kDeleted = 1u << 27;
constexpr EventBits kReserved = ~kEventBitsUsable;

constexpr Error kErrNull{Errc::kInvalid, "event group: null group"};
constexpr Error kErrDeleted{Errc::kInvalid, "event group: deleted"};
constexpr Error kErrDeletedWhileWaiting{Errc::kNotFound, "event group: deleted while waiting"};
constexpr Error kErrReserved{Errc::kInvalid,
                             "event group: bits 24-31 are reserved (24 event bits usable)"};
constexpr Error kErrNoBits{Errc::kInvalid, "event group: no bits to wait for"};
constexpr Error kErrFlags{Errc::kInvalid, "event group: unknown wait flags"};
constexpr BlockingErrors kBlocking{
    {Errc::kInvalid, "event group: cannot block in interrupt context"},
    {Errc::kInvalid, "event group: cannot block with the scheduler locked"}};
constexpr Error kErrNoTask{Errc::kInvalid, "event group: no running task to wait"};
constexpr Error kErrTimeout{Errc::kTimeout, "event group: timed out waiting for bits"};

bool met(EventBits value, EventBits wanted, bool all) {
  return all ? (value & wanted) == wanted : (value & wanted) != 0;
}

Status check_live(const EventGroup* g) {
  if (g == nullptr) return kErrNull;
  if (!g->live) return kErrDeleted;
  return ok();
}

void report(EventBits* out, EventBits value) {
  if (out != nullptr) *out = value & kEventBitsUsable;
}

// Sets bits and wakes every waiter the new value satisfies (interrupts
// masked). Returns whether a woken task outranks the running one.
bool set_locked(EventGroup* g, EventBits bits) {
  g->bits |= bits;
  const EventBits value = g->bits;
  EventBits to_clear = 0;
  bool higher = false;
  const Task* cur = task_current();
  Task* t = g->waiters.first();
  while (t != nullptr) {
    Task* next = g->waiters.next(t);
    const uint32_t d = t->wait.detail.event_group;
    const EventBits wanted = d & kEventBitsUsable;
    if (met(value, wanted, (d & kAll) != 0)) {
      if ((d & kClear) != 0) to_clear |= wanted;
      t->wait.detail.event_group = value | kSatisfied;
      if (cur != nullptr && t->priority > cur->priority) higher = true;
      g->waiters.wake(t, WakeReason::kSignaled);
    }
    t = next;
  }
  g->bits &= ~to_clear;
  return higher;
}

// The waiting part of wait_bits and sync (interrupts masked, group live).
Result<EventBits> wait_locked(EventGroup* g, EventBits wanted, bool all, bool clear, Ticks timeout,
                              EventBits* value_out) {
  const Deadline deadline = Deadline::after(timeout);
  const BlockingCall call(g);
  for (;;) {
    const EventBits value = g->bits;
    if (met(value, wanted, all)) {
      if (clear) g->bits &= ~wanted;
      report(value_out, value);
      return value;
    }
    const Ticks left = deadline.remaining();
    if (left == kNoWait) {
      report(value_out, value);
      return kErrTimeout;
    }
    Task* self = task_current();
    if (self == nullptr) return kErrNoTask;
    if (Status refused = check_may_block(kBlocking); !refused) return refused.error();
    self->wait.detail.event_group = wanted | (all ? kAll : 0) | (clear ? kClear : 0);
    const WakeReason why = g->waiters.wait_until(deadline.at());
    const uint32_t d = self->wait.detail.event_group;
    self->wait.detail.event_group = 0;
    if ((d & kDeleted) != 0) {  // `g` may be gone: do not touch it
      report(value_out, d);
      return kErrDeletedWhileWaiting;
    }
    if (call.object_deleted()) return kErrDeletedWhileWaiting;  // timed out, then deleted
    if ((d & kSatisfied) != 0) {  // the waker met the condition and cleared for us
      report(value_out, d);
      return d & kEventBitsUsable;
    }
    if (why == WakeReason::kTimeout || why == WakeReason::kAborted) {
      // Timed out, or task_abort_delay / a suspend: one last look, as bits
      // may have been set after the timeout but before this task ran.
      const EventBits now = g->bits;
      if (met(now, wanted, all)) {
        if (clear) g->bits &= ~wanted;
        report(value_out, now);
        return now;
      }
      report(value_out, now);
      return kErrTimeout;
    }
    // Any other wake-up: retry for the remaining time.
  }
}

Status check_wait_args(EventBits wanted, unsigned flags, Ticks timeout) {
  if (wanted == 0) return kErrNoBits;
  if ((wanted & kReserved) != 0) return kErrReserved;
  if ((flags & ~unsigned{kEventWaitAll | kEventClearOnExit}) != 0) return kErrFlags;
  if (Status refused = check_wait_context(timeout, kBlocking); !refused) return refused;
  return ok();
}

Result<EventBits> set_bits(EventGroup* g, EventBits bits, bool* higher_priority_woken) {
  if ((bits & kReserved) != 0) return kErrReserved;
  CriticalSection cs;
  Status s = check_live(g);
  if (!s) return s.error();
  const bool higher = set_locked(g, bits);
  if (higher && higher_priority_woken != nullptr) *higher_priority_woken = true;
  return g->bits;
}

Result<EventBits> clear_bits(EventGroup* g, EventBits bits) {
  if ((bits & kReserved) != 0) return kErrReserved;
  CriticalSection cs;
  Status s = check_live(g);
  if (!s) return s.error();
  const EventBits before = g->bits;
  g->bits &= ~bits;
  return before;
}

}  // namespace

Result<EventGroup*> event_group_create() {
  void* block = heap_alloc(sizeof(EventGroup), alignof(EventGroup));
  if (block == nullptr) return Error{Errc::kNoMemory, "event group: heap exhausted"};
  auto* g = new (block) EventGroup();
  g->dynamic = true;
  return g;
}

Status event_group_init(EventGroup* storage) {
  if (storage == nullptr) return kErrNull;
  new (storage) EventGroup();
  return ok();
}

void event_group_delete(EventGroup* g) {
  if (g == nullptr) return;
  CriticalSection cs;
  if (!g->live) return;
  g->live = false;
  const EventBits value = g->bits;
  while (Task* t = g->waiters.first()) {
    t->wait.detail.event_group = value | kDeleted;
    g->waiters.wake(t, WakeReason::kAborted);
  }
  mark_object_deleted(g);  // waiters that timed out but have not run yet
  // The woken tasks only read their own wait record: the memory can go now.
  if (g->dynamic) {
    g->~EventGroup();
    heap_free(g);
  }
}

Result<EventBits> event_group_set_bits(EventGroup* g, EventBits bits) {
  return set_bits(g, bits, nullptr);
}

Result<EventBits> event_group_set_bits_from_isr(EventGroup* g, EventBits bits,
                                                bool* higher_priority_woken) {
  return set_bits(g, bits, higher_priority_woken);
}

Result<EventBits> event_group_clear_bits(EventGroup* g, EventBits bits) {
  return clear_bits(g, bits);
}

Result<EventBits> event_group_clear_bits_from_isr(EventGroup* g, EventBits bits) {
  return clear_bits(g, bits);
}

EventBits event_group_get_bits(const EventGroup* g) {
  CriticalSection cs;
  if (!check_live(g)) return 0;
  return g->bits;
}

Result<EventBits> event_group_wait_bits(EventGroup* g, EventBits bits, unsigned flags,
                                        Ticks timeout, EventBits* value_out) {
  Status s = check_wait_args(bits, flags, timeout);
  if (!s) return s.error();
  CriticalSection cs;
  s = check_live(g);
  if (!s) return s.error();
  return wait_locked(g, bits, (flags & kEventWaitAll) != 0, (flags & kEventClearOnExit) != 0,
                     timeout, value_out);
}

Result<EventBits> event_group_sync(EventGroup* g, EventBits bits_to_set, EventBits bits_to_wait_for,
                                   Ticks timeout, EventBits* value_out) {
  if ((bits_to_set & kReserved) != 0) return kErrReserved;
  Status s = check_wait_args(bits_to_wait_for, kEventWaitAll | kEventClearOnExit, timeout);
  if (!s) return s.error();
  CriticalSection cs;
  s = check_live(g);
  if (!s) return s.error();
  const EventBits value = g->bits | bits_to_set;
  set_locked(g, bits_to_set);  // wakes the others; a switch waits for the end of `cs`
  if ((value & bits_to_wait_for) == bits_to_wait_for) {
    // This call completed the rendezvous: everyone sees `value`.
    g->bits &= ~bits_to_wait_for;
    report(value_out, value);
    return value;
  }
  return wait_locked(g, bits_to_wait_for, true, true, timeout, value_out);
}

}  // namespace petrel::kernel
