// Task lifecycle and the task-level API (task.h).
#include "petrel/kernel/task.h"

#include <new>

#include "kernel_state.h"
#include "petrel/arch.h"
#include "petrel/exit.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/trace.h"
#include "petrel/kernel/wait_queue.h"
#include "petrel/string.h"

namespace petrel::kernel {
namespace {

constexpr uint8_t kStackFill = 0xa5;
static_assert(kStackFillWord == 0x0101010101010101ull * kStackFill);

struct Start {
  TaskEntry entry;
  void* arg;
};

// First code of every task: interrupts on, run, and delete itself on return.
void task_trampoline(void* p) {
  Task* t = static_cast<Task*>(p);
  g_kernel.nesting = 0;
  arch::interrupts_enable();
  auto* start = static_cast<Start*>(t->wait.detail.start);
  TaskEntry entry = start->entry;
  void* arg = start->arg;
  t->wait.detail.start = nullptr;
  entry(arg);
  task_delete(nullptr);
}

void copy_name(Task* t, const char* name) {
  size_t i = 0;
  for (; name != nullptr && name[i] != '\0' && i + 1 < sizeof t->name; ++i) t->name[i] = name[i];
  t->name[i] = '\0';
}

// `tls` is what the stack must hold besides kMinStackSize: the task's
// thread-local storage, which a caller-supplied stack gives up at its top
// (arch::tls_reserve()); task_create adds it to the stack it allocates.
Status check_config(const TaskConfig& c, size_t stack_size, size_t tls) {
  if (c.entry == nullptr) return Error{Errc::kInvalid, "task: no entry function"};
  if (c.priority >= config::kPriorities)
    return Error{Errc::kOutOfRange, "task: priority above the configured maximum"};
  if (stack_size < config::kMinStackSize) return Error{Errc::kInvalid, "task: stack too small"};
  if (stack_size - config::kMinStackSize < tls)
    return Error{Errc::kInvalid, "task: stack too small for its thread-local storage"};
  if (stack_size > (SIZE_MAX >> 2)) return Error{Errc::kNoMemory, "task: stack too large"};
  return ok();
}

// The Start record lives at the top of the task's own stack until the task
// runs, so creating a task needs no storage beyond its stack and block.
Task* init_task(const TaskConfig& c, Task* t, void* stack, size_t stack_size, bool dynamic,
                void* user_data) {
  new (t) Task();
  t->user_data = user_data;
  t->stack_base = static_cast<uint8_t*>(stack);
  t->stack_size = stack_size & ~size_t{15};
  t->dynamic = dynamic;
  t->priority = t->base_priority = c.priority;
  copy_name(t, c.name);
  fill_stack(t);
  auto* start = reinterpret_cast<Start*>(t->stack_base + t->stack_size - sizeof(Start));
  start->entry = c.entry;
  start->arg = c.arg;
  t->wait.detail.start = start;
  const size_t usable = (t->stack_size - sizeof(Start)) & ~size_t{15};
  arch::context_init(t->context, t->stack_base, usable, task_trampoline, t);

  CriticalSection cs;
  t->id = g_kernel.next_id++;
  trace::task_created(t);
  g_kernel.all.push_back(t);
  ++g_kernel.app_tasks;
  make_ready(t);
  return t;
}

Task* resolve(Task* t) {
  return t != nullptr ? t : g_kernel.current;
}

}  // namespace

// Stacks are 16-byte aligned and a multiple of 16 bytes long (init_task),
// so the fill and the canary go a word at a time, the fill eight a turn.
// The fill word is passed through an empty asm: left a constant, GCC splits
// it into 32-bit halves that it rebuilds on every turn (15 instructions per
// 32 bytes on AArch64 instead of 7 per 64).
void fill_stack(Task* t) {
  auto* w = reinterpret_cast<StackWord*>(t->stack_base);
  const size_t words = t->stack_size / sizeof(StackWord);  // even: 16-byte multiple
  StackWord fill = kStackFillWord;
  __asm__("" : "+r"(fill));
  size_t i = 0;
  for (; i + 8 <= words; i += 8)
    w[i] = w[i + 1] = w[i + 2] = w[i + 3] = w[i + 4] = w[i + 5] = w[i + 6] = w[i + 7] = fill;
  for (; i < words; i += 2) w[i] = w[i + 1] = fill;
}

void stack_canary_restore(Task* t) {
  auto* w = reinterpret_cast<StackWord*>(t->stack_base);
  for (size_t i = 0; i < kCanaryWords; ++i) w[i] = kStackFillWord;
}

Result<Task*> task_create_static(const TaskConfig& c, Task* storage, void* stack,
                                 size_t stack_size) {
  Status s = check_config(c, stack_size, arch::tls_reserve());
  if (!s) return s.error();
  if (storage == nullptr || stack == nullptr)
    return Error{Errc::kInvalid, "task: no storage for the task or its stack"};
  if ((reinterpret_cast<uintptr_t>(stack) & 15) != 0)
    return Error{Errc::kInvalid, "task: stack not 16-byte aligned"};
  return init_task(c, storage, stack, stack_size, false, c.user_data);
}

Result<Task*> task_create(const TaskConfig& c) {
  Status s = check_config(c, c.stack_size, 0);
  if (!s) return s.error();
  // The control block, then the API layer's user data (16-byte aligned).
  constexpr size_t kTaskBytes = (sizeof(Task) + 15) & ~size_t{15};
  const size_t block_size = kTaskBytes + c.user_data_size;
  void* block = block_size < kTaskBytes ? nullptr : heap_alloc(block_size, alignof(Task));
  if (block == nullptr) return Error{Errc::kNoMemory, "task: heap exhausted (control block)"};
  void* user_data = nullptr;
  if (c.user_data_size > 0) {
    user_data = static_cast<uint8_t*>(block) + kTaskBytes;
    str::fill(user_data, 0, c.user_data_size);
  }
  // With guard pages the stack is page aligned and sits right above an
  // unmapped page of its own allocation.
  constexpr size_t kGuard = arch::kStackGuardSize;
  // The stack asked for, plus the task's thread-local storage on top.
  const size_t size = (c.stack_size + arch::tls_reserve() + 15) & ~size_t{15};
  uint8_t* memory =
      size + kGuard < size
          ? nullptr
          : static_cast<uint8_t*>(heap_alloc(size + kGuard, kGuard > 16 ? kGuard : 16));
  if (memory == nullptr) {
    heap_free(block);
    return Error{Errc::kNoMemory, "task: heap exhausted (stack)"};
  }
  if constexpr (kGuard > 0) {
    Status guarded = arch::stack_guard_install(memory);
    if (!guarded) {
      heap_free(memory);
      heap_free(block);
      return guarded.error();
    }
  }
  return init_task(c, static_cast<Task*>(block), memory + kGuard, size, true, user_data);
}

void remove_from_all_lists(Task* t) {
  KernelState& k = g_kernel;
  if (t->state == TaskState::kReady || t->state == TaskState::kRunning) k.ready.remove(t);
  if (t->delayed) {
    List<Task, SchedTag>::remove(t);
    t->delayed = false;
  }
  if (t->wait.queue != nullptr) {
    List<Task, WaitTag>::remove(t);
    t->wait.queue = nullptr;
  }
}

void task_delete(Task* t) {
  KernelState& k = g_kernel;
  CriticalSection cs;
  t = resolve(t);
  if (t == nullptr || t->state == TaskState::kDeleted) return;
  if (t->system) panic("task_delete: '%s' is the kernel's own task", t->name);
  trace::task_deleted(t);
  if (t->owner_hooks != nullptr) t->owner_hooks->release_all(t);
  if (t->wait.undo_handoff != nullptr && !t->wait.call_object_deleted) t->wait.undo_handoff(t);
  t->wait.undo_handoff = nullptr;
  remove_from_all_lists(t);
  t->state = TaskState::kDeleted;
  arch::context_destroy(t->context);
  List<Task, AllTag>::remove(t);
  if (!t->system) --k.app_tasks;
  if (t == k.current) {
    if (in_isr())
      panic("task_delete: the running task cannot be deleted from an interrupt handler");
    if (k.lock > 0) panic("task_delete: the running task holds the scheduler lock");
    k.terminated.push_back(t);  // its stack is in use: the idle task frees it
    if (k.app_tasks == 0) scheduler_stop(StopReason::kNoTasks);
    schedule();
    panic("a deleted task ran again");
  }
  if (t->dynamic) {
    release_stack(t);
    heap_free(t);
  }
}

void release_stack(Task* t) {
  uint8_t* memory = t->stack_base - arch::kStackGuardSize;
  if constexpr (arch::kStackGuardSize > 0) arch::stack_guard_remove(memory);
  heap_free(memory);
}

const Task* task_by_stack_guard(uintptr_t address) {
  if constexpr (arch::kStackGuardSize == 0) return nullptr;
  List<Task, AllTag>& all = g_kernel.all;
  for (Task* t = all.front(); t != nullptr; t = all.next(t)) {
    const uintptr_t base = reinterpret_cast<uintptr_t>(t->stack_base);
    if (t->dynamic && address < base && address >= base - arch::kStackGuardSize) return t;
  }
  return nullptr;
}

void task_mark_system(Task* t) {
  CriticalSection cs;
  t = resolve(t);
  if (t->system) return;
  t->system = true;
  --g_kernel.app_tasks;
}

Task* task_current() {
  return g_kernel.current;
}

void task_delay(Ticks ticks) {
  if (ticks == kNoWait) {
    task_yield();
    return;
  }
  CriticalSection cs;
  block_current(ticks);
}

bool task_delay_until(Ticks* previous_wake, Ticks period) {
  CriticalSection cs;
  const Ticks next = *previous_wake + period;
  *previous_wake = next;
  if (next <= tick_count()) return false;
  block_current_until(next);  // absolute: no second reading of the clock
  return true;
}

bool task_abort_delay(Task* t) {
  CriticalSection cs;
  if (t == nullptr || t->state != TaskState::kBlocked) return false;
  if (t->wait.queue != nullptr) {
    t->wait.queue->wake(t, WakeReason::kAborted);
    owner_wait_ended(t);
  } else {
    t->wait.reason = WakeReason::kAborted;
    make_ready(t);
  }
  return true;
}

void task_suspend(Task* t) {
  KernelState& k = g_kernel;
  CriticalSection cs;
  t = resolve(t);
  if (t == nullptr || t->state == TaskState::kDeleted || t->state == TaskState::kSuspended) return;
  if (t == k.current && in_isr())
    panic("task_suspend: the running task cannot be suspended from an interrupt handler");
  if (t == k.current && k.lock > 0)
    panic("task_suspend: the running task with the scheduler locked");
  const bool was_waiting = t->state == TaskState::kBlocked;
  remove_from_all_lists(t);
  if (was_waiting) {
    t->wait.reason = WakeReason::kAborted;
    t->wait.suspended = true;  // kWakeAndRetry objects wait on after the resume
  }
  if (was_waiting) owner_wait_ended(t);
  t->state = TaskState::kSuspended;
  if (t == k.current) {
    schedule();
  } else {
    update_timer();
  }
}

void task_resume(Task* t) {
  HotCriticalSection cs;
  if (t != nullptr && t->state == TaskState::kSuspended) make_ready(t);
}

bool task_resume_from_isr(Task* t) {
  CriticalSection cs;
  if (t == nullptr || t->state != TaskState::kSuspended) return false;
  return make_ready(t);
}

Priority task_priority(const Task* t) {
  CriticalSection cs;
  return resolve(const_cast<Task*>(t))->priority;
}

void task_set_priority(Task* t, Priority p) {
  CriticalSection cs;
  t = resolve(t);
  if (p >= config::kPriorities) p = config::kPriorities - 1;
  t->base_priority = p;
  const Priority inherited = t->owner_hooks != nullptr ? t->owner_hooks->inherited_priority(t) : 0;
  set_effective_priority(t, p > inherited ? p : inherited);
}

TaskState task_state(const Task* t) {
  CriticalSection cs;
  return resolve(const_cast<Task*>(t))->state;
}

const char* task_name(const Task* t) {
  return resolve(const_cast<Task*>(t))->name;
}

Task* task_find(const char* name) {
  CriticalSection cs;
  List<Task, AllTag>& all = g_kernel.all;
  for (Task* t = all.front(); t != nullptr; t = all.next(t)) {
    size_t i = 0;
    while (t->name[i] != '\0' && t->name[i] == name[i]) ++i;
    if (t->name[i] == name[i]) return t;
  }
  return nullptr;
}

size_t task_stack_unused(const Task* t) {
  t = resolve(const_cast<Task*>(t));
  size_t n = 0;
  while (n < t->stack_size && t->stack_base[n] == kStackFill) ++n;
  return n;
}

size_t task_count() {
  CriticalSection cs;
  return g_kernel.all.size();
}

namespace {

// Interrupts masked.
TaskInfo info_of(const Task* t, bool with_stack_unused) {
  return TaskInfo{t,
                  t->name,
                  t->id,
                  t->state,
                  t->priority,
                  t->base_priority,
                  t == g_kernel.current ? t->run_time + arch::timer_now() : t->run_time,
                  t->stack_base,
                  t->stack_size,
                  with_stack_unused ? task_stack_unused(t) : 0};
}

}  // namespace

Result<TaskInfo> task_info(const Task* task, bool with_stack_unused) {
  CriticalSection cs;
  const Task* t = task != nullptr ? task : g_kernel.current;
  if (t == nullptr || !List<Task, AllTag>::is_linked(t))
    return Error{Errc::kNotFound, "task: not a live task"};
  return info_of(t, with_stack_unused);
}

size_t task_visit(void (*visit)(const TaskInfo& info, void* context), void* context) {
  CriticalSection cs;
  size_t n = 0;
  List<Task, AllTag>& all = g_kernel.all;
  for (Task* t = all.front(); t != nullptr; t = all.next(t), ++n) visit(info_of(t, true), context);
  return n;
}

size_t task_list(TaskInfo* out, size_t max) {
  struct Fill {
    TaskInfo* out;
    size_t max;
    size_t n;
  } fill{out, max, 0};
  task_visit(
      [](const TaskInfo& info, void* context) {
        auto* f = static_cast<Fill*>(context);
        if (f->n < f->max) f->out[f->n++] = info;
      },
      &fill);
  return fill.n;
}

}  // namespace petrel::kernel
