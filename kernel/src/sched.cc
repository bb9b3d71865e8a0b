// The scheduler: fixed-priority preemptive, round-robin among equals,
// tickless.
//
// Design
// ------
// Ready tasks sit in one FIFO list per priority with a bitmap of non-empty
// levels (kernel_state.h); the running task stays at the head of its level.
// Picking the next task is a count-leading-zeros and a list head, so the
// cost of a switch does not depend on how many tasks exist or are ready.
// Blocked tasks with a timeout are on one list sorted by wake tick, so the
// timer interrupt only ever looks at its head; inserting is O(delayed tasks),
// paid by the task that blocks, never by the switch.
//
// Everything is guarded by masking interrupts (single CPU). Primitives call
// make_ready()/request_switch() inside a CriticalSection; the switch itself
// happens when the outermost critical section ends in task context, or at
// interrupt exit (isr_exit), or at once when the running task blocks. The
// scheduler lock only defers switches; interrupts keep running.
//
// Time is tickless: the kernel's tick count is the hardware counter divided
// down (tick_count()), so no periodic interrupt is needed to keep it. The
// one-shot timer is armed for the earliest of (a) the first delayed task's
// wake tick and (b) the end of the running task's time slice, but (b) only
// while another task of the same priority is ready. An idle system, or one
// task running alone at its priority, takes no timer interrupt at all.
//
// Latency bound: with interrupts masked for at most the longest critical
// section C, a wake-up from an interrupt reaches its task within
// C + interrupt entry + one switch; no kernel path loops over tasks with
// interrupts masked except the delayed-list insert and the expiry of tasks
// due at the same tick.
#include "petrel/kernel/sched.h"

#include <new>

#include "kernel_state.h"
#include "petrel/arch.h"
#include "petrel/console.h"
#include "petrel/exit.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/soft_timer.h"
#include "petrel/kernel/trace.h"
#include "petrel/kernel/wait_queue.h"
#include "petrel/noinit.h"
#include "switch_core.h"

namespace petrel::kernel {

constinit KernelState g_kernel;

namespace {

Task g_idle;
PETREL_NOINIT(idle_stack) alignas(16) uint8_t g_idle_stack[config::kIdleStackSize];

void free_task_memory(Task* t) {
  arch::context_destroy(t->context);
  if (!t->dynamic) return;
  release_stack(t);
  heap_free(t);
}

void reap_terminated() {
  CriticalSection cs;
  while (Task* t = g_kernel.terminated.pop_front()) free_task_memory(t);
}

void idle_main(void*) {
  for (;;) {
    reap_terminated();
    if (g_kernel.hooks.idle != nullptr) g_kernel.hooks.idle();
    CriticalSection cs;
    // WFI with interrupts masked still wakes on a pending interrupt, which
    // is then taken when the critical section ends: none can be missed
    // between the check and the wait.
    if (!g_kernel.switch_pending) arch::wait_for_interrupt();
  }
}

}  // namespace

void stack_overflowed(Task* t) {
  if (t == &g_idle || t->state == TaskState::kDeleted) return;
  if (g_kernel.hooks.stack_overflow != nullptr) g_kernel.hooks.stack_overflow(t);
  panic("stack overflow in task '%s' (its stack canary was overwritten)", t->name);
}

// Counter ticks per kernel tick, from the timer's frequency (rounded down;
// at least 1). Valid before the scheduler starts too.
uint64_t counter_per_tick() {
  KernelState& k = g_kernel;
  if (k.counter_per_tick == 0) [[unlikely]] {
    uint64_t per_tick = arch::timer_frequency() / config::kTickRateHz;
    if (per_tick == 0) per_tick = 1;
    // The two divisions by it that the hot paths need, done once here, and
    // stored before counter_per_tick says they are there (an interrupt
    // handler may ask for the tick count in between).
    k.per_tick = Divider(per_tick);
    k.max_armable_ticks = UINT64_MAX / per_tick;
    __asm__ volatile("" ::: "memory");
    k.counter_per_tick = per_tick;
  }
  return k.counter_per_tick;
}

Ticks tick_count() {
  (void)counter_per_tick();
  return Ticks{g_kernel.per_tick.divide(arch::timer_now())};
}

bool scheduler_running() {
  return g_kernel.running;
}

uint64_t scheduler_run_time() {
  return g_kernel.running ? arch::timer_now() - g_kernel.started_at : 0;
}
bool wait_refused_here() {
  const KernelState& k = g_kernel;
  return !(k.lock == 0 && k.isr_nesting == 0);  // GCC: one 64-bit load and test
}
bool task_may_block() {
  return g_kernel.running && !wait_refused_here();
}
bool in_isr() {
  return g_kernel.isr_nesting > 0;
}
arch::ArchContext* running_context() {
  Task* t = g_kernel.current;
  return t != nullptr ? &t->context : nullptr;
}
void request_switch() {
  g_kernel.switch_pending = true;
}
void set_hooks(const KernelHooks& hooks) {
  CriticalSection cs;
  g_kernel.hooks = hooks;
  g_kernel.last_tick_hook = tick_count();
  if (g_kernel.running) update_timer();
}

CriticalSection::CriticalSection() : saved_(arch::irq_save()) {
  ++g_kernel.nesting;
}

CriticalSection::~CriticalSection() {
  KernelState& k = g_kernel;
  if (--k.nesting == 0 && switch_due(k)) schedule();
  arch::irq_restore(saved_);
}

void scheduler_lock() {
  CriticalSection cs;
  ++g_kernel.lock;
}

bool scheduler_unlock() {
  KernelState& k = g_kernel;
  CriticalSection cs;
  if (k.lock == 0) panic("scheduler_unlock without scheduler_lock");
  --k.lock;
  // The end of this critical section is the end of the outermost one, and
  // it switches to another task.
  if (k.nesting != 1 || !switch_due(k)) return false;
  const Task* next = k.ready.highest();
  return next != nullptr && next != k.current;
}

bool scheduler_locked() {
  return g_kernel.lock > 0;
}

void isr_enter() {
  ++g_kernel.isr_nesting;
}

void isr_exit() {
  KernelState& k = g_kernel;
  --k.isr_nesting;
  if (switch_due(k)) schedule();
}

void slice_start_new(uint64_t now) {
  KernelState& k = g_kernel;
  // counter_per_tick() ran at scheduler_start: the divider is set.
  const uint64_t tick = k.per_tick.divide(now);
  k.slice_end = Ticks{tick + config::kTimeSliceTicks};
  if (k.slice_end < k.armed_tick) update_timer();
  if (k.armed_tick <= k.slice_end) k.slice_valid_until = (tick + 1) * k.counter_per_tick;
}

// Picks the highest-priority ready task and switches to it (interrupts
// masked). Returns when the calling task runs again.
void schedule() {
  KernelState& k = g_kernel;
  k.switch_pending = false;
  Task* prev = k.current;
  check_canary(prev);
  Task* next = k.ready.highest();
  if (next == prev) return;
  if (prev->state == TaskState::kRunning) prev->state = TaskState::kReady;
  switch_to(k, prev, next, k.nesting);
}

// Yield switches at once when it can: from task context outside any critical
// section, with the scheduler running, unlocked and no switch pending, the
// running task is first on the highest ready level, so the task after it on
// that level is the one to run. Anything else goes the general way: the
// rotation, and a switch when the critical section ends (or when the
// scheduler is unlocked).
void task_yield() {
  KernelState& k = g_kernel;
  const uint64_t saved = arch::irq_save();
  Task* cur = k.current;
  // One test for the four conditions, and a scheduler that runs.
  if ((k.nesting | k.lock | k.isr_nesting | uint32_t{k.switch_pending}) == 0 && cur != nullptr) {
    check_canary(cur);
    Task* next = ReadyQueues::next_on_level(cur);
    if (next != cur) {
      k.ready.rotate_first(cur);
      cur->state = TaskState::kReady;
      switch_to(k, cur, next, 0);
    }
    arch::irq_restore(saved);
    return;
  }
  arch::irq_restore(saved);
  if (cur == nullptr) return;  // the scheduler has not started
  // `cur` is still the running task: a switch in between came back to it.
  CriticalSection cs;
  k.ready.rotate(cur);
  request_switch();  // taken as the critical section ends
}

// The timer's deadline is the earliest of: the first delayed task's wake
// tick, the running task's slice end (only while it shares its priority),
// the next tick hook. It is computed in ticks and compared with the tick it
// was armed for, so the common case (nothing moved) writes no register and
// multiplies nothing.
//
// The rule that keeps this off the switch path: the timer is never armed
// later than that deadline, but it may be armed earlier (a delayed task was
// woken or deleted, a task stopped sharing its priority). An early interrupt
// finds nothing due and re-arms (on_timer_interrupt): one interrupt, never a
// missed wake-up. So only what makes the deadline earlier must call this:
// a task delaying, a new task sharing the running priority, a new tick hook.
void update_timer() {
  KernelState& k = g_kernel;
  Ticks when = kForever;
  if (Task* first = k.delayed.front()) when = first->wake_tick;
  if (config::kTimeSlicing) {
    const Task* cur = k.current;
    if (cur != nullptr && k.slice_end < when && cur->state == TaskState::kRunning &&
        k.ready.shared(cur->priority))
      when = k.slice_end;
  }
  if (k.hooks.tick != nullptr && k.last_tick_hook + Ticks{1} < when)
    when = k.last_tick_hook + Ticks{1};
  // Armed later than the slice end (the running task is alone at its level,
  // or not running): the next slice to start must look at the timer.
  if (k.slice_end < when) k.slice_valid_until = 0;
  if (when == k.armed_tick) return;
  k.armed_tick = when;
  if (when == kForever) {
    arch::timer_cancel();
    return;
  }
  const uint64_t per_tick = counter_per_tick();
  arch::timer_set_deadline(when.count > k.max_armable_ticks ? UINT64_MAX - 1
                                                            : when.count * per_tick);
}

// A task's time slice starts when a second task joins its level while it
// runs (ready_undelayed, kernel_state.h), and ends at the next tick boundary
// as on FreeRTOS (a slice_end left from an earlier switch would be in the
// past).
bool make_ready(Task* t) {
  KernelState& k = g_kernel;
  bool deadline_moves = false;
  if (t->delayed) {
    // The timer was armed for it if it was the first: re-arm (or disarm)
    // below rather than take an interrupt for nothing.
    deadline_moves = k.delayed.front() == t;
    List<Task, SchedTag>::remove(t);
    t->delayed = false;
  }
  t->state = TaskState::kReady;
  trace::ready(t);
  const Task* alone = k.ready.push_back(t);
  const Task* cur = k.current;
  if (cur == nullptr) return false;  // before the scheduler starts: no timer either
  // ready_undelayed's work, in the order that lets GCC build the frame the
  // calls below need only here, not for a task created before the scheduler
  // runs (at boot).
  const bool preempt = t->priority > cur->priority;
  if (preempt) {
    k.switch_pending = true;
  } else if (config::kTimeSlicing && alone == cur) {  // (of `t`'s priority: no preemption)
    start_slice(arch::timer_now_relaxed());
  }
  if (deadline_moves) update_timer();
  return preempt;
}

void join_delayed(Task* t, Ticks wake_tick) {
  KernelState& k = g_kernel;
  t->wake_tick = wake_tick;
  t->delayed = true;
  k.delayed.insert_sorted(t,
                          [](const Task* a, const Task* b) { return a->wake_tick < b->wake_tick; });
  if (wake_tick < k.armed_tick) update_timer();
}

namespace {

[[gnu::cold, gnu::noinline]] void block_refused(const KernelState& k) {
  if (k.isr_nesting > 0) panic("a blocking call was made from interrupt context");
  panic("a blocking call was made with the scheduler locked");
}

// block_running_inline (switch_core.h), out of line: the copy every
// blocking call but the hot ones shares.
[[gnu::noinline]] WakeReason block_running(WaitQueue* queue, Ticks wake_tick) {
  return block_running_inline(g_kernel.current, queue, wake_tick);
}

}  // namespace

WakeReason block_current(Ticks timeout) {
  return block_current_until(timeout == kForever ? kForever : tick_count() + timeout);
}

// task_delay's wait, which has no error to report: a delay from an interrupt
// handler or with the scheduler locked is a bug, and panics here. (A
// notification's wait has applied the rule already; one test more.)
WakeReason block_current_until(Ticks wake_tick) {
  const KernelState& k = g_kernel;
  if ((k.isr_nesting | k.lock) != 0) [[unlikely]]
    block_refused(k);
  return block_running(nullptr, wake_tick);
}

// Every wait on a wait queue has applied the blocking rule
// (check_may_block, or, for the soft-timer service task, its own test).
WakeReason WaitQueue::wait_until(Ticks wake_tick) {
  return block_running(this, wake_tick);
}

void on_timer_interrupt() {
  KernelState& k = g_kernel;
  trace::timer_fire();
  arch::timer_cancel();  // level-triggered: quiet until re-armed below
  k.armed_tick = kForever;
  const Ticks now = tick_count();
  while (Task* t = k.delayed.front()) {
    if (t->wake_tick > now) break;
    // Off the delayed list here, so that make_ready does not re-arm the
    // timer for each task woken: it is armed once, below.
    List<Task, SchedTag>::remove(t);
    t->delayed = false;
    if (t->wait.queue != nullptr) {
      List<Task, WaitTag>::remove(t);
      t->wait.queue = nullptr;
      owner_wait_ended(t);
    }
    t->wait.reason = WakeReason::kTimeout;
    make_ready(t);
  }
  if (k.hooks.tick != nullptr) {
    while (k.last_tick_hook < now) {
      k.last_tick_hook = k.last_tick_hook + Ticks{1};
      k.hooks.tick();
    }
  }
  Task* cur = k.current;
  if (config::kTimeSlicing && cur != nullptr && cur->state == TaskState::kRunning &&
      now >= k.slice_end && k.ready.shared(cur->priority)) {
    k.ready.rotate(cur);
    request_switch();
    // The next task's slice starts now. Leaving the old, passed slice end
    // would re-arm the timer in the past: an interrupt storm until the
    // switch (schedule() sets the same value again).
    k.slice_end = now + Ticks{config::kTimeSliceTicks};
  }
  update_timer();
}

void set_effective_priority(Task* t, Priority p) {
  KernelState& k = g_kernel;
  if (t->priority == p) return;
  trace::priority_changed(t, p);
  const bool queued = t->state == TaskState::kReady || t->state == TaskState::kRunning;
  if (queued) k.ready.remove(t);
  t->priority = p;
  const Task* alone = nullptr;
  if (queued) {
    // The running task stays at the head of its new level; others go last.
    alone = k.ready.push_back(t);
    if (t == k.current) k.ready.make_first(t);
  } else if (t->state == TaskState::kBlocked && t->wait.queue != nullptr) {
    t->wait.queue->reposition(t);
  }
  if (k.current != nullptr && k.ready.highest() != k.current) request_switch();
  // A level became shared with the running task on it: `t` joined the
  // running task, or the running task joined the one task of its new level.
  if (config::kTimeSlicing && queued && k.current != nullptr &&
      (t == k.current ? alone != nullptr : alone == k.current))
    start_slice(arch::timer_now_relaxed());
  update_timer();
}

Task* idle_task() {
  return g_kernel.running ? &g_idle : nullptr;
}

StopReason scheduler_start() {
  KernelState& k = g_kernel;
  if (k.running) panic("scheduler_start: the scheduler is already running");
  if (k.app_tasks == 0) return StopReason::kNoTasks;
  if (k.started_once) panic("scheduler_start: the scheduler has run before; it starts only once");
  k.started_once = true;

  TaskConfig idle{"idle", 0, sizeof g_idle_stack, idle_main, nullptr};
  auto created = task_create_static(idle, &g_idle, g_idle_stack, sizeof g_idle_stack);
  if (!created) panic("idle task: %s", created.error().message);
  task_mark_system(&g_idle);

  CriticalSection cs;
  k.running = true;
  k.switch_pending = false;
  Task* first = k.ready.highest();
  first->state = TaskState::kRunning;
  k.current = first;
  k.started_at = arch::timer_now();
  first->run_time -= k.started_at;  // running: see Task::run_time
  k.slice_end = tick_count() + Ticks{config::kTimeSliceTicks};
  k.slice_valid_until = 0;
  k.last_tick_hook = tick_count();
  update_timer();
  k.nesting = 0;
  trace::started(first);
  arch::context_switch(arch::boot_context(), first->context);
  // Back from scheduler_stop().
  k.running = false;
  reap_terminated();
  k.current = nullptr;
  arch::timer_cancel();
  k.armed_tick = kForever;
  return k.stop_reason;
}

void scheduler_stop(StopReason reason) {
  KernelState& k = g_kernel;
  arch::irq_save();
  k.stop_reason = reason;
  k.nesting = 1;                             // scheduler_start's critical section
  k.current->run_time += arch::timer_now();  // no longer running: its total
  trace::stopped(k.current);
  arch::context_switch(k.current->context, arch::boot_context());
}

void scheduler_end() {
  scheduler_stop(StopReason::kEnded);
}

void kernel_reset() {
  KernelState& k = g_kernel;
  if (k.running) panic("kernel_reset while the scheduler runs");
  soft_timer_reset_module();
  while (Task* t = k.all.pop_front()) free_task_memory(t);
  while (Task* t = k.terminated.pop_front()) free_task_memory(t);
  k.~KernelState();
  new (&k) KernelState();
  arch::context_destroy(g_idle.context);
  g_idle.~Task();
  new (&g_idle) Task();
}

}  // namespace petrel::kernel
