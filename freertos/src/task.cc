// Petrel's FreeRTOS-compatible API: tasks, the scheduler and notifications
// (task.h), on petrel/kernel/task.h, sched.h and notify.h.
#include <stdarg.h>

#include "internal.h"
#include "petrel/arch.h"
#include "petrel/fmt.h"
#include "petrel/kernel/notify.h"
#include "petrel/kernel/soft_timer.h"
#include "petrel/time.h"

namespace petrel::freertos {
void install_hooks();
void timers_on_scheduler_start();
}  // namespace petrel::freertos

using namespace petrel;
using namespace petrel::freertos;
using kernel::Task;

namespace {

// FreeRTOS asserts on a priority at or above configMAX_PRIORITIES and then
// uses the highest one.
kernel::Priority checked_priority(const char* call, UBaseType_t p) {
  if (p >= configMAX_PRIORITIES) {
    PETREL_FR_MISUSE(call, "priority at or above configMAX_PRIORITIES");
    return configMAX_PRIORITIES - 1;
  }
  return static_cast<kernel::Priority>(p);
}

// A task handle that must not be NULL; nullptr after reporting it.
Task* required_task(const char* call, TaskHandle_t h) {
  if (h == nullptr) PETREL_FR_MISUSE(call, "NULL task handle");
  return task_of(h);
}

// NULL means the calling task (FreeRTOS's rule for most task calls).
Task* task_or_self(TaskHandle_t h) {
  return h != nullptr ? task_of(h) : kernel::task_current();
}

bool checked_index(const char* call, UBaseType_t index) {
  if (index >= configTASK_NOTIFICATION_ARRAY_ENTRIES) {
    PETREL_FR_MISUSE(call, "notification index at or above configTASK_NOTIFICATION_ARRAY_ENTRIES");
    return false;
  }
  return true;
}

bool checked_action(const char* call, eNotifyAction action, kernel::NotifyAction* out) {
  switch (action) {
    case eNoAction:
      *out = kernel::NotifyAction::kNone;
      return true;
    case eSetBits:
      *out = kernel::NotifyAction::kSetBits;
      return true;
    case eIncrement:
      *out = kernel::NotifyAction::kIncrement;
      return true;
    case eSetValueWithOverwrite:
      *out = kernel::NotifyAction::kSetValueOverwrite;
      return true;
    case eSetValueWithoutOverwrite:
      *out = kernel::NotifyAction::kSetValueNoOverwrite;
      return true;
  }
  PETREL_FR_MISUSE(call, "unknown eNotifyAction");
  return false;
}

eTaskState state_of(kernel::TaskState state) {
  switch (state) {
    case kernel::TaskState::kRunning:
      return eRunning;
    case kernel::TaskState::kReady:
      return eReady;
    case kernel::TaskState::kBlocked:
      return eBlocked;
    case kernel::TaskState::kSuspended:
      return eSuspended;
    case kernel::TaskState::kDeleted:
      return eDeleted;
  }
  return eInvalid;
}

bool not_in_isr(const char* call) {
  if (!kernel::in_isr()) return true;
  PETREL_FR_MISUSE(call, "called from interrupt context");
  return false;
}

// ---- a task's tag and thread-local storage pointers ----
// Kept in the kernel task's user data (TaskConfig::user_data): allocated
// with a heap task's control block, in a StaticTask_t behind the kernel's
// Task, and here for the two tasks the kernel creates itself (idle, timer
// service). Nothing at all when the application enables neither.
constexpr size_t kTlsSlots = configNUM_THREAD_LOCAL_STORAGE_POINTERS;
constexpr bool kHasExtras = configUSE_APPLICATION_TASK_TAG == 1 || kTlsSlots > 0;
struct TaskExtras {
  TaskHookFunction_t tag;
  void* tls[kTlsSlots > 0 ? kTlsSlots : 1];
};
constexpr size_t kExtrasOffset =
    (sizeof(Task) + alignof(TaskExtras) - 1) & ~(alignof(TaskExtras) - 1);
static_assert(!kHasExtras || kExtrasOffset + sizeof(TaskExtras) <= sizeof(StaticTask_t),
              "configNUM_THREAD_LOCAL_STORAGE_POINTERS: too many to fit in StaticTask_t beside "
              "Petrel's task");
TaskExtras g_idle_extras, g_timer_extras;

// nullptr: a task created outside the FreeRTOS API (the native one).
TaskExtras* extras_of(Task* t) {
  if (t == nullptr) return nullptr;
  if (t->user_data != nullptr) return static_cast<TaskExtras*>(t->user_data);
  if (t == kernel::idle_task()) return &g_idle_extras;
  if (t == kernel::soft_timer_service_task()) return &g_timer_extras;
  return nullptr;
}

[[maybe_unused]] TaskExtras* required_extras(const char* call, TaskHandle_t h) {
  Task* t = task_or_self(h);
  TaskExtras* e = extras_of(t);
  if (e == nullptr)
    PETREL_FR_MISUSE(call, t == nullptr
                               ? "NULL task handle before the scheduler starts"
                               : "a task created outside the FreeRTOS API has no tag or storage "
                                 "pointers");
  return e;
}

[[maybe_unused]] bool tls_index_ok(BaseType_t index) {
  return index >= 0 && static_cast<size_t>(index) < kTlsSlots;
}

BaseType_t notify_common(const char* call, TaskHandle_t h, UBaseType_t index, uint32_t value,
                         eNotifyAction action, uint32_t* previous, BaseType_t* woken,
                         bool from_isr) {
  Task* t = required_task(call, h);
  kernel::NotifyAction a;
  if (t == nullptr || !checked_index(call, index) || !checked_action(call, action, &a))
    return pdFAIL;
  Status s = ok();
  if (from_isr) {
    bool w = false;
    s = kernel::notify_and_query_from_isr(t, static_cast<unsigned>(index), value, a, previous, &w);
    set_woken(woken, w);
  } else {
    s = kernel::notify_and_query(t, static_cast<unsigned>(index), value, a, previous);
  }
  return s.ok() ? pdPASS : pdFAIL;
}

}  // namespace

extern "C" {

// ---- creation and deletion ----

BaseType_t xTaskCreate(TaskFunction_t code, const char* name, configSTACK_DEPTH_TYPE depth,
                       void* params, UBaseType_t priority, TaskHandle_t* created) {
  if (code == nullptr) {
    PETREL_FR_MISUSE("xTaskCreate", "NULL task function");
    return errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY;
  }
  kernel::TaskConfig config{name != nullptr ? name : "", checked_priority("xTaskCreate", priority),
                            static_cast<size_t>(depth) * sizeof(StackType_t), code, params};
  if (config.stack_size < kernel::config::kMinStackSize)
    config.stack_size = kernel::config::kMinStackSize;
  if (kHasExtras) config.user_data_size = sizeof(TaskExtras);
  auto t = kernel::task_create(config);
  if (!t) {
    if (t.error().code == Errc::kNoMemory) malloc_failed();
    return errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY;
  }
  if (created != nullptr) *created = handle_of(*t);
  return pdPASS;
}

TaskHandle_t xTaskCreateStatic(TaskFunction_t code, const char* name, configSTACK_DEPTH_TYPE depth,
                               void* params, UBaseType_t priority, StackType_t* stack,
                               StaticTask_t* buffer) {
  if (code == nullptr || stack == nullptr || buffer == nullptr) {
    PETREL_FR_MISUSE("xTaskCreateStatic", code == nullptr    ? "NULL task function"
                                          : stack == nullptr ? "NULL stack buffer"
                                                             : "NULL task buffer");
    return nullptr;
  }
  // Petrel wants a 16-byte aligned stack; FreeRTOS only StackType_t's.
  auto base = reinterpret_cast<uintptr_t>(stack);
  const uintptr_t aligned = (base + 15) & ~uintptr_t{15};
  size_t bytes = static_cast<size_t>(depth) * sizeof(StackType_t);
  bytes = bytes > aligned - base ? bytes - (aligned - base) : 0;
  if (bytes < kernel::config::kMinStackSize) {
    PETREL_FR_MISUSE("xTaskCreateStatic", "stack smaller than Petrel's minimum (1024 bytes)");
    return nullptr;
  }
  kernel::TaskConfig config{name != nullptr ? name : "",
                            checked_priority("xTaskCreateStatic", priority), bytes, code, params};
  if (kHasExtras) {
    config.user_data = new (reinterpret_cast<unsigned char*>(buffer) + kExtrasOffset) TaskExtras{};
  }
  auto t = kernel::task_create_static(config, reinterpret_cast<Task*>(buffer),
                                      reinterpret_cast<void*>(aligned), bytes);
  if (!t) {
    // E.g. "task: stack too small for its thread-local storage".
    PETREL_FR_MISUSE("xTaskCreateStatic", t.error().message);
    return nullptr;
  }
  return handle_of(*t);
}

void vTaskDelete(TaskHandle_t task) {
  if (task == nullptr && kernel::in_isr()) {
    PETREL_FR_MISUSE("vTaskDelete", "NULL (the calling task) from interrupt context");
    return;
  }
  kernel::task_delete(task_of(task));
}

// ---- control ----

void vTaskDelay(TickType_t ticks) {
  bool misuse;
  const kernel::Ticks wait = checked_wait("vTaskDelay", ticks, &misuse);
  if (misuse || !kernel::scheduler_running()) return;
  kernel::task_delay(wait);
}

BaseType_t xTaskDelayUntil(TickType_t* previous, TickType_t increment) {
  if (previous == nullptr || increment == 0) {
    PETREL_FR_MISUSE("xTaskDelayUntil",
                     previous == nullptr ? "NULL previous wake time" : "time increment of 0");
    return pdFALSE;
  }
  bool misuse;
  checked_wait("xTaskDelayUntil", increment, &misuse);
  if (misuse) return pdFALSE;
  // In 32-bit tick arithmetic, the wake time is *previous + increment and
  // lies ahead exactly when fewer than `increment` ticks have passed since
  // *previous, whether or not the tick count or the wake time wrapped. The
  // kernel's 64-bit ticks then give the absolute wake tick.
  BaseType_t delayed = pdFALSE;
  {
    kernel::CriticalSection cs;
    const kernel::Ticks now = kernel::tick_count();
    const uint32_t elapsed = static_cast<uint32_t>(now.count) - *previous;
    *previous += increment;
    if (elapsed < increment && kernel::scheduler_running()) {
      kernel::Ticks base{0};
      kernel::task_delay_until(&base, kernel::Ticks{now.count + (increment - elapsed)});
      delayed = pdTRUE;
    }
  }
  // FreeRTOS yields at the end of xTaskDelayUntil whether or not it delayed:
  // a task that is late lets the tasks of its priority run first.
  if (delayed == pdFALSE && kernel::scheduler_running()) kernel::task_yield();
  return delayed;
}

void vTaskDelayUntil(TickType_t* previous, TickType_t increment) {
  (void)xTaskDelayUntil(previous, increment);
}

BaseType_t xTaskAbortDelay(TaskHandle_t task) {
  Task* t = required_task("xTaskAbortDelay", task);
  if (t == nullptr) return pdFAIL;
  return kernel::task_abort_delay(t) ? pdPASS : pdFAIL;
}

UBaseType_t uxTaskPriorityGet(TaskHandle_t task) {
  // The priority it runs at, inherited from a mutex waiter included (as
  // FreeRTOS's uxTaskPriorityGet).
  Task* t = task_or_self(task);
  return t != nullptr ? kernel::task_priority(t) : 0;
}

UBaseType_t uxTaskPriorityGetFromISR(TaskHandle_t task) {
  return uxTaskPriorityGet(task);
}

void vTaskPrioritySet(TaskHandle_t task, UBaseType_t priority) {
  const kernel::Priority p = checked_priority("vTaskPrioritySet", priority);
  Task* t = task_or_self(task);
  if (t != nullptr) kernel::task_set_priority(t, p);
}

void vTaskSuspend(TaskHandle_t task) {
  if (task == nullptr && !not_in_isr("vTaskSuspend")) return;
  if (task == nullptr && kernel::scheduler_locked()) {
    PETREL_FR_MISUSE("vTaskSuspend", "suspending the calling task with the scheduler suspended");
    return;
  }
  kernel::task_suspend(task_of(task));
}

void vTaskResume(TaskHandle_t task) {
  Task* t = required_task("vTaskResume", task);
  if (t != nullptr) kernel::task_resume(t);
}

BaseType_t xTaskResumeFromISR(TaskHandle_t task) {
  Task* t = required_task("xTaskResumeFromISR", task);
  if (t == nullptr) return pdFALSE;
  return kernel::task_resume_from_isr(t) ? pdTRUE : pdFALSE;
}

// ---- scheduler ----

void vTaskStartScheduler(void) {
  if (kernel::scheduler_running()) {
    PETREL_FR_MISUSE("vTaskStartScheduler", "the scheduler is already running");
    return;
  }
  install_hooks();
  g_idle_extras = TaskExtras{};
  g_timer_extras = TaskExtras{};
  timers_on_scheduler_start();  // configUSE_TIMERS: the timer daemon
  // Returns when vTaskEndScheduler is called or every application task has
  // ended (and, on the host port, when every task waits forever).
  (void)kernel::scheduler_start();
}

void vTaskEndScheduler(void) {
  if (!kernel::scheduler_running() || kernel::in_isr()) {
    PETREL_FR_MISUSE("vTaskEndScheduler", kernel::in_isr() ? "called from interrupt context"
                                                           : "the scheduler is not running");
    return;
  }
  kernel::scheduler_end();
}

void vTaskSuspendAll(void) {
  kernel::scheduler_lock();
}

BaseType_t xTaskResumeAll(void) {
  if (!kernel::scheduler_locked()) {
    PETREL_FR_MISUSE("xTaskResumeAll", "no matching vTaskSuspendAll");
    return pdFALSE;
  }
  return kernel::scheduler_unlock() ? pdTRUE : pdFALSE;
}

BaseType_t xTaskGetSchedulerState(void) {
  if (!kernel::scheduler_running()) return taskSCHEDULER_NOT_STARTED;
  return kernel::scheduler_locked() ? taskSCHEDULER_SUSPENDED : taskSCHEDULER_RUNNING;
}

// ---- utilities ----

TickType_t xTaskGetTickCount(void) {
  return static_cast<TickType_t>(kernel::tick_count().count);  // the low 32 bits
}

TickType_t xTaskGetTickCountFromISR(void) {
  return xTaskGetTickCount();
}

UBaseType_t uxTaskGetNumberOfTasks(void) {
  return kernel::task_count();
}

char* pcTaskGetName(TaskHandle_t task) {
  Task* t = task_or_self(task);
  if (t == nullptr) {
    PETREL_FR_MISUSE("pcTaskGetName", "NULL task handle and no running task");
    return nullptr;
  }
  return t->name;
}

TaskHandle_t xTaskGetHandle(const char* name) {
  return name != nullptr ? handle_of(kernel::task_find(name)) : nullptr;
}

TaskHandle_t xTaskGetCurrentTaskHandle(void) {
  return handle_of(kernel::task_current());
}

eTaskState eTaskGetState(TaskHandle_t task) {
  Task* t = required_task("eTaskGetState", task);
  return t != nullptr ? state_of(kernel::task_state(t)) : eInvalid;
}

UBaseType_t uxTaskGetStackHighWaterMark(TaskHandle_t task) {
  Task* t = task_or_self(task);
  return t != nullptr ? kernel::task_stack_unused(t) / sizeof(StackType_t) : 0;
}

configSTACK_DEPTH_TYPE uxTaskGetStackHighWaterMark2(TaskHandle_t task) {
  return static_cast<configSTACK_DEPTH_TYPE>(uxTaskGetStackHighWaterMark(task));
}

TaskHandle_t xTaskGetIdleTaskHandle(void) {
  Task* idle = kernel::idle_task();
  if (idle == nullptr) PETREL_FR_MISUSE("xTaskGetIdleTaskHandle", "the scheduler has not started");
  return handle_of(idle);
}

// ---- a timeout across several waits ----
// The record holds the kernel's 64-bit tick count, split as FreeRTOS's
// fields are (the upper bits in xOverflowCount), so no wrap is ambiguous.

namespace {
uint64_t recorded_tick(const TimeOut_t* t) {
  return static_cast<uint64_t>(static_cast<UBaseType_t>(t->xOverflowCount)) << 32 |
         static_cast<uint32_t>(t->xTimeOnEntering);
}
void record_tick(TimeOut_t* t, uint64_t tick) {
  t->xOverflowCount = static_cast<BaseType_t>(tick >> 32);
  t->xTimeOnEntering = static_cast<TickType_t>(tick);
}
}  // namespace

void vTaskSetTimeOutState(TimeOut_t* timeout) {
  if (timeout == nullptr) {
    PETREL_FR_MISUSE("vTaskSetTimeOutState", "NULL TimeOut_t");
    return;
  }
  record_tick(timeout, kernel::tick_count().count);
}

BaseType_t xTaskCheckForTimeOut(TimeOut_t* timeout, TickType_t* ticks_to_wait) {
  if (timeout == nullptr || ticks_to_wait == nullptr) {
    PETREL_FR_MISUSE("xTaskCheckForTimeOut",
                     timeout == nullptr ? "NULL TimeOut_t" : "NULL ticks to wait");
    return pdTRUE;
  }
  if (*ticks_to_wait == portMAX_DELAY) return pdFALSE;
  const uint64_t now = kernel::tick_count().count;
  const uint64_t passed = now - recorded_tick(timeout);
  if (passed < *ticks_to_wait) {
    *ticks_to_wait -= static_cast<TickType_t>(passed);
    record_tick(timeout, now);
    return pdFALSE;
  }
  *ticks_to_wait = 0;
  return pdTRUE;
}

BaseType_t xTaskCatchUpTicks(TickType_t ticks) {
  (void)ticks;
  if (kernel::scheduler_locked())
    PETREL_FR_MISUSE("xTaskCatchUpTicks", "called with the scheduler suspended");
  return pdFALSE;
}

// ---- a task's tag and thread-local storage pointers ----

#if configUSE_APPLICATION_TASK_TAG == 1
void vTaskSetApplicationTaskTag(TaskHandle_t task, TaskHookFunction_t hook) {
  if (TaskExtras* e = required_extras("vTaskSetApplicationTaskTag", task)) e->tag = hook;
}
TaskHookFunction_t xTaskGetApplicationTaskTag(TaskHandle_t task) {
  TaskExtras* e = extras_of(task_or_self(task));
  return e != nullptr ? e->tag : nullptr;
}
TaskHookFunction_t xTaskGetApplicationTaskTagFromISR(TaskHandle_t task) {
  return xTaskGetApplicationTaskTag(task);
}
BaseType_t xTaskCallApplicationTaskHook(TaskHandle_t task, void* parameter) {
  const TaskHookFunction_t hook = xTaskGetApplicationTaskTag(task);
  return hook != nullptr ? hook(parameter) : pdFAIL;
}
#endif

#if configNUM_THREAD_LOCAL_STORAGE_POINTERS > 0
void vTaskSetThreadLocalStoragePointer(TaskHandle_t task, BaseType_t index, void* value) {
  if (!tls_index_ok(index)) return;  // FreeRTOS ignores it
  if (TaskExtras* e = required_extras("vTaskSetThreadLocalStoragePointer", task))
    e->tls[index] = value;
}
void* pvTaskGetThreadLocalStoragePointer(TaskHandle_t task, BaseType_t index) {
  TaskExtras* e = tls_index_ok(index) ? extras_of(task_or_self(task)) : nullptr;
  return e != nullptr ? e->tls[index] : nullptr;
}
#endif

// ---- system state ----

namespace {

// Timer counter units to the microseconds TaskStatus_t reports.
configRUN_TIME_COUNTER_TYPE run_time_us(uint64_t counter_units) {
  if (configGENERATE_RUN_TIME_STATS == 0) return 0;
  return static_cast<configRUN_TIME_COUNTER_TYPE>(
      ticks_to_ns(counter_units, arch::timer_frequency()) / 1000);
}

// A task's run time in timer counter units (64 bits: they never wrap).
uint64_t counter_run_time(const Task* t) {
  if (t == nullptr) return 0;
  auto info = kernel::task_info(t, false);
  return info ? info->run_time : 0;
}

configRUN_TIME_COUNTER_TYPE run_time_of(const Task* t) {
  return run_time_us(counter_run_time(t));
}

// FreeRTOS's share in percent: the run time over a hundredth of the total
// (rounded down; 0 while the total is under 100, and without
// configGENERATE_RUN_TIME_STATS). Taken from the kernel's 64-bit counts,
// which do not wrap as a 32-bit configRUN_TIME_COUNTER_TYPE does after
// about 71 minutes.
uint64_t share_of(uint64_t run_time, uint64_t total) {
  if (configGENERATE_RUN_TIME_STATS == 0) return 0;
  const uint64_t hundredth = total / 100;
  return hundredth > 0 ? run_time / hundredth : 0;
}

configRUN_TIME_COUNTER_TYPE percent_of(const Task* t) {
  return static_cast<configRUN_TIME_COUNTER_TYPE>(
      share_of(counter_run_time(t), kernel::scheduler_run_time()));
}

TaskStatus_t status_of(const kernel::TaskInfo& info, bool stack_space) {
  TaskStatus_t s{};
  s.xHandle = handle_of(const_cast<Task*>(info.task));
  s.pcTaskName = info.name;
  s.xTaskNumber = info.id;
  s.eCurrentState = state_of(info.state);
  s.uxCurrentPriority = info.priority;
  s.uxBasePriority = info.base_priority;
  s.ulRunTimeCounter = run_time_us(info.run_time);
  s.pxStackBase = reinterpret_cast<StackType_t*>(const_cast<uint8_t*>(info.stack_base));
  s.usStackHighWaterMark =
      stack_space ? static_cast<configSTACK_DEPTH_TYPE>(info.stack_unused / sizeof(StackType_t))
                  : 0;
  return s;
}

}  // namespace

configRUN_TIME_COUNTER_TYPE ulTaskGetIdleRunTimeCounter(void) {
  return run_time_of(kernel::idle_task());
}
configRUN_TIME_COUNTER_TYPE ulTaskGetIdleRunTimePercent(void) {
  return percent_of(kernel::idle_task());
}
configRUN_TIME_COUNTER_TYPE ulTaskGetRunTimeCounter(const TaskHandle_t task) {
  return run_time_of(task_or_self(task));
}
configRUN_TIME_COUNTER_TYPE ulTaskGetRunTimePercent(const TaskHandle_t task) {
  return percent_of(task_or_self(task));
}

namespace {

// Every task into array[0 .. size) and, when `run_time` is not null, its run
// time in counter units (64 bits) into run_time[0 .. size); returns the
// number of tasks, which may exceed `size`. All in one critical section:
// the set of tasks cannot change between counting them and filling.
size_t snapshot(TaskStatus_t* array, uint64_t* run_time, UBaseType_t size) {
  struct Fill {
    TaskStatus_t* array;
    uint64_t* run_time;
    UBaseType_t size;
    UBaseType_t n;
  } fill{array, run_time, size, 0};
  return kernel::task_visit(
      [](const kernel::TaskInfo& info, void* context) {
        auto* f = static_cast<Fill*>(context);
        if (f->n < f->size) {
          f->array[f->n] = status_of(info, true);
          if (f->run_time != nullptr) f->run_time[f->n] = info.run_time;
        }
        ++f->n;
      },
      &fill);
}

}  // namespace

UBaseType_t uxTaskGetSystemState(TaskStatus_t* const array, const UBaseType_t size,
                                 configRUN_TIME_COUNTER_TYPE* const total_run_time) {
  if (array == nullptr && size != 0) {
    PETREL_FR_MISUSE("uxTaskGetSystemState", "NULL array");
    return 0;
  }
  const size_t tasks = snapshot(array, nullptr, size);
  if (tasks > size) return 0;  // FreeRTOS: nothing when the array is too small
  if (total_run_time != nullptr) *total_run_time = run_time_us(kernel::scheduler_run_time());
  return static_cast<UBaseType_t>(tasks);
}

void vTaskGetInfo(TaskHandle_t task, TaskStatus_t* status, BaseType_t stack_space,
                  eTaskState state) {
  Task* t = task_or_self(task);
  if (t == nullptr || status == nullptr) {
    PETREL_FR_MISUSE("vTaskGetInfo",
                     status == nullptr ? "NULL status" : "NULL task handle and no running task");
    return;
  }
  // This task alone; its stack is scanned only when asked for.
  const Result<kernel::TaskInfo> info = kernel::task_info(t, stack_space != pdFALSE);
  if (!info) {
    PETREL_FR_MISUSE("vTaskGetInfo", "not a live task");
    return;
  }
  *status = status_of(*info, stack_space != pdFALSE);
  if (state != eInvalid) status->eCurrentState = state;
}

// ---- formatted tables (vTaskList, vTaskGetRunTimeStats) ----

}  // extern "C"

namespace {

// What FreeRTOS's tables print for a state.
char state_letter(eTaskState state) {
  switch (state) {
    case eRunning:
      return 'X';
    case eReady:
      return 'R';
    case eBlocked:
      return 'B';
    case eSuspended:
      return 'S';
    case eDeleted:
      return 'D';
    case eInvalid:
      break;
  }
  return '?';
}

// Appends to a bounded buffer; the text is cut, never overrun.
struct Writer {
  char* buf;
  size_t size;
  size_t used = 0;
  void add(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
    if (used + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    const size_t n = vformat_to(buf + used, size - used, fmt, ap);
    va_end(ap);
    used = n < size - used ? used + n : size - 1;
  }
};

// Calls `row(writer, status, share)` for every task with FreeRTOS's padded
// name already written; `share` is its percentage of the run time (see
// share_of), from the snapshot's 64-bit counts.
template <typename Row>
void write_table(const char* call, char* buffer, size_t size, Row row) {
  if (buffer == nullptr || size == 0) {
    PETREL_FR_MISUSE(call, "NULL buffer");
    return;
  }
  buffer[0] = '\0';
  // Room for a few tasks created meanwhile; the arrays come from the heap,
  // as FreeRTOS's does (nothing is written if they cannot be had): the
  // 64-bit run times first, so the TaskStatus_t array after them is aligned.
  const UBaseType_t room = uxTaskGetNumberOfTasks() + 4;
  auto* run_time =
      static_cast<uint64_t*>(pvPortMalloc(room * (sizeof(uint64_t) + sizeof(TaskStatus_t))));
  if (run_time == nullptr) return;
  auto* status = reinterpret_cast<TaskStatus_t*>(run_time + room);
  size_t n = snapshot(status, run_time, room);
  if (n > room) n = 0;  // as uxTaskGetSystemState: nothing when it does not fit
  const uint64_t total = kernel::scheduler_run_time();
  Writer w{buffer, size};
  for (size_t i = 0; i < n; ++i) {
    w.add("%-*s", configMAX_TASK_NAME_LEN - 1, status[i].pcTaskName);
    row(&w, status[i], share_of(run_time[i], total));
  }
  vPortFree(run_time);
}

void list_tasks(const char* call, char* buffer, size_t size) {
  write_table(call, buffer, size, [](Writer* w, const TaskStatus_t& s, uint64_t) {
    w->add("\t%c\t%u\t%u\t%u\r\n", state_letter(s.eCurrentState),
           static_cast<unsigned>(s.uxCurrentPriority),
           static_cast<unsigned>(s.usStackHighWaterMark), static_cast<unsigned>(s.xTaskNumber));
  });
}

void run_time_stats(const char* call, char* buffer, size_t size) {
  write_table(call, buffer, size, [](Writer* w, const TaskStatus_t& s, uint64_t share) {
    if (share > 0)
      w->add("\t%lu\t\t%lu%%\r\n", static_cast<unsigned long>(s.ulRunTimeCounter),
             static_cast<unsigned long>(share));
    else
      w->add("\t%lu\t\t<1%%\r\n", static_cast<unsigned long>(s.ulRunTimeCounter));
  });
}

// FreeRTOS's unbounded forms: the caller promises room for every line.
constexpr size_t kUnbounded = 40 * 256;

}  // namespace

extern "C" {

void vTaskList(char* buffer) {
  list_tasks("vTaskList", buffer, kUnbounded);
}
void vTaskListTasks(char* buffer, size_t size) {
  list_tasks("vTaskListTasks", buffer, size);
}
void vTaskGetRunTimeStats(char* buffer) {
  run_time_stats("vTaskGetRunTimeStats", buffer, kUnbounded);
}
void vTaskGetRunTimeStatistics(char* buffer, size_t size) {
  run_time_stats("vTaskGetRunTimeStatistics", buffer, size);
}

// ---- notifications ----

BaseType_t xTaskNotifyIndexed(TaskHandle_t t, UBaseType_t index, uint32_t value,
                              eNotifyAction action) {
  return notify_common("xTaskNotifyIndexed", t, index, value, action, nullptr, nullptr, false);
}
BaseType_t xTaskNotify(TaskHandle_t t, uint32_t value, eNotifyAction action) {
  return notify_common("xTaskNotify", t, 0, value, action, nullptr, nullptr, false);
}
BaseType_t xTaskNotifyAndQueryIndexed(TaskHandle_t t, UBaseType_t index, uint32_t value,
                                      eNotifyAction action, uint32_t* previous) {
  return notify_common("xTaskNotifyAndQueryIndexed", t, index, value, action, previous, nullptr,
                       false);
}
BaseType_t xTaskNotifyAndQuery(TaskHandle_t t, uint32_t value, eNotifyAction action,
                               uint32_t* previous) {
  return notify_common("xTaskNotifyAndQuery", t, 0, value, action, previous, nullptr, false);
}
BaseType_t xTaskNotifyIndexedFromISR(TaskHandle_t t, UBaseType_t index, uint32_t value,
                                     eNotifyAction action, BaseType_t* woken) {
  return notify_common("xTaskNotifyIndexedFromISR", t, index, value, action, nullptr, woken, true);
}
BaseType_t xTaskNotifyFromISR(TaskHandle_t t, uint32_t value, eNotifyAction action,
                              BaseType_t* woken) {
  return notify_common("xTaskNotifyFromISR", t, 0, value, action, nullptr, woken, true);
}
BaseType_t xTaskNotifyAndQueryIndexedFromISR(TaskHandle_t t, UBaseType_t index, uint32_t value,
                                             eNotifyAction action, uint32_t* previous,
                                             BaseType_t* woken) {
  return notify_common("xTaskNotifyAndQueryIndexedFromISR", t, index, value, action, previous,
                       woken, true);
}
BaseType_t xTaskNotifyAndQueryFromISR(TaskHandle_t t, uint32_t value, eNotifyAction action,
                                      uint32_t* previous, BaseType_t* woken) {
  return notify_common("xTaskNotifyAndQueryFromISR", t, 0, value, action, previous, woken, true);
}
BaseType_t xTaskNotifyGiveIndexed(TaskHandle_t t, UBaseType_t index) {
  return notify_common("xTaskNotifyGiveIndexed", t, index, 0, eIncrement, nullptr, nullptr, false);
}
BaseType_t xTaskNotifyGive(TaskHandle_t t) {
  return notify_common("xTaskNotifyGive", t, 0, 0, eIncrement, nullptr, nullptr, false);
}
void vTaskNotifyGiveIndexedFromISR(TaskHandle_t t, UBaseType_t index, BaseType_t* woken) {
  (void)notify_common("vTaskNotifyGiveIndexedFromISR", t, index, 0, eIncrement, nullptr, woken,
                      true);
}
void vTaskNotifyGiveFromISR(TaskHandle_t t, BaseType_t* woken) {
  (void)notify_common("vTaskNotifyGiveFromISR", t, 0, 0, eIncrement, nullptr, woken, true);
}

static uint32_t notify_take(const char* call, UBaseType_t index, BaseType_t clear,
                            TickType_t ticks) {
  bool misuse;
  const kernel::Ticks wait = checked_wait(call, ticks, &misuse);
  if (misuse || !checked_index(call, index) || !not_in_isr(call)) return 0;
  if (kernel::task_current() == nullptr) {
    PETREL_FR_MISUSE(call, "no running task (the scheduler has not started)");
    return 0;
  }
  // As FreeRTOS: any notification ends the wait, even one that leaves the
  // value 0 (eNoAction, eSetBits with 0), and the call then returns 0.
  return kernel::notify_take(static_cast<unsigned>(index), clear != pdFALSE, wait,
                             kernel::NotifyTakeWake::kAnyNotification)
      .value_or(0);
}

uint32_t ulTaskNotifyTakeIndexed(UBaseType_t index, BaseType_t clear, TickType_t ticks) {
  return notify_take("ulTaskNotifyTakeIndexed", index, clear, ticks);
}
uint32_t ulTaskNotifyTake(BaseType_t clear, TickType_t ticks) {
  return notify_take("ulTaskNotifyTake", 0, clear, ticks);
}

static BaseType_t notify_wait(const char* call, UBaseType_t index, uint32_t clear_on_entry,
                              uint32_t clear_on_exit, uint32_t* value, TickType_t ticks) {
  bool misuse;
  const kernel::Ticks wait = checked_wait(call, ticks, &misuse);
  if (misuse || !checked_index(call, index) || !not_in_isr(call)) return pdFALSE;
  if (kernel::task_current() == nullptr) {
    PETREL_FR_MISUSE(call, "no running task (the scheduler has not started)");
    return pdFALSE;
  }
  return kernel::notify_wait(static_cast<unsigned>(index), clear_on_entry, clear_on_exit, value,
                             wait)
                 .ok()
             ? pdTRUE
             : pdFALSE;
}

BaseType_t xTaskNotifyWaitIndexed(UBaseType_t index, uint32_t clear_on_entry,
                                  uint32_t clear_on_exit, uint32_t* value, TickType_t ticks) {
  return notify_wait("xTaskNotifyWaitIndexed", index, clear_on_entry, clear_on_exit, value, ticks);
}
BaseType_t xTaskNotifyWait(uint32_t clear_on_entry, uint32_t clear_on_exit, uint32_t* value,
                           TickType_t ticks) {
  return notify_wait("xTaskNotifyWait", 0, clear_on_entry, clear_on_exit, value, ticks);
}

static BaseType_t state_clear(const char* call, TaskHandle_t task, UBaseType_t index) {
  if (!checked_index(call, index)) return pdFALSE;
  return kernel::notify_state_clear(task_of(task), static_cast<unsigned>(index)).value_or(false)
             ? pdTRUE
             : pdFALSE;
}
BaseType_t xTaskNotifyStateClearIndexed(TaskHandle_t task, UBaseType_t index) {
  return state_clear("xTaskNotifyStateClearIndexed", task, index);
}
BaseType_t xTaskNotifyStateClear(TaskHandle_t task) {
  return state_clear("xTaskNotifyStateClear", task, 0);
}

static uint32_t value_clear(const char* call, TaskHandle_t task, UBaseType_t index, uint32_t bits) {
  if (!checked_index(call, index)) return 0;
  return kernel::notify_value_clear(task_of(task), static_cast<unsigned>(index), bits).value_or(0);
}
uint32_t ulTaskNotifyValueClearIndexed(TaskHandle_t task, UBaseType_t index, uint32_t bits) {
  return value_clear("ulTaskNotifyValueClearIndexed", task, index, bits);
}
uint32_t ulTaskNotifyValueClear(TaskHandle_t task, uint32_t bits) {
  return value_clear("ulTaskNotifyValueClear", task, 0, bits);
}

}  // extern "C"
