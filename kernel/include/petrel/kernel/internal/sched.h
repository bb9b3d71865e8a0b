// The scheduler's interface to the rest of the kernel: the primitives, the
// timer, the architecture's interrupt path, and Petrel's own API layers
// (freertos/, xen/). Not for applications, which use sched.h, task.h and
// the primitives' headers: these calls assume the kernel's invariants
// (interrupts masked, a task state the caller owns) and check none of them.
//
// Locking: single CPU; every function here must be called with interrupts
// masked (inside a CriticalSection), from task or interrupt context as
// noted.
#pragma once

#include "petrel/kernel/sched.h"
#include "petrel/kernel/task.h"
#include "petrel/kernel/ticks.h"
#include "petrel/result.h"

namespace petrel::kernel {

struct Queue;
struct Semaphore;

// --- interrupt context (the arch interrupt path) ---
// First thing on interrupt entry: in_isr() holds until the matching exit.
void isr_enter();
// Called by the arch interrupt path last: switches tasks if one is due.
void isr_exit();
// The running task's architecture context, null when no task runs (before
// the scheduler starts, after it stops). For the lazy FP switch (arch/arm/fpu.cc),
// which needs it only when a task traps or an interrupt ends, so that the
// switch itself need not tell it.
arch::ArchContext* running_context();

// --- the blocking rule (sched.h), as every primitive applies it ---
struct BlockingErrors {
  Error isr;     // "<object>: cannot block in interrupt context"
  Error locked;  // "<object>: cannot block with the scheduler locked"
};
// Up front, in a call given `timeout`: refuses interrupt context.
inline Status check_wait_context(Ticks timeout, const BlockingErrors& errors) {
  if (timeout != kNoWait && in_isr()) return errors.isr;
  return ok();
}
// Interrupts masked, right before the running task waits on a wait queue or
// with block_current_until: every such wait, even on a deadline that has
// just passed (which ends at once, but only after a switch), so the blocking
// path need not check again. (A call that does not wait when its time is up
// tests that first.)
inline Status check_may_block(const BlockingErrors& errors) {
  if (in_isr()) return errors.isr;
  if (scheduler_locked()) return errors.locked;
  return ok();
}

// Whether the running task could block now: the scheduler runs and is not
// locked, and this is task context (an API layer's fast path asks once
// instead of three times).
bool task_may_block();
// Whether a wait would be refused for the context alone: this is an
// interrupt handler, or the scheduler is locked (one load for both). Before
// the scheduler starts nothing refuses: a call that would then block finds
// no task to block and fails at once (kNoTask), as a call that may not wait
// fails. (An API layer's fast path; its checked path tells the cases apart.)
bool wait_refused_here();

// --- used by primitives (interrupts masked) ---
// Moves a blocked/suspended/new task to its ready list; requests a switch
// when it outranks the running task. Returns whether it does.
bool make_ready(Task* task);
// Blocks the running task until made ready again or `timeout` passes
// (kForever: no timeout). Switches away at once; returns the wake reason.
// Task context, not with the scheduler locked (check_may_block first).
WakeReason block_current(Ticks timeout);
// The same with an absolute wake-up tick (kForever: none).
WakeReason block_current_until(Ticks wake_tick);
// Asks for a switch at the next opportunity: leaving the outermost critical
// section in task context, or interrupt exit.
void request_switch();
// Changes a task's effective priority (priority inheritance, or a new base
// priority), keeping its ready list or wait queue in order and requesting a
// switch if the running task is no longer the highest ready one.
void set_effective_priority(Task* task, Priority priority);
// Timer interrupt: wakes due tasks, rotates time slices, re-arms the timer.
void on_timer_interrupt();

// --- for the kernel's own service tasks (xen/) ---
// semaphore_take (semaphore.h) with its block path shared with the other
// blocking calls instead of inline (kernel/src/switch_core.h): the same call,
// about 300 bytes smaller, for waits that are not a hot path (xenstore and
// the control task, in every image).
Status semaphore_take_compact(Semaphore* s, Ticks timeout);

// --- pass/fail forms of the hot calls, for API layers (freertos/) ---
// The same calls as semaphore_take, semaphore_give, queue_send_back,
// queue_send_front, queue_receive and queue_peek, for a layer that maps
// every failure to one code (FreeRTOS's pdFAIL, errQUEUE_FULL,
// errQUEUE_EMPTY): true on success. A bool comes back in a register; a
// Status, 8 bytes on AArch32, comes back through memory there (AAPCS32 returns
// no composite over 4 bytes in registers), which cost each call a stack
// frame and the stores and loads of the Status.
//
// A take, send or receive comes in two copies, one for a wait forever (the
// most common wait: FreeRTOS's portMAX_DELAY) and one for any other
// timeout; the inline call picks one, at no cost where the timeout is a
// constant. The forever copy has no deadline to work out or to test after
// the wait: on AArch32, where a deadline is two registers, that was about 24
// instructions a take, 48 of a FreeRTOS semaphore round trip.
bool semaphore_take_timed_passed(Semaphore* s, Ticks timeout);
bool semaphore_take_forever_passed(Semaphore* s);
inline bool semaphore_take_passed(Semaphore* s, Ticks timeout) {
  return timeout == kForever ? semaphore_take_forever_passed(s)
                             : semaphore_take_timed_passed(s, timeout);
}
bool semaphore_give_passed(Semaphore* s);
bool queue_send_back_timed_passed(Queue* q, const void* item, Ticks timeout);
bool queue_send_back_forever_passed(Queue* q, const void* item);
inline bool queue_send_back_passed(Queue* q, const void* item, Ticks timeout) {
  return timeout == kForever ? queue_send_back_forever_passed(q, item)
                             : queue_send_back_timed_passed(q, item, timeout);
}
bool queue_send_front_timed_passed(Queue* q, const void* item, Ticks timeout);
bool queue_send_front_forever_passed(Queue* q, const void* item);
inline bool queue_send_front_passed(Queue* q, const void* item, Ticks timeout) {
  return timeout == kForever ? queue_send_front_forever_passed(q, item)
                             : queue_send_front_timed_passed(q, item, timeout);
}
bool queue_receive_timed_passed(Queue* q, void* out, Ticks timeout);
bool queue_receive_forever_passed(Queue* q, void* out);
inline bool queue_receive_passed(Queue* q, void* out, Ticks timeout) {
  return timeout == kForever ? queue_receive_forever_passed(q, out)
                             : queue_receive_timed_passed(q, out, timeout);
}
bool queue_peek_timed_passed(Queue* q, void* out, Ticks timeout);
bool queue_peek_forever_passed(Queue* q, void* out);
inline bool queue_peek_passed(Queue* q, void* out, Ticks timeout) {
  return timeout == kForever ? queue_peek_forever_passed(q, out)
                             : queue_peek_timed_passed(q, out, timeout);
}

}  // namespace petrel::kernel
