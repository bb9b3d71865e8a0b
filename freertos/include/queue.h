/* queue.h: Petrel's FreeRTOS-compatible queue API (written from FreeRTOS's
 * documented interface). Include FreeRTOS.h first.
 *
 * A QueueHandle_t refers to one Petrel object with a kind tag: a queue, a
 * binary or counting semaphore, a mutex or a recursive mutex (semphr.h), as
 * in FreeRTOS, where a SemaphoreHandle_t is a QueueHandle_t, or a queue set
 * (configUSE_QUEUE_SETS). The queue calls below need a queue, except
 * uxQueueMessagesWaiting, xQueueReset and vQueueDelete, which take any kind. */
#ifndef PETREL_FREERTOS_QUEUE_H
#define PETREL_FREERTOS_QUEUE_H

#ifndef PETREL_FREERTOS_H
#error "include FreeRTOS.h before queue.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct QueueDefinition; /* defined by the implementation */
typedef struct QueueDefinition* QueueHandle_t;
typedef struct QueueDefinition* QueueSetHandle_t;
typedef struct QueueDefinition* QueueSetMemberHandle_t;

#define queueSEND_TO_BACK ((BaseType_t)0)
#define queueSEND_TO_FRONT ((BaseType_t)1)
#define queueOVERWRITE ((BaseType_t)2)

QueueHandle_t xQueueCreate(UBaseType_t uxQueueLength, UBaseType_t uxItemSize);
QueueHandle_t xQueueCreateStatic(UBaseType_t uxQueueLength, UBaseType_t uxItemSize,
                                 uint8_t* pucQueueStorageBuffer, StaticQueue_t* pxQueueBuffer);
void vQueueDelete(QueueHandle_t xQueue);
BaseType_t xQueueReset(QueueHandle_t xQueue);

BaseType_t xQueueSend(QueueHandle_t xQueue, const void* pvItemToQueue, TickType_t xTicksToWait);
BaseType_t xQueueSendToBack(QueueHandle_t xQueue, const void* pvItemToQueue,
                            TickType_t xTicksToWait);
BaseType_t xQueueSendToFront(QueueHandle_t xQueue, const void* pvItemToQueue,
                             TickType_t xTicksToWait);
BaseType_t xQueueOverwrite(QueueHandle_t xQueue, const void* pvItemToQueue);
BaseType_t xQueueGenericSend(QueueHandle_t xQueue, const void* pvItemToQueue,
                             TickType_t xTicksToWait, BaseType_t xCopyPosition);
BaseType_t xQueueReceive(QueueHandle_t xQueue, void* pvBuffer, TickType_t xTicksToWait);
BaseType_t xQueuePeek(QueueHandle_t xQueue, void* pvBuffer, TickType_t xTicksToWait);

BaseType_t xQueueSendFromISR(QueueHandle_t xQueue, const void* pvItemToQueue,
                             BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xQueueSendToBackFromISR(QueueHandle_t xQueue, const void* pvItemToQueue,
                                   BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xQueueSendToFrontFromISR(QueueHandle_t xQueue, const void* pvItemToQueue,
                                    BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xQueueOverwriteFromISR(QueueHandle_t xQueue, const void* pvItemToQueue,
                                  BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xQueueGenericSendFromISR(QueueHandle_t xQueue, const void* pvItemToQueue,
                                    BaseType_t* pxHigherPriorityTaskWoken,
                                    BaseType_t xCopyPosition);
BaseType_t xQueueReceiveFromISR(QueueHandle_t xQueue, void* pvBuffer,
                                BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xQueuePeekFromISR(QueueHandle_t xQueue, void* pvBuffer);

UBaseType_t uxQueueMessagesWaiting(QueueHandle_t xQueue);
UBaseType_t uxQueueMessagesWaitingFromISR(QueueHandle_t xQueue);
UBaseType_t uxQueueSpacesAvailable(QueueHandle_t xQueue);
BaseType_t xQueueIsQueueEmptyFromISR(QueueHandle_t xQueue);
BaseType_t xQueueIsQueueFullFromISR(QueueHandle_t xQueue);

#if configUSE_QUEUE_SETS
/* Queue sets: a task blocks on several queues and binary or counting
 * semaphores at once. Each successful send or give to a member queues the
 * member's handle in the set (an overwrite that replaces an item does not);
 * xQueueSelectFromSet returns the members in that order, and the caller then
 * reads the member it names with a zero-timeout receive or take. Make a
 * set's length the sum of its members' lengths (a binary semaphore counts 1,
 * a counting one its maximum): a send or give that finds the set full is
 * reported through configASSERT and fails. Mutexes cannot be members. */
QueueSetHandle_t xQueueCreateSet(UBaseType_t uxEventQueueLength);
BaseType_t xQueueAddToSet(QueueSetMemberHandle_t xQueueOrSemaphore, QueueSetHandle_t xQueueSet);
BaseType_t xQueueRemoveFromSet(QueueSetMemberHandle_t xQueueOrSemaphore,
                               QueueSetHandle_t xQueueSet);
QueueSetMemberHandle_t xQueueSelectFromSet(QueueSetHandle_t xQueueSet, TickType_t xTicksToWait);
QueueSetMemberHandle_t xQueueSelectFromSetFromISR(QueueSetHandle_t xQueueSet);
#endif

/* The queue registry: names for queues and semaphores, a debugger aid with
 * room for configQUEUE_REGISTRY_SIZE of them. Adding a queue already there
 * renames it; adding to a full registry, or with a NULL name, does nothing;
 * vQueueDelete removes the queue. pcQueueGetName: its name, or NULL when it
 * is not in the registry. With configQUEUE_REGISTRY_SIZE 0 (the default)
 * the first two compile to nothing and pcQueueGetName is not declared, as
 * on FreeRTOS. */
#if configQUEUE_REGISTRY_SIZE > 0
void vQueueAddToRegistry(QueueHandle_t xQueue, const char* pcQueueName);
void vQueueUnregisterQueue(QueueHandle_t xQueue);
const char* pcQueueGetName(QueueHandle_t xQueue);
#else
#define vQueueAddToRegistry(xQueue, pcName) ((void)(xQueue), (void)(pcName))
#define vQueueUnregisterQueue(xQueue) ((void)(xQueue))
#endif

#ifdef __cplusplus
}
#endif

#endif /* PETREL_FREERTOS_QUEUE_H */
