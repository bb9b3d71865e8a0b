/* FreeRTOS.h: Petrel's FreeRTOS-compatible API, base definitions.
 *
 * Written for Petrel from FreeRTOS's documented interface (names, types and
 * behaviour); it contains no FreeRTOS source. Include it first, as FreeRTOS
 * applications do, then task.h, queue.h, semphr.h.
 *
 * It reads the application's FreeRTOSConfig.h (found on the include path),
 * supplies defaults for what that leaves out, and defines the base types,
 * the pd/err constants, the port macros (yield, critical sections), the
 * static storage types, the heap functions and the names FreeRTOS keeps for
 * backward compatibility. See docs/porting-from-freertos.md.
 *
 * Ticks: TickType_t is 32 bits (Petrel's kernel counts 64-bit ticks; a
 * FreeRTOS tick count is the low 32 bits of it, and wraps as FreeRTOS's
 * does). portMAX_DELAY means "wait forever".
 */
#ifndef PETREL_FREERTOS_H
#define PETREL_FREERTOS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The application's configuration. Declarations in it get C linkage. */
#include "FreeRTOSConfig.h"

/* ---- configuration defaults ------------------------------------------ */

#ifndef configUSE_PREEMPTION
#define configUSE_PREEMPTION 1
#endif
#if configUSE_PREEMPTION == 0
#error \
    "Petrel's FreeRTOS API: configUSE_PREEMPTION 0 (cooperative scheduling) is not supported; Petrel's kernel is always preemptive"
#endif
#ifndef configMAX_PRIORITIES
#define configMAX_PRIORITIES 32
#endif
/* Its range (1 to 32) is checked by the implementation (port.cc), not
 * here: 7.x configurations write values with casts, such as
 * ((unsigned portBASE_TYPE)5), which the preprocessor cannot evaluate. */
#ifndef configTICK_RATE_HZ
#define configTICK_RATE_HZ 1000
#endif
#ifndef configCPU_CLOCK_HZ
#define configCPU_CLOCK_HZ 0
#endif
#ifndef configMINIMAL_STACK_SIZE
#define configMINIMAL_STACK_SIZE 512
#endif
#ifndef configMAX_TASK_NAME_LEN
#define configMAX_TASK_NAME_LEN 16
#endif
#ifndef configUSE_16_BIT_TICKS
#define configUSE_16_BIT_TICKS 0
#endif
#if configUSE_16_BIT_TICKS
#error "Petrel's FreeRTOS API: 16-bit ticks are not supported (TickType_t is 32 bits)"
#endif
#if defined(configTICK_TYPE_WIDTH_IN_BITS) && defined(TICK_TYPE_WIDTH_32_BITS)
#if configTICK_TYPE_WIDTH_IN_BITS != TICK_TYPE_WIDTH_32_BITS
#error "Petrel's FreeRTOS API: only 32-bit ticks are supported"
#endif
#endif
#ifndef configUSE_TIME_SLICING
#define configUSE_TIME_SLICING 1
#endif
#ifndef configIDLE_SHOULD_YIELD
#define configIDLE_SHOULD_YIELD 1
#endif
#ifndef configUSE_MUTEXES
#define configUSE_MUTEXES 1
#endif
#ifndef configUSE_RECURSIVE_MUTEXES
#define configUSE_RECURSIVE_MUTEXES 1
#endif
#ifndef configUSE_COUNTING_SEMAPHORES
#define configUSE_COUNTING_SEMAPHORES 1
#endif
#ifndef configUSE_TASK_NOTIFICATIONS
#define configUSE_TASK_NOTIFICATIONS 1
#endif
#ifndef configTASK_NOTIFICATION_ARRAY_ENTRIES
#define configTASK_NOTIFICATION_ARRAY_ENTRIES 1
#endif
#ifndef configSUPPORT_STATIC_ALLOCATION
#define configSUPPORT_STATIC_ALLOCATION 1
#endif
#ifndef configSUPPORT_DYNAMIC_ALLOCATION
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#endif
#ifndef configUSE_IDLE_HOOK
#define configUSE_IDLE_HOOK 0
#endif
#ifndef configUSE_TICK_HOOK
#define configUSE_TICK_HOOK 0
#endif
/* configUSE_TICK_HOOK 1: vApplicationTickHook is called from the timer
 * interrupt once per tick; the kernel then gives up tickless idle (the timer
 * fires every tick) for as long as the scheduler runs. */
#ifndef configUSE_MALLOC_FAILED_HOOK
#define configUSE_MALLOC_FAILED_HOOK 0
#endif
#ifndef configCHECK_FOR_STACK_OVERFLOW
#define configCHECK_FOR_STACK_OVERFLOW 0
#endif
#ifndef configENABLE_BACKWARD_COMPATIBILITY
#define configENABLE_BACKWARD_COMPATIBILITY 1
#endif
#ifndef configQUEUE_REGISTRY_SIZE
#define configQUEUE_REGISTRY_SIZE 0
#endif
#ifndef configUSE_QUEUE_SETS
#define configUSE_QUEUE_SETS 0 /* 1: queue.h declares the queue set API */
#endif
#ifndef configUSE_APPLICATION_TASK_TAG
#define configUSE_APPLICATION_TASK_TAG 0 /* 1: task.h declares the task tag API */
#endif
/* > 0: task.h declares the thread-local storage pointer API, with this many
 * pointers a task. They share StaticTask_t with the kernel's task: up to 31
 * on AArch64 and 149 on AArch32 with the kernel's default configuration;
 * more is a compile-time error. */
#ifndef configNUM_THREAD_LOCAL_STORAGE_POINTERS
#define configNUM_THREAD_LOCAL_STORAGE_POINTERS 0
#endif
#ifndef configUSE_TIMERS
#define configUSE_TIMERS 0
#endif
#if configUSE_TIMERS
/* The kernel's timer service task (petrel/kernel/soft_timer.h) is the timer
 * daemon; the implementation checks these against the kernel's
 * PETREL_CONFIG_TIMER_* (see docs/porting-from-freertos.md). */
#ifndef configTIMER_TASK_PRIORITY
#define configTIMER_TASK_PRIORITY (configMAX_PRIORITIES - 1)
#endif
#ifndef configTIMER_QUEUE_LENGTH
#define configTIMER_QUEUE_LENGTH 10
#endif
#ifndef configUSE_DAEMON_TASK_STARTUP_HOOK
#define configUSE_DAEMON_TASK_STARTUP_HOOK 0
#endif
#ifndef configTIMER_TASK_STACK_DEPTH
#define configTIMER_TASK_STACK_DEPTH configMINIMAL_STACK_SIZE
#endif
#endif
#ifndef INCLUDE_xTimerPendFunctionCall
#define INCLUDE_xTimerPendFunctionCall configUSE_TIMERS
#endif
#ifndef INCLUDE_xTimerGetTimerDaemonTaskHandle
#define INCLUDE_xTimerGetTimerDaemonTaskHandle configUSE_TIMERS
#endif
#ifndef INCLUDE_xEventGroupSetBitFromISR
#define INCLUDE_xEventGroupSetBitFromISR 1
#endif
#ifndef configTOTAL_HEAP_SIZE
#define configTOTAL_HEAP_SIZE 0 /* the heap is Petrel's kernel heap */
#endif
#ifndef INCLUDE_vTaskDelete
#define INCLUDE_vTaskDelete 1
#endif
#ifndef INCLUDE_vTaskSuspend
#define INCLUDE_vTaskSuspend 1
#endif
#ifndef INCLUDE_vTaskDelay
#define INCLUDE_vTaskDelay 1
#endif
#ifndef INCLUDE_xTaskDelayUntil
#define INCLUDE_xTaskDelayUntil 1
#endif
#ifndef INCLUDE_vTaskDelayUntil
#define INCLUDE_vTaskDelayUntil 1
#endif
#ifndef INCLUDE_vTaskPrioritySet
#define INCLUDE_vTaskPrioritySet 1
#endif
#ifndef INCLUDE_uxTaskPriorityGet
#define INCLUDE_uxTaskPriorityGet 1
#endif
#ifndef INCLUDE_xTaskGetCurrentTaskHandle
#define INCLUDE_xTaskGetCurrentTaskHandle 1
#endif
#ifndef INCLUDE_eTaskGetState
#define INCLUDE_eTaskGetState 1
#endif
#ifndef INCLUDE_uxTaskGetStackHighWaterMark
#define INCLUDE_uxTaskGetStackHighWaterMark 1
#endif
#ifndef INCLUDE_uxTaskGetStackHighWaterMark2
#define INCLUDE_uxTaskGetStackHighWaterMark2 1
#endif
#ifndef INCLUDE_xTaskGetIdleTaskHandle
#define INCLUDE_xTaskGetIdleTaskHandle 1
#endif
#ifndef INCLUDE_xTaskAbortDelay
#define INCLUDE_xTaskAbortDelay 1
#endif
#ifndef INCLUDE_xTaskResumeFromISR
#define INCLUDE_xTaskResumeFromISR 1
#endif
#ifndef INCLUDE_xSemaphoreGetMutexHolder
#define INCLUDE_xSemaphoreGetMutexHolder 1
#endif
#ifndef INCLUDE_xTaskGetSchedulerState
#define INCLUDE_xTaskGetSchedulerState 1
#endif

/* ---- base types (a 64-bit port) --------------------------------------- */

#define portCHAR char
#define portFLOAT float
#define portDOUBLE double
#define portLONG long
#define portSHORT short
#define portSTACK_TYPE size_t
#define portBASE_TYPE long

typedef long BaseType_t;
typedef unsigned long UBaseType_t;
typedef uint32_t TickType_t;
typedef size_t StackType_t;

#ifndef configSTACK_DEPTH_TYPE
#define configSTACK_DEPTH_TYPE StackType_t
#endif

/* Task functions declared and defined the 7.x way. */
#define portTASK_FUNCTION_PROTO(vFunction, pvParameters) void vFunction(void* pvParameters)
#define portTASK_FUNCTION(vFunction, pvParameters) void vFunction(void* pvParameters)
/* Every task may use FP/SIMD: Petrel saves that state lazily for all of
 * them, so there is nothing to ask for. */
#define portTASK_USES_FLOATING_POINT()

/* The run-time counter of TaskStatus_t (uxTaskGetSystemState): Petrel counts
 * microseconds spent running; a 32-bit counter wraps after about 71 minutes. */
#ifndef configRUN_TIME_COUNTER_TYPE
#define configRUN_TIME_COUNTER_TYPE uint32_t
#endif
#ifndef configGENERATE_RUN_TIME_STATS
#define configGENERATE_RUN_TIME_STATS 0
#endif

#define portMAX_DELAY ((TickType_t)0xffffffffU)
#define portTICK_TYPE_IS_ATOMIC 1
#define portTICK_PERIOD_MS ((TickType_t)1000 / (TickType_t)configTICK_RATE_HZ)
#define portSTACK_GROWTH (-1)
#define portBYTE_ALIGNMENT 16
#define portPOINTER_SIZE_TYPE uintptr_t
#define portNUM_CONFIGURABLE_REGIONS 1

/* ---- constants (projdefs) --------------------------------------------- */

typedef void (*TaskFunction_t)(void*);

#ifndef pdMS_TO_TICKS
#define pdMS_TO_TICKS(ms) ((TickType_t)(((uint64_t)(ms) * (uint64_t)configTICK_RATE_HZ) / 1000U))
#endif
#ifndef pdTICKS_TO_MS
#define pdTICKS_TO_MS(ticks) \
  ((TickType_t)(((uint64_t)(ticks)*1000U) / (uint64_t)configTICK_RATE_HZ))
#endif

#define pdFALSE ((BaseType_t)0)
#define pdTRUE ((BaseType_t)1)
#define pdFALSE_SIGNED ((BaseType_t)0)
#define pdTRUE_SIGNED ((BaseType_t)1)
#define pdFALSE_UNSIGNED ((UBaseType_t)0)
#define pdTRUE_UNSIGNED ((UBaseType_t)1)
#define pdPASS (pdTRUE)
#define pdFAIL (pdFALSE)
#define errQUEUE_EMPTY ((BaseType_t)0)
#define errQUEUE_FULL ((BaseType_t)0)
#define errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY (-1)
#define errQUEUE_BLOCKED (-4)
#define errQUEUE_YIELD (-5)

/* ---- configASSERT ----------------------------------------------------- *
 * The implementation checks every documented precondition. On a failed
 * check it records a message naming the call ("xQueueSend: NULL queue
 * handle", readable with pcPetrelAssertMessage()) and invokes
 * configASSERT(0 && "that message"), so an application's own configASSERT
 * sees the message in its expression text too. If configASSERT returns, the
 * call fails (pdFAIL, NULL, 0) without touching the kernel. Without an
 * application configASSERT, the default prints the message with the file and
 * line and stops the system (petrel::panic). */
void vPetrelAssertFailed(const char* pcExpression, const char* pcFile, int iLine);
const char* pcPetrelAssertMessage(void);
#ifdef configASSERT
#define configASSERT_DEFINED 1
#else
#define configASSERT_DEFINED 0
#define configASSERT(x)                                        \
  do {                                                         \
    if ((x) == 0) vPetrelAssertFailed(#x, __FILE__, __LINE__); \
  } while (0)
#endif

/* ---- port: yield, interrupts, critical sections ----------------------- */

void vPortYield(void);
void vPortYieldFromISR(void);
void vPortEnterCritical(void);
void vPortExitCritical(void);
UBaseType_t uxPortSetInterruptMaskFromISR(void);
void vPortClearInterruptMaskFromISR(UBaseType_t uxSaved);
void vPortDisableInterrupts(void);
void vPortEnableInterrupts(void);
BaseType_t xPortIsInsideInterrupt(void);

#define portYIELD() vPortYield()
/* Petrel switches at interrupt exit by itself whenever an interrupt-safe call
 * woke a task that outranks the interrupted one; these only ask for it. */
#define portYIELD_FROM_ISR(xSwitchRequired)                \
  do {                                                     \
    if ((xSwitchRequired) != pdFALSE) vPortYieldFromISR(); \
  } while (0)
#define portEND_SWITCHING_ISR(xSwitchRequired) portYIELD_FROM_ISR(xSwitchRequired)
#define portENTER_CRITICAL() vPortEnterCritical()
#define portEXIT_CRITICAL() vPortExitCritical()
#define portSET_INTERRUPT_MASK_FROM_ISR() uxPortSetInterruptMaskFromISR()
#define portCLEAR_INTERRUPT_MASK_FROM_ISR(x) vPortClearInterruptMaskFromISR(x)
#define portDISABLE_INTERRUPTS() vPortDisableInterrupts()
#define portENABLE_INTERRUPTS() vPortEnableInterrupts()
#define portNOP() \
  do {            \
  } while (0)

/* ---- heap (Petrel's kernel heap) -------------------------------------- */

void* pvPortMalloc(size_t xSize);
void vPortFree(void* pv);
size_t xPortGetFreeHeapSize(void);
size_t xPortGetMinimumEverFreeHeapSize(void);

/* ---- static storage --------------------------------------------------- *
 * Opaque, sized for Petrel's own control blocks (checked at compile time by
 * the implementation). A hosted build is the host port (a Linux process:
 * tasks on ucontext, larger); a freestanding build is a guest. */
#if __STDC_HOSTED__
#define PETREL_STATIC_TASK_BYTES 4096
#else
#define PETREL_STATIC_TASK_BYTES 1024
#endif
#define PETREL_STATIC_QUEUE_BYTES 128

typedef struct xSTATIC_TCB {
  unsigned char ucPetrelOpaque[PETREL_STATIC_TASK_BYTES];
} __attribute__((aligned(16))) StaticTask_t;

typedef struct xSTATIC_QUEUE {
  unsigned char ucPetrelOpaque[PETREL_STATIC_QUEUE_BYTES];
} __attribute__((aligned(16))) StaticQueue_t;
typedef StaticQueue_t StaticSemaphore_t;

#define PETREL_STATIC_TIMER_BYTES 128
#define PETREL_STATIC_EVENT_GROUP_BYTES 64
#define PETREL_STATIC_STREAM_BUFFER_BYTES 128

typedef struct xSTATIC_TIMER {
  unsigned char ucPetrelOpaque[PETREL_STATIC_TIMER_BYTES];
} __attribute__((aligned(16))) StaticTimer_t;

typedef struct xSTATIC_EVENT_GROUP {
  unsigned char ucPetrelOpaque[PETREL_STATIC_EVENT_GROUP_BYTES];
} __attribute__((aligned(16))) StaticEventGroup_t;

typedef struct xSTATIC_STREAM_BUFFER {
  unsigned char ucPetrelOpaque[PETREL_STATIC_STREAM_BUFFER_BYTES];
} __attribute__((aligned(16))) StaticStreamBuffer_t;
typedef StaticStreamBuffer_t StaticMessageBuffer_t;

/* ---- names kept for backward compatibility ----------------------------- */
#if configENABLE_BACKWARD_COMPATIBILITY == 1
#define eTaskStateGet eTaskGetState
#define portTickType TickType_t
#define xTaskHandle TaskHandle_t
#define xQueueHandle QueueHandle_t
#define xSemaphoreHandle SemaphoreHandle_t
#define xQueueSetHandle QueueSetHandle_t
#define xQueueSetMemberHandle QueueSetMemberHandle_t
#define xTimeOutType TimeOut_t
#define xMemoryRegion MemoryRegion_t
#define xTaskParameters TaskParameters_t
#define xTaskStatusType TaskStatus_t
#define xTimerHandle TimerHandle_t
#define xCoRoutineHandle CoRoutineHandle_t
#define pdTASK_HOOK_CODE TaskHookFunction_t
#define portTICK_RATE_MS portTICK_PERIOD_MS
#define pcTaskGetTaskName pcTaskGetName
#define pcTimerGetTimerName pcTimerGetName
#define pcQueueGetQueueName pcQueueGetName
#define vTaskGetTaskInfo vTaskGetInfo
#define xTaskGetIdleRunTimeCounter ulTaskGetIdleRunTimeCounter
#define tmrTIMER_CALLBACK TimerCallbackFunction_t
#define pdTASK_CODE TaskFunction_t
#define xListItem ListItem_t
#define xList List_t
#endif

#ifdef __cplusplus
}
#endif

#endif /* PETREL_FREERTOS_H */
