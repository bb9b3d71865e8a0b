// Petrel's FreeRTOS-compatible API: software timers (timers.h) on
// petrel/kernel/soft_timer.h. The timer daemon is the kernel's timer
// service task, made as FreeRTOS makes its timer task: by
// vTaskStartScheduler, named "Tmr Svc", at configTIMER_TASK_PRIORITY with a
// stack of configTIMER_TASK_STACK_DEPTH words. Timers created and commands
// issued before then wait in its queue. Compiled to nothing unless
// configUSE_TIMERS is 1.
#include "internal.h"

#if configUSE_TIMERS

#include "petrel/kernel/soft_timer.h"
#include "timers.h"

static_assert(configTIMER_TASK_PRIORITY >= 1 && configTIMER_TASK_PRIORITY < configMAX_PRIORITIES,
              "FreeRTOSConfig.h: configTIMER_TASK_PRIORITY must be 1 to configMAX_PRIORITIES - 1");

// The kernel was built with its own timer service configuration
// (PETREL_CONFIG_TIMER_*); FreeRTOSConfig.h must fit in it. A shorter
// configTIMER_QUEUE_LENGTH is enforced at run time (set_queue_length).
static_assert(configTIMER_QUEUE_LENGTH >= 1 &&
                  configTIMER_QUEUE_LENGTH <= petrel::kernel::kTimerQueueLength,
              "FreeRTOSConfig.h: configTIMER_QUEUE_LENGTH is above the kernel's "
              "PETREL_CONFIG_TIMER_QUEUE_LENGTH");
static_assert(static_cast<size_t>(configTIMER_TASK_STACK_DEPTH) * sizeof(StackType_t) <=
                  petrel::kernel::kTimerTaskStackSize,
              "FreeRTOSConfig.h: configTIMER_TASK_STACK_DEPTH (in words) is above the kernel's "
              "PETREL_CONFIG_TIMER_TASK_STACK_SIZE (in bytes)");
static_assert(sizeof(petrel::kernel::SoftTimer) <= sizeof(StaticTimer_t),
              "StaticTimer_t is too small for Petrel's SoftTimer");
static_assert(alignof(petrel::kernel::SoftTimer) <= alignof(StaticTimer_t));

using namespace petrel;
using namespace petrel::freertos;
using kernel::SoftTimer;

namespace {

SoftTimer* timer_of(TimerHandle_t h) {
  return reinterpret_cast<SoftTimer*>(h);
}
TimerHandle_t handle_of_timer(SoftTimer* t) {
  return reinterpret_cast<TimerHandle_t>(t);
}

SoftTimer* required_timer(const char* call, TimerHandle_t h) {
  if (h == nullptr) PETREL_FR_MISUSE(call, "NULL timer handle");
  return timer_of(h);
}

// The kernel calls a callback with its SoftTimer*, which is the
// TimerHandle_t the FreeRTOS callback expects: the same pointer, passed the
// same way, so the user's function is the kernel's callback.
kernel::TimerCallback callback_of(TimerCallbackFunction_t f) {
  return reinterpret_cast<kernel::TimerCallback>(f);
}

// The daemon calls vApplicationDaemonTaskStartupHook first thing, before
// any timer command, when the configuration asks for it.
void daemon_startup() {
  if constexpr (configUSE_DAEMON_TASK_STARTUP_HOOK != 0) vApplicationDaemonTaskStartupHook();
}

// The daemon as FreeRTOS's configuration describes it, made by
// vTaskStartScheduler only; its command queue holds configTIMER_QUEUE_LENGTH
// commands (the kernel's ring may be longer). Set before any command is
// posted (a kernel reset restores the kernel's defaults).
void configure_daemon() {
  kernel::soft_timer_set_queue_length(configTIMER_QUEUE_LENGTH);
  kernel::TimerServiceConfig daemon;
  daemon.name = "Tmr Svc";
  daemon.priority = configTIMER_TASK_PRIORITY;
  daemon.stack_size = static_cast<size_t>(configTIMER_TASK_STACK_DEPTH) * sizeof(StackType_t);
  daemon.startup = daemon_startup;
  daemon.on_first_use = false;
  kernel::soft_timer_configure_service(daemon);
}

TimerHandle_t create(const char* call, const char* name, TickType_t period, UBaseType_t auto_reload,
                     void* id, TimerCallbackFunction_t cb, StaticTimer_t* buffer) {
  if (period == 0 || cb == nullptr) {
    PETREL_FR_MISUSE(call, period == 0 ? "timer period of 0 ticks" : "NULL callback function");
    return nullptr;
  }
  if (kernel::in_isr()) {
    PETREL_FR_MISUSE(call, "called from interrupt context");
    return nullptr;
  }
  configure_daemon();
  kernel::TimerConfig config;
  config.name = name != nullptr ? name : "";
  config.period = kernel::Ticks{period};
  config.mode = auto_reload != pdFALSE ? kernel::TimerMode::kPeriodic : kernel::TimerMode::kOneShot;
  config.callback = callback_of(cb);
  config.id = id;
  Result<SoftTimer*> made =
      buffer != nullptr ? kernel::soft_timer_init(reinterpret_cast<SoftTimer*>(buffer), config)
                        : kernel::soft_timer_create(config);
  if (!made) {
    if (made.error().code == Errc::kNoMemory)
      malloc_failed();
    else if (buffer != nullptr)
      PETREL_FR_MISUSE(call, "the StaticTimer_t holds a live timer");
    return nullptr;
  }
  return handle_of_timer(*made);
}

// Command from a task: xTicksToWait bounds the wait for a queue slot.
template <typename Fn>
BaseType_t command(const char* call, TimerHandle_t h, TickType_t ticks, Fn fn) {
  SoftTimer* t = required_timer(call, h);
  if (t == nullptr) return pdFAIL;
  bool misuse;
  const kernel::Ticks wait = checked_wait(call, ticks, &misuse);
  if (misuse) return pdFAIL;
  return fn(t, wait).ok() ? pdPASS : pdFAIL;
}

template <typename Fn>
BaseType_t command_from_isr(const char* call, TimerHandle_t h, BaseType_t* woken, Fn fn) {
  SoftTimer* t = required_timer(call, h);
  if (t == nullptr) return pdFAIL;
  bool w = false;
  const Status s = fn(t, &w);
  set_woken(woken, w);
  return s.ok() ? pdPASS : pdFAIL;
}

}  // namespace

namespace petrel::freertos {

// vTaskStartScheduler: creates the timer daemon (from static storage: it
// cannot fail for lack of heap), unless an earlier start made it.
void timers_on_scheduler_start() {
  configure_daemon();
  if (Status s = kernel::soft_timer_start_service(); !s)
    PETREL_FR_MISUSE("vTaskStartScheduler", s.error().message);
}

}  // namespace petrel::freertos

extern "C" {

TimerHandle_t xTimerCreate(const char* name, TickType_t period, UBaseType_t auto_reload, void* id,
                           TimerCallbackFunction_t cb) {
  return create("xTimerCreate", name, period, auto_reload, id, cb, nullptr);
}

TimerHandle_t xTimerCreateStatic(const char* name, TickType_t period, UBaseType_t auto_reload,
                                 void* id, TimerCallbackFunction_t cb, StaticTimer_t* buffer) {
  if (buffer == nullptr) {
    PETREL_FR_MISUSE("xTimerCreateStatic", "NULL StaticTimer_t buffer");
    return nullptr;
  }
  return create("xTimerCreateStatic", name, period, auto_reload, id, cb, buffer);
}

BaseType_t xTimerStart(TimerHandle_t h, TickType_t ticks) {
  return command("xTimerStart", h, ticks,
                 [](SoftTimer* t, kernel::Ticks w) { return kernel::soft_timer_start(t, w); });
}
BaseType_t xTimerStop(TimerHandle_t h, TickType_t ticks) {
  return command("xTimerStop", h, ticks,
                 [](SoftTimer* t, kernel::Ticks w) { return kernel::soft_timer_stop(t, w); });
}
BaseType_t xTimerReset(TimerHandle_t h, TickType_t ticks) {
  return command("xTimerReset", h, ticks,
                 [](SoftTimer* t, kernel::Ticks w) { return kernel::soft_timer_reset(t, w); });
}
BaseType_t xTimerChangePeriod(TimerHandle_t h, TickType_t period, TickType_t ticks) {
  if (period == 0) {
    PETREL_FR_MISUSE("xTimerChangePeriod", "timer period of 0 ticks");
    return pdFAIL;
  }
  return command("xTimerChangePeriod", h, ticks, [period](SoftTimer* t, kernel::Ticks w) {
    return kernel::soft_timer_change_period(t, kernel::Ticks{period}, w);
  });
}
BaseType_t xTimerDelete(TimerHandle_t h, TickType_t ticks) {
  return command("xTimerDelete", h, ticks,
                 [](SoftTimer* t, kernel::Ticks w) { return kernel::soft_timer_delete(t, w); });
}

BaseType_t xTimerStartFromISR(TimerHandle_t h, BaseType_t* woken) {
  return command_from_isr("xTimerStartFromISR", h, woken, [](SoftTimer* t, bool* w) {
    return kernel::soft_timer_start_from_isr(t, w);
  });
}
BaseType_t xTimerStopFromISR(TimerHandle_t h, BaseType_t* woken) {
  return command_from_isr("xTimerStopFromISR", h, woken, [](SoftTimer* t, bool* w) {
    return kernel::soft_timer_stop_from_isr(t, w);
  });
}
BaseType_t xTimerResetFromISR(TimerHandle_t h, BaseType_t* woken) {
  return command_from_isr("xTimerResetFromISR", h, woken, [](SoftTimer* t, bool* w) {
    return kernel::soft_timer_reset_from_isr(t, w);
  });
}
BaseType_t xTimerChangePeriodFromISR(TimerHandle_t h, TickType_t period, BaseType_t* woken) {
  if (period == 0) {
    PETREL_FR_MISUSE("xTimerChangePeriodFromISR", "timer period of 0 ticks");
    return pdFAIL;
  }
  return command_from_isr("xTimerChangePeriodFromISR", h, woken, [period](SoftTimer* t, bool* w) {
    return kernel::soft_timer_change_period_from_isr(t, kernel::Ticks{period}, w);
  });
}

BaseType_t xTimerIsTimerActive(TimerHandle_t h) {
  SoftTimer* t = required_timer("xTimerIsTimerActive", h);
  return t != nullptr && kernel::soft_timer_is_active(t) ? pdTRUE : pdFALSE;
}

void* pvTimerGetTimerID(const TimerHandle_t h) {
  SoftTimer* t = required_timer("pvTimerGetTimerID", h);
  return t != nullptr ? kernel::soft_timer_id(t) : nullptr;
}

void vTimerSetTimerID(TimerHandle_t h, void* id) {
  SoftTimer* t = required_timer("vTimerSetTimerID", h);
  if (t != nullptr) kernel::soft_timer_set_id(t, id);
}

const char* pcTimerGetName(TimerHandle_t h) {
  SoftTimer* t = required_timer("pcTimerGetName", h);
  return t != nullptr ? kernel::soft_timer_name(t) : nullptr;
}

TickType_t xTimerGetPeriod(TimerHandle_t h) {
  SoftTimer* t = required_timer("xTimerGetPeriod", h);
  return t != nullptr ? static_cast<TickType_t>(kernel::soft_timer_period(t).count) : 0;
}

TickType_t xTimerGetExpiryTime(TimerHandle_t h) {
  SoftTimer* t = required_timer("xTimerGetExpiryTime", h);
  // The low 32 bits, like xTaskGetTickCount.
  return t != nullptr ? static_cast<TickType_t>(kernel::soft_timer_expiry_time(t).count) : 0;
}

void vTimerSetReloadMode(TimerHandle_t h, const BaseType_t auto_reload) {
  SoftTimer* t = required_timer("vTimerSetReloadMode", h);
  if (t != nullptr)
    kernel::soft_timer_set_mode(
        t, auto_reload != pdFALSE ? kernel::TimerMode::kPeriodic : kernel::TimerMode::kOneShot);
}

BaseType_t xTimerGetReloadMode(TimerHandle_t h) {
  SoftTimer* t = required_timer("xTimerGetReloadMode", h);
  return t != nullptr && kernel::soft_timer_mode(t) == kernel::TimerMode::kPeriodic ? pdTRUE
                                                                                    : pdFALSE;
}

UBaseType_t uxTimerGetReloadMode(TimerHandle_t h) {
  return static_cast<UBaseType_t>(xTimerGetReloadMode(h));
}

BaseType_t xTimerPendFunctionCall(PendedFunction_t fn, void* p1, uint32_t p2, TickType_t ticks) {
  if (fn == nullptr) {
    PETREL_FR_MISUSE("xTimerPendFunctionCall", "NULL function");
    return pdFAIL;
  }
  bool misuse;
  const kernel::Ticks wait = checked_wait("xTimerPendFunctionCall", ticks, &misuse);
  if (misuse) return pdFAIL;
  configure_daemon();
  return kernel::soft_timer_pend_call(fn, p1, p2, wait).ok() ? pdPASS : pdFAIL;
}

BaseType_t xTimerPendFunctionCallFromISR(PendedFunction_t fn, void* p1, uint32_t p2,
                                         BaseType_t* woken) {
  if (fn == nullptr) {
    PETREL_FR_MISUSE("xTimerPendFunctionCallFromISR", "NULL function");
    return pdFAIL;
  }
  bool w = false;
  configure_daemon();
  const Status s = kernel::soft_timer_pend_call_from_isr(fn, p1, p2, &w);
  set_woken(woken, w);
  return s.ok() ? pdPASS : pdFAIL;
}

TaskHandle_t xTimerGetTimerDaemonTaskHandle(void) {
  kernel::Task* t = kernel::soft_timer_service_task();
  if (t == nullptr)
    PETREL_FR_MISUSE("xTimerGetTimerDaemonTaskHandle", "the scheduler has not started");
  return handle_of(t);
}

}  // extern "C"

#else

namespace petrel::freertos {
void timers_on_scheduler_start() {}
}  // namespace petrel::freertos

#endif  // configUSE_TIMERS
