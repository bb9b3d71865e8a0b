// A fault in one task need not end the domain.
//
// The ARM fault handlers print their report, then ask task_fault_begin()
// whether the running task can be stopped alone. That is safe only where the
// kernel's state is consistent whatever instruction faulted: the task holds
// no critical section and no scheduler lock, did not run with interrupts
// masked (the heap and drivers guard their state that way, without the
// kernel's count), is not an interrupt handler,
// and is an application task (the idle and timer-service tasks, and the Xen
// services marked system, are needed by everything else). If so, the handler
// rewrites the exception frame so that the return from the exception lands
// in task_fault_end() on the task's own stack, from its top (whatever the
// stack held, overflowed or not, is dead). There the task is still the
// running task with ordinary kernel state, so it can be deleted as a task
// deleting itself would be: its mutexes released, its control block and
// stack freed by the idle task.
//
// A second fault in the same task (in the hook, say) is not stopped again:
// it crashes the domain, so a faulting hook cannot loop. Nor is the last
// application task's fault when no hook is installed: the scheduler would
// then return as if the application had ended well.
#include "kernel_state.h"
#include "petrel/exit.h"
#include "petrel/kernel/task.h"

namespace petrel::kernel {

[[gnu::cold]] Task* task_fault_begin(bool irqs_masked, const char** why_not) {
  KernelState& k = g_kernel;
  Task* t = k.current;
  *why_not = nullptr;
  if (!k.running || t == nullptr) return nullptr;
  if (in_isr())
    *why_not = "it happened in an interrupt handler";
  else if (t->system)
    *why_not = "the task is one of the kernel's own";
  else if (t->faulted)
    *why_not = "the task faulted again while being stopped";
  else if (k.nesting != 0)
    *why_not = "the task was in a critical section";
  else if (k.lock != 0)
    *why_not = "the task held the scheduler lock";
  else if (irqs_masked)
    *why_not = "interrupts were masked (a critical region)";
  else if (k.app_tasks == 1 && k.hooks.task_fault == nullptr)
    // Nothing would be left to run and the scheduler would return as if the
    // application had ended well: a fault must not become a clean exit.
    *why_not = "it is the last application task (and no task_fault hook is installed)";
  if (*why_not != nullptr) return nullptr;
  t->faulted = true;
  // A stack overflow broke the canary; the task now runs on from the top of
  // its stack, so the bottom is dead. Every switch checks the canary of the
  // task it leaves, and one can come as soon as the handler unmasks IRQs.
  stack_canary_restore(t);
  return t;
}

void task_fault_end() {
  Task* t = g_kernel.current;
  if (g_kernel.hooks.task_fault != nullptr) g_kernel.hooks.task_fault(t);
  task_delete(t);
  panic("task_fault_end: the stopped task '%s' ran on", t->name);
}

}  // namespace petrel::kernel
