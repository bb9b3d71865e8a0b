// The switch core: the running task blocks, or hands the CPU to another
// ready task. Not a public header; for sched.cc and the primitives whose
// blocking paths are the kernel's hot paths.
//
// Design
// ------
// One block path serves every blocking call: block_running_inline. It is
// always inline; sched.cc's out-of-line block_running (WaitQueue::wait_until,
// block_current_until) is the copy most callers share. The calls a round
// trip between tasks is made of inline it instead: a semaphore take, a
// task's queue send and receive, a notification take. Inline, a block needs
// no call, no second stack frame and no arguments moved into place, and the
// caller's registers stay live across it: a semaphore round trip (two
// blocks) took 440 instructions on AArch64 with the shared copy and 392
// inline (bench/RESULTS.md). Each inlined copy is about 300 bytes, so the
// kernel's own service tasks wait through the shared copy
// (semaphore_take_compact, internal/sched.h), and an image that makes no
// such call itself, such as hello, carries none (docs/build.md: its 64 KiB).
//
// A timed wait's join to the delayed list (join_delayed) stays out of line
// in every copy: the sorted insert and the timer are larger than the rest of
// the block.
#pragma once

#include "kernel_state.h"
#include "petrel/kernel/wait_queue.h"

namespace petrel::kernel {

// Every pass through the scheduler checks the running task's canary, even
// when it keeps running.
[[gnu::always_inline]] inline void check_canary(Task* t) {
  if (!stack_top_canary_intact(t)) [[unlikely]]
    stack_overflowed(t);
}

// The switch itself, shared by schedule() and task_yield(): `prev`, the
// running task (its new state already set), hands the CPU to `next`, first
// on the highest ready level. Interrupts masked; returns when `prev` runs
// again.
//
// One counter read serves the run-time accounting (a running task's
// run_time holds its total less the counter at its switch-in, Task::run_time)
// and the new time slice (only when `next` shares its level: a slice can only
// move the timer's deadline earlier, see update_timer); an unordered read
// (timer_now_relaxed), since neither changes with a few instructions' skew. `nesting`, the
// critical-section depth of `prev`, is the caller's to give (a constant in
// yield): the context switch keeps it in a callee-saved register.
[[gnu::always_inline]] inline void switch_to(KernelState& k, Task* prev, Task* next,
                                             uint32_t nesting) {
  const uint64_t now = arch::timer_now_relaxed();
  prev->run_time += now;
  next->run_time -= now;
  next->state = TaskState::kRunning;
  k.current = next;
  if (config::kTimeSlicing && ReadyQueues::shared_with_first(next)) start_slice(now);
  trace::switched(prev, next);
  arch::context_switch(prev->context, next->context);
  // Running as `prev` again.
  k.nesting = nesting;
}

// A blocking task with a deadline joins the delayed list (sched.cc).
[[gnu::noinline]] void join_delayed(Task* t, Ticks wake_tick);

// The one path from "the running task must wait" to "another task runs",
// for every blocking call (the caller has applied the blocking rule): the
// task joins `queue` if it waits on one, leaves its ready level, joins the
// delayed list for a timed wait, and the highest ready task, which is
// another one now, is switched to at once, with no second look at anything
// (schedule() would check whether the task is still the highest and fix its
// state). Returns when the task runs again: whoever woke it took it off the
// queue (wake, timeout, suspend, delete) and set the reason.
//
// `t` is the running task, as the caller already has it: read again here,
// after the caller's stores to its wait record, it would be another value to
// the compiler, and the caller's copy would be spilled across the switch.
[[gnu::always_inline]] inline WakeReason block_running_inline(Task* t, WaitQueue* queue,
                                                              Ticks wake_tick) {
  KernelState& k = g_kernel;
  trace::blocked(t, queue);
  if (queue != nullptr) {
    queue->insert(t);
    t->wait.queue = queue;
    t->wait.suspended = false;
  }
  k.ready.remove_queued(t);
  t->state = TaskState::kBlocked;
  t->wait.reason = WakeReason::kNone;
  if (wake_tick != kForever) join_delayed(t, wake_tick);
  k.switch_pending = false;
  check_canary(t);
  switch_to(k, t, k.ready.highest_present(), k.nesting);
  return t->wait.reason;
}

}  // namespace petrel::kernel
