/* task.h: Petrel's FreeRTOS-compatible task API (written from FreeRTOS's
 * documented interface). Include FreeRTOS.h first. A TaskHandle_t is a
 * Petrel kernel task (petrel::kernel::Task*). */
#ifndef PETREL_FREERTOS_TASK_H
#define PETREL_FREERTOS_TASK_H

#ifndef PETREL_FREERTOS_H
#error "include FreeRTOS.h before task.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct tskTaskControlBlock; /* never defined: a Petrel task */
typedef struct tskTaskControlBlock* TaskHandle_t;
typedef const struct tskTaskControlBlock* ConstTaskHandle_t;
typedef BaseType_t (*TaskHookFunction_t)(void*);

typedef enum { eRunning = 0, eReady, eBlocked, eSuspended, eDeleted, eInvalid } eTaskState;

typedef enum {
  eNoAction = 0,
  eSetBits,
  eIncrement,
  eSetValueWithOverwrite,
  eSetValueWithoutOverwrite
} eNotifyAction;

/* The FreeRTOS API this layer follows: FreeRTOS V10.4.6's, with the older
 * names FreeRTOS keeps for backward compatibility. */
#define tskKERNEL_VERSION_NUMBER "V10.4.6"
#define tskKERNEL_VERSION_MAJOR 10
#define tskKERNEL_VERSION_MINOR 4
#define tskKERNEL_VERSION_BUILD 6

/* One task, as uxTaskGetSystemState and vTaskGetInfo report it. */
typedef struct xTASK_STATUS {
  TaskHandle_t xHandle;
  const char* pcTaskName;
  UBaseType_t xTaskNumber; /* unique, in creation order */
  eTaskState eCurrentState;
  UBaseType_t uxCurrentPriority; /* inheritance included */
  UBaseType_t uxBasePriority;
  configRUN_TIME_COUNTER_TYPE ulRunTimeCounter; /* microseconds (configGENERATE_RUN_TIME_STATS) */
  StackType_t* pxStackBase;                     /* lowest address of its stack */
  configSTACK_DEPTH_TYPE usStackHighWaterMark;  /* least free stack so far, in words */
} TaskStatus_t;

#define tskIDLE_PRIORITY ((UBaseType_t)0U)
#define tskDEFAULT_INDEX_TO_NOTIFY 0
#define taskSCHEDULER_SUSPENDED ((BaseType_t)0)
#define taskSCHEDULER_NOT_STARTED ((BaseType_t)1)
#define taskSCHEDULER_RUNNING ((BaseType_t)2)

#define taskYIELD() portYIELD()
#define taskENTER_CRITICAL() portENTER_CRITICAL()
#define taskEXIT_CRITICAL() portEXIT_CRITICAL()
#define taskENTER_CRITICAL_FROM_ISR() portSET_INTERRUPT_MASK_FROM_ISR()
#define taskEXIT_CRITICAL_FROM_ISR(x) portCLEAR_INTERRUPT_MASK_FROM_ISR(x)
#define taskDISABLE_INTERRUPTS() portDISABLE_INTERRUPTS()
#define taskENABLE_INTERRUPTS() portENABLE_INTERRUPTS()

/* ---- creation and deletion ---- */
BaseType_t xTaskCreate(TaskFunction_t pxTaskCode, const char* pcName,
                       configSTACK_DEPTH_TYPE uxStackDepth, void* pvParameters,
                       UBaseType_t uxPriority, TaskHandle_t* pxCreatedTask);
TaskHandle_t xTaskCreateStatic(TaskFunction_t pxTaskCode, const char* pcName,
                               configSTACK_DEPTH_TYPE uxStackDepth, void* pvParameters,
                               UBaseType_t uxPriority, StackType_t* puxStackBuffer,
                               StaticTask_t* pxTaskBuffer);
void vTaskDelete(TaskHandle_t xTaskToDelete);

/* ---- control ---- */
void vTaskDelay(TickType_t xTicksToDelay);
void vTaskDelayUntil(TickType_t* pxPreviousWakeTime, TickType_t xTimeIncrement);
BaseType_t xTaskDelayUntil(TickType_t* pxPreviousWakeTime, TickType_t xTimeIncrement);
BaseType_t xTaskAbortDelay(TaskHandle_t xTask);
UBaseType_t uxTaskPriorityGet(TaskHandle_t xTask);
UBaseType_t uxTaskPriorityGetFromISR(TaskHandle_t xTask);
void vTaskPrioritySet(TaskHandle_t xTask, UBaseType_t uxNewPriority);
void vTaskSuspend(TaskHandle_t xTaskToSuspend);
void vTaskResume(TaskHandle_t xTaskToResume);
BaseType_t xTaskResumeFromISR(TaskHandle_t xTaskToResume);

/* ---- scheduler ---- */
void vTaskStartScheduler(void);
void vTaskEndScheduler(void);
void vTaskSuspendAll(void);
BaseType_t xTaskResumeAll(void);
BaseType_t xTaskGetSchedulerState(void);

/* ---- utilities ---- */
TickType_t xTaskGetTickCount(void);
TickType_t xTaskGetTickCountFromISR(void);
UBaseType_t uxTaskGetNumberOfTasks(void);
char* pcTaskGetName(TaskHandle_t xTaskToQuery);
TaskHandle_t xTaskGetHandle(const char* pcNameToQuery);
TaskHandle_t xTaskGetCurrentTaskHandle(void);
eTaskState eTaskGetState(TaskHandle_t xTask);
UBaseType_t uxTaskGetStackHighWaterMark(TaskHandle_t xTask);
/* Every task into pxTaskStatusArray; 0 if it has fewer than uxTaskGetNumberOfTasks()
 * entries. *pulTotalRunTime (if not NULL): microseconds since the scheduler
 * started (0 without configGENERATE_RUN_TIME_STATS). */
UBaseType_t uxTaskGetSystemState(TaskStatus_t* const pxTaskStatusArray,
                                 const UBaseType_t uxArraySize,
                                 configRUN_TIME_COUNTER_TYPE* const pulTotalRunTime);
/* Tables of every task, as FreeRTOS formats them (one line a task, ending
 * "\r\n"). vTaskList: name, state (X running, R ready, B blocked, S
 * suspended, D deleted), priority, stack high-water mark (words), task number.
 * vTaskGetRunTimeStats: name, run time (microseconds), share of the total
 * ("<1%" below one percent). The buffer must hold about 40 bytes a task;
 * vTaskListTasks and vTaskGetRunTimeStatistics (FreeRTOS 11) take its size
 * and never write past it. */
void vTaskList(char* pcWriteBuffer);
void vTaskListTasks(char* pcWriteBuffer, size_t uxBufferLength);
void vTaskGetRunTimeStats(char* pcWriteBuffer);
void vTaskGetRunTimeStatistics(char* pcWriteBuffer, size_t uxBufferLength);
/* One task (NULL: the caller). xGetFreeStackSpace: pdFALSE skips the
 * high-water mark (reported as 0); eState: eInvalid to look it up. */
void vTaskGetInfo(TaskHandle_t xTask, TaskStatus_t* pxTaskStatus, BaseType_t xGetFreeStackSpace,
                  eTaskState eState);
/* The same as uxTaskGetStackHighWaterMark, in configSTACK_DEPTH_TYPE. */
configSTACK_DEPTH_TYPE uxTaskGetStackHighWaterMark2(TaskHandle_t xTask);
/* The idle task; NULL (and a misuse report) before the scheduler starts. */
TaskHandle_t xTaskGetIdleTaskHandle(void);
/* Run time in microseconds, as TaskStatus_t reports it (0 without
 * configGENERATE_RUN_TIME_STATS); the percentages are of the time since
 * the scheduler started, rounded down. NULL: the caller. */
configRUN_TIME_COUNTER_TYPE ulTaskGetIdleRunTimeCounter(void);
configRUN_TIME_COUNTER_TYPE ulTaskGetIdleRunTimePercent(void);
configRUN_TIME_COUNTER_TYPE ulTaskGetRunTimeCounter(const TaskHandle_t xTask);
configRUN_TIME_COUNTER_TYPE ulTaskGetRunTimePercent(const TaskHandle_t xTask);

/* ---- a timeout across several waits ---- *
 * vTaskSetTimeOutState records the tick count; xTaskCheckForTimeOut returns
 * pdTRUE (and sets *pxTicksToWait to 0) once *pxTicksToWait ticks have
 * passed since then, else pdFALSE with *pxTicksToWait reduced by the ticks
 * passed and the record moved to now. portMAX_DELAY never times out. */
typedef struct xTIME_OUT {
  BaseType_t xOverflowCount;  /* the tick count's bits above TickType_t's */
  TickType_t xTimeOnEntering; /* its low bits */
} TimeOut_t;
void vTaskSetTimeOutState(TimeOut_t* pxTimeOut);
BaseType_t xTaskCheckForTimeOut(TimeOut_t* pxTimeOut, TickType_t* pxTicksToWait);
/* Petrel's tick count follows the hardware counter, so ticks that passed
 * with interrupts held off are never lost: the timer interrupt taken when
 * they are enabled again wakes whatever became due. There is nothing to
 * catch up: the count stays as it is and the answer is pdFALSE. */
BaseType_t xTaskCatchUpTicks(TickType_t xTicksToCatchUp);

/* ---- a task's tag and thread-local storage pointers ---- *
 * Every task created by xTaskCreate or xTaskCreateStatic has them, and so
 * do the idle and timer service tasks; NULL until set. NULL handle: the
 * caller. */
#if configUSE_APPLICATION_TASK_TAG == 1
void vTaskSetApplicationTaskTag(TaskHandle_t xTask, TaskHookFunction_t pxHookFunction);
TaskHookFunction_t xTaskGetApplicationTaskTag(TaskHandle_t xTask);
TaskHookFunction_t xTaskGetApplicationTaskTagFromISR(TaskHandle_t xTask);
/* Calls the task's tag with pvParameter and returns its result; pdFAIL when
 * the task has no tag. */
BaseType_t xTaskCallApplicationTaskHook(TaskHandle_t xTask, void* pvParameter);
#endif
#if configNUM_THREAD_LOCAL_STORAGE_POINTERS > 0
/* An index outside 0 .. configNUM_THREAD_LOCAL_STORAGE_POINTERS - 1 is
 * ignored by the set and reads as NULL, as on FreeRTOS. */
void vTaskSetThreadLocalStoragePointer(TaskHandle_t xTaskToSet, BaseType_t xIndex, void* pvValue);
void* pvTaskGetThreadLocalStoragePointer(TaskHandle_t xTaskToQuery, BaseType_t xIndex);
#endif

/* ---- notifications (index 0 for the plain names) ---- */
BaseType_t xTaskNotifyIndexed(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify,
                              uint32_t ulValue, eNotifyAction eAction);
BaseType_t xTaskNotify(TaskHandle_t xTaskToNotify, uint32_t ulValue, eNotifyAction eAction);
BaseType_t xTaskNotifyAndQueryIndexed(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify,
                                      uint32_t ulValue, eNotifyAction eAction,
                                      uint32_t* pulPreviousNotifyValue);
BaseType_t xTaskNotifyAndQuery(TaskHandle_t xTaskToNotify, uint32_t ulValue, eNotifyAction eAction,
                               uint32_t* pulPreviousNotifyValue);
BaseType_t xTaskNotifyIndexedFromISR(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify,
                                     uint32_t ulValue, eNotifyAction eAction,
                                     BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xTaskNotifyFromISR(TaskHandle_t xTaskToNotify, uint32_t ulValue, eNotifyAction eAction,
                              BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xTaskNotifyAndQueryIndexedFromISR(TaskHandle_t xTaskToNotify,
                                             UBaseType_t uxIndexToNotify, uint32_t ulValue,
                                             eNotifyAction eAction,
                                             uint32_t* pulPreviousNotifyValue,
                                             BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xTaskNotifyAndQueryFromISR(TaskHandle_t xTaskToNotify, uint32_t ulValue,
                                      eNotifyAction eAction, uint32_t* pulPreviousNotifyValue,
                                      BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xTaskNotifyGiveIndexed(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify);
BaseType_t xTaskNotifyGive(TaskHandle_t xTaskToNotify);
void vTaskNotifyGiveIndexedFromISR(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify,
                                   BaseType_t* pxHigherPriorityTaskWoken);
void vTaskNotifyGiveFromISR(TaskHandle_t xTaskToNotify, BaseType_t* pxHigherPriorityTaskWoken);
uint32_t ulTaskNotifyTakeIndexed(UBaseType_t uxIndexToWaitOn, BaseType_t xClearCountOnExit,
                                 TickType_t xTicksToWait);
uint32_t ulTaskNotifyTake(BaseType_t xClearCountOnExit, TickType_t xTicksToWait);
BaseType_t xTaskNotifyWaitIndexed(UBaseType_t uxIndexToWaitOn, uint32_t ulBitsToClearOnEntry,
                                  uint32_t ulBitsToClearOnExit, uint32_t* pulNotificationValue,
                                  TickType_t xTicksToWait);
BaseType_t xTaskNotifyWait(uint32_t ulBitsToClearOnEntry, uint32_t ulBitsToClearOnExit,
                           uint32_t* pulNotificationValue, TickType_t xTicksToWait);
BaseType_t xTaskNotifyStateClearIndexed(TaskHandle_t xTask, UBaseType_t uxIndexToClear);
BaseType_t xTaskNotifyStateClear(TaskHandle_t xTask);
uint32_t ulTaskNotifyValueClearIndexed(TaskHandle_t xTask, UBaseType_t uxIndexToClear,
                                       uint32_t ulBitsToClear);
uint32_t ulTaskNotifyValueClear(TaskHandle_t xTask, uint32_t ulBitsToClear);

/* ---- hooks the application supplies when its configuration asks ---- */
void vApplicationIdleHook(void);
void vApplicationTickHook(void);
void vApplicationMallocFailedHook(void);
/* The stack-overflow hook's name parameter is `char *` since FreeRTOS 8 and
 * was `signed char *` before (some 7.x ports also pass a `TaskHandle_t *`).
 * C sees no prototype, so an application may define it either way; C++ (and
 * C23, where `()` means no parameters) gets today's. The argument is the same
 * pointer whatever the definition says. */
#if defined(__cplusplus)
void vApplicationStackOverflowHook(TaskHandle_t xTask, char* pcTaskName);
#elif !defined(__STDC_VERSION__) || __STDC_VERSION__ < 202311L
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
void vApplicationStackOverflowHook();
#pragma GCC diagnostic pop
#endif
/* vApplicationGetIdleTaskMemory is not declared: Petrel's idle task has its
 * own storage and never calls it (an application may still define it). */

#ifdef __cplusplus
}
#endif

#endif /* PETREL_FREERTOS_TASK_H */
