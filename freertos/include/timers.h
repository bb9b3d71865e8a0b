/* timers.h: Petrel's FreeRTOS-compatible software timer API (written from
 * FreeRTOS's documented interface). Include FreeRTOS.h first; needs
 * configUSE_TIMERS 1.
 *
 * A TimerHandle_t is a Petrel software timer (petrel/kernel/soft_timer.h);
 * the timer daemon is the kernel's timer service task. Commands go through
 * its command queue (configTIMER_QUEUE_LENGTH) and xTicksToWait bounds the
 * wait for a free slot, as in FreeRTOS. */
#ifndef PETREL_FREERTOS_TIMERS_H
#define PETREL_FREERTOS_TIMERS_H

#ifndef PETREL_FREERTOS_H
#error "include FreeRTOS.h before timers.h"
#endif

#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tmrTimerControl; /* never defined: a Petrel software timer */
typedef struct tmrTimerControl* TimerHandle_t;
typedef void (*TimerCallbackFunction_t)(TimerHandle_t xTimer);
typedef void (*PendedFunction_t)(void* pvParameter1, uint32_t ulParameter2);

TimerHandle_t xTimerCreate(const char* pcTimerName, TickType_t xTimerPeriodInTicks,
                           UBaseType_t uxAutoReload, void* pvTimerID,
                           TimerCallbackFunction_t pxCallbackFunction);
TimerHandle_t xTimerCreateStatic(const char* pcTimerName, TickType_t xTimerPeriodInTicks,
                                 UBaseType_t uxAutoReload, void* pvTimerID,
                                 TimerCallbackFunction_t pxCallbackFunction,
                                 StaticTimer_t* pxTimerBuffer);

BaseType_t xTimerStart(TimerHandle_t xTimer, TickType_t xTicksToWait);
BaseType_t xTimerStop(TimerHandle_t xTimer, TickType_t xTicksToWait);
BaseType_t xTimerReset(TimerHandle_t xTimer, TickType_t xTicksToWait);
BaseType_t xTimerChangePeriod(TimerHandle_t xTimer, TickType_t xNewPeriod, TickType_t xTicksToWait);
BaseType_t xTimerDelete(TimerHandle_t xTimer, TickType_t xTicksToWait);

BaseType_t xTimerStartFromISR(TimerHandle_t xTimer, BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xTimerStopFromISR(TimerHandle_t xTimer, BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xTimerResetFromISR(TimerHandle_t xTimer, BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xTimerChangePeriodFromISR(TimerHandle_t xTimer, TickType_t xNewPeriod,
                                     BaseType_t* pxHigherPriorityTaskWoken);

BaseType_t xTimerIsTimerActive(TimerHandle_t xTimer);
void* pvTimerGetTimerID(const TimerHandle_t xTimer);
void vTimerSetTimerID(TimerHandle_t xTimer, void* pvNewID);
const char* pcTimerGetName(TimerHandle_t xTimer);
TickType_t xTimerGetPeriod(TimerHandle_t xTimer);
TickType_t xTimerGetExpiryTime(TimerHandle_t xTimer);
void vTimerSetReloadMode(TimerHandle_t xTimer, const BaseType_t xAutoReload);
BaseType_t xTimerGetReloadMode(TimerHandle_t xTimer);
UBaseType_t uxTimerGetReloadMode(TimerHandle_t xTimer);

BaseType_t xTimerPendFunctionCall(PendedFunction_t xFunctionToPend, void* pvParameter1,
                                  uint32_t ulParameter2, TickType_t xTicksToWait);
BaseType_t xTimerPendFunctionCallFromISR(PendedFunction_t xFunctionToPend, void* pvParameter1,
                                         uint32_t ulParameter2,
                                         BaseType_t* pxHigherPriorityTaskWoken);
TaskHandle_t xTimerGetTimerDaemonTaskHandle(void);

/* With configUSE_DAEMON_TASK_STARTUP_HOOK 1 the timer daemon calls this
 * once, first thing when the scheduler has started. */
void vApplicationDaemonTaskStartupHook(void);

/* vApplicationGetTimerTaskMemory is not declared: the service task has its
 * own static storage and never calls it (an application may define it). */

#ifdef __cplusplus
}
#endif

#endif /* PETREL_FREERTOS_TIMERS_H */
