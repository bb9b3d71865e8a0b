// The scheduler's interface to the rest of the kernel (primitives, time,
// the arch interrupt path). Applications use task.h and the primitives.
//
// Locking: single CPU; kernel data is guarded by masking interrupts
// (CriticalSection). Every function here must be called inside one, from
// task or interrupt context as noted.
#pragma once

#include "petrel/kernel/task.h"
#include "petrel/kernel/ticks.h"
#include "petrel/result.h"

namespace petrel::kernel {

// --- lifecycle ---
// Creates the idle task and starts the highest-priority ready task. On a
// guest it does not return; on the host port it returns when the scheduler
// is ended (scheduler_end) or every task is blocked with no timeout left.
enum class StopReason { kEnded, kAllTasksBlocked, kNoTasks };
StopReason scheduler_start();
void scheduler_end();  // back to scheduler_start's caller, which returns kEnded
// Stops from the running task (any, idle included) with a reason.
void scheduler_stop(StopReason reason);
bool scheduler_running();
// Timer counter units since the scheduler started (0 when it is not running):
// the total that tasks' run_time shares out.
uint64_t scheduler_run_time();
// Host port and tests: forget every task and all kernel state.
void kernel_reset();

// Scheduler lock (vTaskSuspendAll): no switch happens while locked, but
// interrupts stay enabled. Nests. Unlocking switches if one became due.
void scheduler_lock();
void scheduler_unlock();
bool scheduler_locked();

// --- interrupt context ---
bool in_isr();
void isr_enter();
// Called by the arch interrupt path last: switches tasks if one is due.
void isr_exit();

// --- the blocking rule ---
// One rule for every call that can wait (queues, semaphores, mutexes, event
// groups, notifications, stream and message buffers, soft timer commands):
// a task never blocks in interrupt context or with the scheduler locked, and
// such a call does not panic either: it fails with Errc::kInvalid.
//   - Interrupt context: a call given a timeout other than kNoWait fails up
//     front, "<object>: cannot block in interrupt context", even if it could
//     complete at once (mutexes refuse interrupt context altogether).
//   - Scheduler locked: a call that would block (its request cannot be met
//     now and its time is not up) fails, "<object>: cannot block with the
//     scheduler locked", having waited for nothing; one that completes at
//     once succeeds.
// Petrel's FreeRTOS layer checks the same misuse before it calls the kernel
// and reports it through configASSERT, as FreeRTOS does. Every primitive
// applies the rule through the two checks below; block_current panics only
// if one did not (a kernel bug).
struct BlockingErrors {
  Error isr;     // "<object>: cannot block in interrupt context"
  Error locked;  // "<object>: cannot block with the scheduler locked"
};
// Up front, in a call given `timeout`: refuses interrupt context.
inline Status check_wait_context(Ticks timeout, const BlockingErrors& errors) {
  if (timeout != kNoWait && in_isr()) return errors.isr;
  return ok();
}
// Interrupts masked, right before the running task would wait `remaining`
// (kNoWait: it will not block, so it may go on).
inline Status check_may_block(Ticks remaining, const BlockingErrors& errors) {
  if (remaining == kNoWait) return ok();
  if (in_isr()) return errors.isr;
  if (scheduler_locked()) return errors.locked;
  return ok();
}

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

// Masks interrupts for its lifetime. Leaving the outermost one in task
// context performs a requested switch.
class CriticalSection {
 public:
  CriticalSection();
  ~CriticalSection();
  CriticalSection(const CriticalSection&) = delete;
  CriticalSection& operator=(const CriticalSection&) = delete;

 private:
  uint64_t saved_;
};

// Hooks an API layer can install (FreeRTOS's idle and stack-overflow hooks).
struct KernelHooks {
  void (*idle)() = nullptr;
  void (*stack_overflow)(Task* task) = nullptr;  // before the kernel panics
  // Called in interrupt context once for every tick while the scheduler
  // runs. Installing it gives up tickless operation: the timer then fires
  // at every tick boundary (if interrupts were held off for several ticks,
  // the missed calls are made in a row).
  void (*tick)() = nullptr;
  // A fault stopped `task` (see task_fault_begin in task.h): called in the
  // task's place, on its stack, before it is deleted; it may create a
  // replacement or end the domain (petrel::crash). Without it the other
  // tasks simply go on.
  void (*task_fault)(Task* task) = nullptr;
};
void set_hooks(const KernelHooks& hooks);

}  // namespace petrel::kernel
