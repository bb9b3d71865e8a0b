/* A configuration with configASSERT turned off (defined empty), as FreeRTOS
 * applications do: Petrel then compiles the hot calls' misuse checks out.
 * Run-time statistics are on here (the conformance suite's are off), and
 * one thread-local storage pointer a task. */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configUSE_PREEMPTION 1
#define configUSE_TIME_SLICING 1
#define configMAX_PRIORITIES 8
#define configTICK_RATE_HZ 1000
#define configMINIMAL_STACK_SIZE 2048 /* words: 16 KiB, enough for host printf */
#define configMAX_TASK_NAME_LEN 16
#define configTASK_NOTIFICATION_ARRAY_ENTRIES 3
#define configSUPPORT_STATIC_ALLOCATION 1
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configUSE_MUTEXES 1
#define configUSE_RECURSIVE_MUTEXES 1
#define configUSE_COUNTING_SEMAPHORES 1
#define configUSE_QUEUE_SETS 1
#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 0
#define configUSE_MALLOC_FAILED_HOOK 0
#define configCHECK_FOR_STACK_OVERFLOW 0
#define configUSE_TIMERS 1
#define configGENERATE_RUN_TIME_STATS 1
#define configNUM_THREAD_LOCAL_STORAGE_POINTERS 1
#define configTIMER_TASK_PRIORITY 6
#define configTIMER_QUEUE_LENGTH 6 /* shorter than the kernel's ring of 10 */
#define configUSE_DAEMON_TASK_STARTUP_HOOK 0
#define configTIMER_TASK_STACK_DEPTH 2048 /* words: the kernel's 16 KiB */

#define configASSERT(x)

#endif /* FREERTOS_CONFIG_H */
