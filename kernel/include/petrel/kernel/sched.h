// The scheduler for applications: its lifecycle, the scheduler lock, the
// critical section, the hooks an API layer installs, and the rule every
// blocking call follows. Tasks are in task.h, the primitives in their own
// headers. What only the kernel, the architecture code and Petrel's own
// layers (freertos/, xen/) may call is in internal/sched.h.
//
// Locking: single CPU; kernel data is guarded by masking interrupts
// (CriticalSection).
#pragma once

#include "petrel/kernel/task.h"
#include "petrel/kernel/ticks.h"

namespace petrel::kernel {

// --- lifecycle ---
// Creates the idle task and starts the highest-priority ready task. Returns
// when the scheduler is ended (scheduler_end), when the last application
// task has ended (kNoTasks, also at once when there is none), or, on the
// host port, when every task is blocked with no timeout left. It starts
// once: a second start panics (kernel_reset() starts over).
enum class StopReason { kEnded, kAllTasksBlocked, kNoTasks };
StopReason scheduler_start();
void scheduler_end();  // back to scheduler_start's caller, which returns kEnded
// Stops from the running task (any, idle included) with a reason.
void scheduler_stop(StopReason reason);
bool scheduler_running();
// Timer counter units since the scheduler started (0 when it is not running):
// the total that tasks' run_time shares out.
uint64_t scheduler_run_time();
// The idle task while the scheduler runs; nullptr before it starts.
Task* idle_task();
// Host port and tests: forget every task and all kernel state.
void kernel_reset();

// Scheduler lock (vTaskSuspendAll): no switch happens while locked, but
// interrupts stay enabled. Nests. Unlocking switches if one became due;
// scheduler_unlock returns whether it did (xTaskResumeAll's answer).
void scheduler_lock();
bool scheduler_unlock();
bool scheduler_locked();

// Whether the caller runs in an interrupt handler.
bool in_isr();

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
// applies the rule through check_wait_context and check_may_block
// (internal/sched.h) before each wait, so the wait itself does not test it
// again; task_delay, which has no error to return, panics (in
// block_current).

// Masks interrupts for its lifetime. Leaving the outermost one in task
// context performs a requested switch.
class CriticalSection {
 public:
  CriticalSection();
  // Out of line even under LTO (the attribute must be seen by the callers):
  // it ends every critical section in the image, where inlined it costs
  // more bytes than its call costs instructions.
  [[gnu::noinline]] ~CriticalSection();
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
