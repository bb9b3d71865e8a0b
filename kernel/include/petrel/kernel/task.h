// Tasks: creation (static or from the heap), deletion, suspension, delays,
// priorities, names, state and run-time statistics.
//
// A Task is the kernel's control block. Kernel modules use its fields
// directly (they are documented below); applications use the functions.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/context.h"
#include "petrel/kernel/config.h"
#include "petrel/kernel/list.h"
#include "petrel/kernel/ticks.h"
#include "petrel/result.h"

namespace petrel::kernel {

struct SchedTag;  // ready lists, the delayed list
struct WaitTag;   // a WaitQueue
struct AllTag;    // the list of all tasks
class WaitQueue;
struct WaitQueueOwner;
struct Mutex;
struct QueueWaiter;  // queue.cc
struct Task;

using Priority = uint8_t;
using TaskEntry = void (*)(void* arg);

enum class TaskState : uint8_t { kRunning, kReady, kBlocked, kSuspended, kDeleted };

// Why a blocked task woke up.
enum class WakeReason : uint8_t {
  kNone,
  kSignaled,  // what it waited for happened (or may have: retry)
  kGranted,   // what it waited for was handed to it (WakeRule::kHandOver): its call succeeded
  kTimeout,   // its timeout passed
  kAborted,   // the wait was aborted (task_abort_delay, object deleted)
};

enum class NotifyState : uint8_t { kIdle, kWaiting, kPending };

// A task's wait: the queue it is blocked on, why its last wait ended, the
// blocking call it is in, and what it asked for. Written with interrupts
// masked by the wait queue, the scheduler and the primitive of the call.
struct WaitRecord {
  WaitQueue* queue = nullptr;             // blocked on it (nullptr: not on a queue)
  const WaitQueueOwner* owner = nullptr;  // that queue's owner hook (OwnedWaitQueue)
  WakeReason reason = WakeReason::kNone;  // why the last wait ended
  bool suspended = false;                 // ... by task_suspend (reason kAborted)
  // The blocking call in progress (BlockingCall, wait_queue.h): its object,
  // and whether that object was deleted meanwhile.
  bool call_object_deleted = false;
  const void* call_object = nullptr;
  // Set by a primitive that handed this blocked task something (a semaphore
  // unit, a queue item) it has not taken up yet; task_delete calls it so the
  // hand-over is not lost with the task.
  void (*undo_handoff)(Task* task) = nullptr;
  // The mutex it is in mutex_lock for (mutex.cc; kept after a timeout or a
  // hand-over until the call returns).
  Mutex* mutex = nullptr;
  // What the task asked for, per primitive: only the primitive whose call
  // the task is in reads or writes its member.
  union Detail {
    void* start;           // task.cc: the entry record, until the task first runs
    QueueWaiter* queue;    // queue.cc: the request, on the task's stack
    uint32_t event_group;  // event_group.cc: awaited bits and mode, then the outcome
    bool mutex_deleted;    // mutex.cc: the mutex was deleted during the wait
  } detail = {nullptr};
};

struct Task : ListNode<SchedTag>, ListNode<WaitTag>, ListNode<AllTag> {
  // --- scheduling (guarded by interrupts off) ---
  arch::ArchContext context;
  TaskState state = TaskState::kReady;
  Priority priority = 0;       // effective (raised by priority inheritance)
  Priority base_priority = 0;  // as set by the application
  bool delayed = false;        // on the delayed list (wake_tick valid)
  Ticks wake_tick;             // when `delayed`: when to wake
  WaitRecord wait;

  // --- priority inheritance ---
  // The owner hook (wait_queue.h) of the objects this task has owned or
  // waited for; set by the primitive, never cleared. task_delete and
  // task_set_priority go through it; nullptr: nothing to inherit or release.
  const WaitQueueOwner* owner_hooks = nullptr;
  Mutex* held_mutexes = nullptr;  // singly linked through Mutex::next_held

  // --- notifications ---
  uint32_t notify_value[config::kNotifyIndices] = {};
  NotifyState notify_state[config::kNotifyIndices] = {};

  // --- memory ---
  uint8_t* stack_base = nullptr;  // lowest address
  size_t stack_size = 0;
  bool dynamic = false;  // control block and stack came from the heap
  bool system = false;   // the kernel's own (idle, timer service)
  bool faulted = false;  // stopped by a fault (task_fault.cc), ending

  // --- identity and statistics ---
  char name[config::kTaskNameLength] = {};
  uint32_t id = 0;
  // Timer counter units spent running; while the task runs, that total less
  // the counter value at its switch-in (so a switch is one add and one
  // subtract): read it through task_info().
  uint64_t run_time = 0;
  void* user_data = nullptr;  // TaskConfig::user_data(_size), for API layers
};

struct TaskConfig {
  const char* name = "task";
  Priority priority = 1;
  size_t stack_size = 4096;
  TaskEntry entry = nullptr;
  void* arg = nullptr;
  // Storage an API layer keeps per task (the FreeRTOS layer's task tag and
  // thread-local storage pointers), in Task::user_data before the task
  // first runs. task_create allocates `user_data_size` zeroed bytes,
  // 16-byte aligned, in the control block's heap block (freed with it);
  // task_create_static takes the caller's `user_data` as it is.
  size_t user_data_size = 0;
  void* user_data = nullptr;
};

// Creates a task whose control block and stack come from the kernel heap.
// Fails cleanly (kNoMemory) when the heap cannot hold them. The stack has
// config.stack_size bytes for the task, plus room for its thread-local
// storage (the C library's errno and friends, arch::tls_reserve()).
Result<Task*> task_create(const TaskConfig& config);
// Creates a task in caller-provided storage; no heap involved. `stack` must
// be 16-byte aligned and at least config::kMinStackSize bytes plus what the
// task's thread-local storage takes from its top (arch::tls_reserve(): 0
// unless the image has thread-local variables, such as the C library's).
Result<Task*> task_create_static(const TaskConfig& config, Task* storage, void* stack,
                                 size_t stack_size);
// Deletes `task` (nullptr: the calling task, which then never returns).
// Its waits are cancelled and the mutexes it holds released.
void task_delete(Task* task);

// Marks a task as the kernel's own (the timer service): the scheduler stops
// with kNoTasks when the last task that is not the kernel's own has ended.
void task_mark_system(Task* task);

Task* task_current();
void task_yield();
// Blocks the caller for `ticks` (0: yield).
void task_delay(Ticks ticks);
// Blocks until *previous_wake + period and advances *previous_wake by the
// period, so a periodic task keeps its period exactly, without drift.
// Returns false (and does not block) if that time has already passed.
bool task_delay_until(Ticks* previous_wake, Ticks period);
// Wakes a task from task_delay / a blocking wait early (it sees kAborted).
bool task_abort_delay(Task* task);

void task_suspend(Task* task);  // nullptr: the caller
void task_resume(Task* task);
// From interrupt context: returns true when the resumed task should run
// before the interrupted one (a switch happens on interrupt exit).
bool task_resume_from_isr(Task* task);

Priority task_priority(const Task* task);  // effective priority
void task_set_priority(Task* task, Priority priority);
TaskState task_state(const Task* task);
const char* task_name(const Task* task);
Task* task_find(const char* name);
// Bytes of stack never used so far (the high-water mark, from the bottom).
size_t task_stack_unused(const Task* task);
size_t task_count();

// A snapshot of every live task, for statistics (like uxTaskGetSystemState).
struct TaskInfo {
  const Task* task;
  const char* name;
  uint32_t id;
  TaskState state;
  Priority priority;
  Priority base_priority;
  uint64_t run_time;          // timer counter units
  const uint8_t* stack_base;  // lowest address
  size_t stack_size;
  size_t stack_unused;
};
// One live task (nullptr: the caller), with its high-water mark only when
// asked (stack_unused 0 otherwise: the scan reads the whole unused stack).
// kNotFound when `task` is not a live task.
Result<TaskInfo> task_info(const Task* task, bool with_stack_unused);
// Fills `out` with up to `max` tasks, in creation order; returns how many.
size_t task_list(TaskInfo* out, size_t max);
// Calls `visit(info, context)` for every live task, in creation order, all
// in one critical section (so the set cannot change meanwhile: `visit` must
// be short and must not block); returns the number of tasks.
size_t task_visit(void (*visit)(const TaskInfo& info, void* context), void* context);

// The task whose stack guard page holds `address`, if any (fault reports).
const Task* task_by_stack_guard(uintptr_t address);

// --- a task's fault (for the architecture's fault handlers) ---
// Called by a fault handler for a fault in task context; `irqs_masked`: the
// faulting code ran with interrupts masked (any critical region: the
// kernel's, the heap's, a driver's). Returns the running task, marked
// faulted, when the fault may stop that task alone: an application task
// (not the kernel's own), outside critical sections, the scheduler lock and
// masked interrupts, not in an interrupt handler, not already faulted, and
// not the last application task unless a task_fault hook is installed.
// nullptr: the domain must crash; `*why_not` then says why ("the task was
// in a critical section", ...), or is nullptr when no task was running.
Task* task_fault_begin(bool irqs_masked, const char** why_not);
// Where the fault handler resumes a task that task_fault_begin stopped, on
// the task's own stack (from its top): calls the task_fault hook, if any,
// then deletes the task (its mutexes are released, its memory freed).
[[noreturn]] void task_fault_end();

}  // namespace petrel::kernel
