// Direct-to-task notifications (FreeRTOS task notifications): every task has
// config::kNotifyIndices independent 32-bit values, each with a state (idle,
// waiting, pending). A notification updates the value, marks it pending and
// wakes the task if it waits on that index. Lighter than a semaphore, queue
// or event group: no object, no wait queue. See docs/kernel-events.md.
//
// Errors common to all calls: kOutOfRange (index >= config::kNotifyIndices),
// kInvalid (nullptr or deleted target task, an unknown action, a non-zero
// timeout in interrupt context, a wait with the scheduler locked (sched.h),
// no running task to wait). A heap task whose
// memory was already returned cannot be detected: do not notify it.
#pragma once

#include <stdint.h>

#include "petrel/kernel/task.h"
#include "petrel/kernel/ticks.h"
#include "petrel/result.h"

namespace petrel::kernel {

// What a notification does to the target's value (eNotifyAction).
enum class NotifyAction : uint8_t {
  kNone,                 // value unchanged; just marks the notification pending
  kSetBits,              // value |= v (event bits)
  kIncrement,            // value += 1 (counting semaphore); v is ignored
  kSetValueOverwrite,    // value = v (mailbox that keeps the latest)
  kSetValueNoOverwrite,  // value = v unless a notification is still pending:
                         // then nothing changes and the call fails (kBusy)
};

// Notifies `task` on `index` (xTaskNotifyIndexed). Wakes it if it waits on
// that index. Fails with kBusy only for kSetValueNoOverwrite onto a pending
// notification.
Status notify(Task* task, unsigned index, uint32_t value, NotifyAction action);
// The same; *previous (if not nullptr) receives the value before the action,
// also when the call fails with kBusy (xTaskNotifyAndQueryIndexed).
Status notify_and_query(Task* task, unsigned index, uint32_t value, NotifyAction action,
                        uint32_t* previous);
// From interrupt handlers. *higher_priority_woken (may be nullptr) is set to
// true, never to false, if the woken task outranks the interrupted one.
Status notify_from_isr(Task* task, unsigned index, uint32_t value, NotifyAction action,
                       bool* higher_priority_woken);
Status notify_and_query_from_isr(Task* task, unsigned index, uint32_t value, NotifyAction action,
                                 uint32_t* previous, bool* higher_priority_woken);
// notify(task, index, 0, kIncrement): a "give" to a task using its
// notification value as a counting semaphore.
Status notify_give(Task* task, unsigned index);
Status notify_give_from_isr(Task* task, unsigned index, bool* higher_priority_woken);

// Counting-semaphore take (ulTaskNotifyTakeIndexed), calling task: waits up
// to `timeout` for the value on `index` to be non-zero, then decrements it
// (or zeroes it with clear_on_exit) and returns the value it had before.
// Timeout: Errc::kTimeout, so notify_take(...).value_or(0) is exactly
// ulTaskNotifyTake's result (0 on timeout). A notification that leaves the
// value 0 (e.g. kNone) keeps it waiting for the rest of the timeout, or with
// kAnyNotification (FreeRTOS's ulTaskNotifyTake) ends the wait and returns
// 0. Leaves the index's state idle (a pending notification is consumed).
enum class NotifyTakeWake : uint8_t { kNonZeroValue, kAnyNotification };
Result<uint32_t> notify_take(unsigned index, bool clear_on_exit, Ticks timeout,
                             NotifyTakeWake wake = NotifyTakeWake::kNonZeroValue);

// Event/mailbox wait (xTaskNotifyWaitIndexed), calling task: if no
// notification is pending on `index`, clears `bits_to_clear_on_entry` in the
// value and waits up to `timeout` for one. *value_out (if given) receives the
// value before the exit clearing, also on timeout. When one is (or was)
// pending: clears `bits_to_clear_on_exit`, leaves the state idle and returns
// ok ("true"); otherwise Errc::kTimeout ("false"). task_abort_delay ends the
// wait as a timeout.
Status notify_wait(unsigned index, uint32_t bits_to_clear_on_entry, uint32_t bits_to_clear_on_exit,
                   uint32_t* value_out, Ticks timeout);

// If a notification is pending on `index` of `task` (nullptr: the caller),
// makes it idle and returns true; false if none was pending.
Result<bool> notify_state_clear(Task* task, unsigned index);
// Clears `bits` in the value of `index` of `task` (nullptr: the caller);
// returns the value before. Does not change the state.
Result<uint32_t> notify_value_clear(Task* task, unsigned index, uint32_t bits);

}  // namespace petrel::kernel
