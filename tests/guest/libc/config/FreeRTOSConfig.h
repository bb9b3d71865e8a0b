/* FreeRTOSConfig.h of the C library test guest (libc-tests). */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configUSE_PREEMPTION 1
#define configUSE_TIME_SLICING 1
#define configMAX_PRIORITIES 5
#define configTICK_RATE_HZ 1000
#define configMINIMAL_STACK_SIZE 512 /* words */
#define configMAX_TASK_NAME_LEN 16
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configSUPPORT_STATIC_ALLOCATION 1
#define configUSE_IDLE_HOOK 0
#define configUSE_TICK_HOOK 0
#define configUSE_TIMERS 0
#define configCHECK_FOR_STACK_OVERFLOW 2
/* Misuse reports are counted by the checks (checks.c). */
void libc_config_assert(void);
#define configASSERT(x)             \
  do {                              \
    if (!(x)) libc_config_assert(); \
  } while (0)

#endif /* FREERTOS_CONFIG_H */
