/* semphr.h: Petrel's FreeRTOS-compatible semaphore and mutex API (written
 * from FreeRTOS's documented interface). Include FreeRTOS.h first.
 *
 * A SemaphoreHandle_t is a QueueHandle_t whose object is a Petrel binary or
 * counting semaphore, mutex or recursive mutex (with priority inheritance). */
#ifndef PETREL_FREERTOS_SEMPHR_H
#define PETREL_FREERTOS_SEMPHR_H

#include "queue.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef QueueHandle_t SemaphoreHandle_t;

#define semBINARY_SEMAPHORE_QUEUE_LENGTH ((uint8_t)1U)
#define semSEMAPHORE_QUEUE_ITEM_LENGTH ((uint8_t)0U)
#define semGIVE_BLOCK_TIME ((TickType_t)0U)

SemaphoreHandle_t xSemaphoreCreateBinary(void);
SemaphoreHandle_t xSemaphoreCreateBinaryStatic(StaticSemaphore_t* pxSemaphoreBuffer);
SemaphoreHandle_t xSemaphoreCreateCounting(UBaseType_t uxMaxCount, UBaseType_t uxInitialCount);
SemaphoreHandle_t xSemaphoreCreateCountingStatic(UBaseType_t uxMaxCount, UBaseType_t uxInitialCount,
                                                 StaticSemaphore_t* pxSemaphoreBuffer);
SemaphoreHandle_t xSemaphoreCreateMutex(void);
SemaphoreHandle_t xSemaphoreCreateMutexStatic(StaticSemaphore_t* pxMutexBuffer);
SemaphoreHandle_t xSemaphoreCreateRecursiveMutex(void);
SemaphoreHandle_t xSemaphoreCreateRecursiveMutexStatic(StaticSemaphore_t* pxMutexBuffer);
void vSemaphoreDelete(SemaphoreHandle_t xSemaphore);

BaseType_t xSemaphoreTake(SemaphoreHandle_t xSemaphore, TickType_t xTicksToWait);
BaseType_t xSemaphoreGive(SemaphoreHandle_t xSemaphore);
BaseType_t xSemaphoreTakeRecursive(SemaphoreHandle_t xMutex, TickType_t xTicksToWait);
BaseType_t xSemaphoreGiveRecursive(SemaphoreHandle_t xMutex);
BaseType_t xSemaphoreTakeFromISR(SemaphoreHandle_t xSemaphore,
                                 BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xSemaphoreGiveFromISR(SemaphoreHandle_t xSemaphore,
                                 BaseType_t* pxHigherPriorityTaskWoken);
UBaseType_t uxSemaphoreGetCount(SemaphoreHandle_t xSemaphore);
UBaseType_t uxSemaphoreGetCountFromISR(SemaphoreHandle_t xSemaphore);
/* TaskHandle_t without needing task.h first. */
struct tskTaskControlBlock* xSemaphoreGetMutexHolder(SemaphoreHandle_t xMutex);
struct tskTaskControlBlock* xSemaphoreGetMutexHolderFromISR(SemaphoreHandle_t xMutex);

/* The old binary semaphore creator: the semaphore starts "given". */
#define vSemaphoreCreateBinary(xSemaphore)                      \
  do {                                                          \
    (xSemaphore) = xSemaphoreCreateBinary();                    \
    if ((xSemaphore) != NULL) (void)xSemaphoreGive(xSemaphore); \
  } while (0)

#ifdef __cplusplus
}
#endif

#endif /* PETREL_FREERTOS_SEMPHR_H */
