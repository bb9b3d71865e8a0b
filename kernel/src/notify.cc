// Direct-to-task notifications (notify.h).
//
// Design
// ------
// The state lives in the Task: notify_value[i] and notify_state[i] (kIdle,
// kWaiting, kPending). There is no wait queue: a task waiting on index i
// marks it kWaiting and blocks itself with block_current(timeout); a
// notifier that finds kWaiting and the task still kBlocked takes it off the
// delayed list and makes it ready (make_ready does both) with kSignaled.
//
// No double wake-up: a notification always leaves the state kPending, so a
// second one never sees kWaiting; and the "still kBlocked" test covers the
// window where the timer (or task_abort_delay) has already made a timed-out
// waiter ready but it has not yet run and reset its state. A notification
// that lands in that window is not lost: the waiter always re-reads the
// state/value after waking, whatever the wake reason, so it counts as
// received (as in FreeRTOS). A waiter that is suspended is not made ready by
// a notification (only resume does that); it then finds it pending.
//
// Guarantees and cost: every operation is one critical section, O(1) with
// interrupts masked (plus the scheduler's O(delayed tasks) sorted insert
// when a wait has a timeout). Notifying is allowed from tasks and interrupts;
// only take/wait with a non-zero timeout need task context.
#include "petrel/kernel/notify.h"

#include "kernel_state.h"
#include "petrel/kernel/internal/sched.h"
#include "switch_core.h"

namespace petrel::kernel {
namespace {

constexpr Error kErrNoTask{Errc::kInvalid, "notify: null task"};
constexpr Error kErrDeleted{Errc::kInvalid, "notify: the task was deleted"};
constexpr Error kErrIndex{Errc::kOutOfRange, "notify: index out of range (config::kNotifyIndices)"};
constexpr Error kErrAction{Errc::kInvalid, "notify: unknown action"};
constexpr Error kErrPending{Errc::kBusy,
                            "notify: a notification is pending (set value without overwrite)"};
constexpr BlockingErrors kBlocking{
    {Errc::kInvalid, "notify: cannot block in interrupt context"},
    {Errc::kInvalid, "notify: cannot block with the scheduler locked"}};
constexpr Error kErrNoCurrent{Errc::kInvalid, "notify: no running task to wait"};
constexpr Error kErrTakeTimeout{Errc::kTimeout, "notify: take timed out (value stayed 0)"};
constexpr Error kErrWaitTimeout{Errc::kTimeout, "notify: timed out waiting for a notification"};

Status check_target(const Task* t, unsigned index) {
  if (t == nullptr) return kErrNoTask;
  if (t->state == TaskState::kDeleted) return kErrDeleted;
  if (index >= config::kNotifyIndices) return kErrIndex;
  return ok();
}

// Checks for take/wait; returns the calling task (interrupts masked).
Result<Task*> check_waiter(unsigned index, Ticks timeout) {
  if (index >= config::kNotifyIndices) return kErrIndex;
  if (Status refused = check_wait_context(timeout, kBlocking); !refused) return refused.error();
  Task* self = task_current();
  if (self == nullptr) return kErrNoCurrent;
  return self;
}

Status notify_common(Task* t, unsigned index, uint32_t value, NotifyAction action,
                     uint32_t* previous, bool* higher_priority_woken) {
  HotCriticalSection cs;
  Status s = check_target(t, index);
  if (!s) return s;
  uint32_t& v = t->notify_value[index];
  if (previous != nullptr) *previous = v;
  const NotifyState was = t->notify_state[index];
  switch (action) {
    case NotifyAction::kNone:
      break;
    case NotifyAction::kSetBits:
      v |= value;
      break;
    case NotifyAction::kIncrement:
      ++v;
      break;
    case NotifyAction::kSetValueOverwrite:
      v = value;
      break;
    case NotifyAction::kSetValueNoOverwrite:
      if (was == NotifyState::kPending) return kErrPending;  // still pending, unchanged
      v = value;
      break;
    default:
      return kErrAction;
  }
  t->notify_state[index] = NotifyState::kPending;
  if (was == NotifyState::kWaiting && t->state == TaskState::kBlocked && t->wait.queue == nullptr) {
    t->wait.reason = WakeReason::kSignaled;
    if (make_ready(t) && higher_priority_woken != nullptr) *higher_priority_woken = true;
  }
  return ok();
}

// Takes from the value if it is non-zero (interrupts masked).
bool try_take(Task* self, unsigned index, bool clear_on_exit, uint32_t* taken) {
  const uint32_t v = self->notify_value[index];
  if (v == 0) return false;
  self->notify_value[index] = clear_on_exit ? 0 : v - 1;
  self->notify_state[index] = NotifyState::kIdle;
  *taken = v;
  return true;
}

}  // namespace

Status notify(Task* t, unsigned index, uint32_t value, NotifyAction action) {
  return notify_common(t, index, value, action, nullptr, nullptr);
}

Status notify_and_query(Task* t, unsigned index, uint32_t value, NotifyAction action,
                        uint32_t* previous) {
  return notify_common(t, index, value, action, previous, nullptr);
}

Status notify_from_isr(Task* t, unsigned index, uint32_t value, NotifyAction action,
                       bool* higher_priority_woken) {
  return notify_common(t, index, value, action, nullptr, higher_priority_woken);
}

Status notify_and_query_from_isr(Task* t, unsigned index, uint32_t value, NotifyAction action,
                                 uint32_t* previous, bool* higher_priority_woken) {
  return notify_common(t, index, value, action, previous, higher_priority_woken);
}

Status notify_give(Task* t, unsigned index) {
  return notify_common(t, index, 0, NotifyAction::kIncrement, nullptr, nullptr);
}

Status notify_give_from_isr(Task* t, unsigned index, bool* higher_priority_woken) {
  return notify_common(t, index, 0, NotifyAction::kIncrement, nullptr, higher_priority_woken);
}

Result<uint32_t> notify_take(unsigned index, bool clear_on_exit, Ticks timeout,
                             NotifyTakeWake wake) {
  HotCriticalSection cs;
  auto checked = check_waiter(index, timeout);
  if (!checked) return checked.error();
  Task* self = *checked;
  const Deadline deadline = Deadline::after(timeout);
  uint32_t taken = 0;
  for (;;) {
    if (try_take(self, index, clear_on_exit, &taken)) return taken;
    const Ticks left = deadline.remaining();
    if (left == kNoWait) break;
    if (Status refused = check_may_block(kBlocking); !refused) return refused.error();
    self->notify_state[index] = NotifyState::kWaiting;
    // The rule applied above: the switch core's block, inline (a round
    // trip's hot path, switch_core.h).
    const WakeReason why = block_running_inline(self, nullptr, deadline.at());
    if (why != WakeReason::kSignaled) {
      // Timed out or aborted: a notification may still have come in since.
      if (try_take(self, index, clear_on_exit, &taken)) return taken;
      break;
    }
    // Signaled: take what came in; still 0 (e.g. NotifyAction::kNone): wait
    // out the rest, or return that 0.
    if (try_take(self, index, clear_on_exit, &taken)) return taken;
    if (wake == NotifyTakeWake::kAnyNotification) {
      self->notify_state[index] = NotifyState::kIdle;
      return uint32_t{0};
    }
  }
  self->notify_state[index] = NotifyState::kIdle;
  return kErrTakeTimeout;
}

Status notify_wait(unsigned index, uint32_t bits_to_clear_on_entry, uint32_t bits_to_clear_on_exit,
                   uint32_t* value_out, Ticks timeout) {
  CriticalSection cs;
  auto checked = check_waiter(index, timeout);
  if (!checked) return checked.error();
  Task* self = *checked;
  NotifyState& state = self->notify_state[index];
  uint32_t& value = self->notify_value[index];
  if (state != NotifyState::kPending) {
    // It would block (kNoWait aside): the rule, before anything changes.
    if (timeout != kNoWait) {
      if (Status refused = check_may_block(kBlocking); !refused) return refused;
    }
    value &= ~bits_to_clear_on_entry;
    const Deadline deadline = Deadline::after(timeout);
    while (state != NotifyState::kPending) {
      const Ticks left = deadline.remaining();
      if (left == kNoWait) break;
      state = NotifyState::kWaiting;
      if (block_current_until(deadline.at()) != WakeReason::kSignaled) break;  // timeout or abort
    }
  }
  if (value_out != nullptr) *value_out = value;
  if (state != NotifyState::kPending) {
    state = NotifyState::kIdle;
    return kErrWaitTimeout;
  }
  value &= ~bits_to_clear_on_exit;
  state = NotifyState::kIdle;
  return ok();
}

Result<bool> notify_state_clear(Task* t, unsigned index) {
  CriticalSection cs;
  if (t == nullptr) t = task_current();
  Status s = check_target(t, index);
  if (!s) return s.error();
  if (t->notify_state[index] != NotifyState::kPending) return false;
  t->notify_state[index] = NotifyState::kIdle;
  return true;
}

Result<uint32_t> notify_value_clear(Task* t, unsigned index, uint32_t bits) {
  CriticalSection cs;
  if (t == nullptr) t = task_current();
  Status s = check_target(t, index);
  if (!s) return s.error();
  const uint32_t before = t->notify_value[index];
  t->notify_value[index] = before & ~bits;
  return before;
}

}  // namespace petrel::kernel
