/* FreeRTOSConfig.h of the FreeRTOS-API benchmark (bench/freertos_bench.cc):
 * an ordinary application's configuration. configASSERT is left to Petrel's
 * default, so the API's misuse checks are in the measured paths. */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configUSE_PREEMPTION 1
#define configUSE_TIME_SLICING 1
#define configMAX_PRIORITIES 8
#define configTICK_RATE_HZ 1000
#define configMINIMAL_STACK_SIZE 512 /* words */
#define configMAX_TASK_NAME_LEN 16
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configSUPPORT_STATIC_ALLOCATION 0
#define configUSE_MUTEXES 1
#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 0
#define configUSE_TIMERS 0
#define configCHECK_FOR_STACK_OVERFLOW 0 /* the kernel still checks and reports */

#endif /* FREERTOS_CONFIG_H */
