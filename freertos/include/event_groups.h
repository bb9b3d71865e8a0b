/* event_groups.h: Petrel's FreeRTOS-compatible event group API (written from
 * FreeRTOS's documented interface). Include FreeRTOS.h first.
 *
 * An EventGroupHandle_t is a Petrel event group (petrel/kernel/event_group.h):
 * 24 usable event bits (the top 8 of EventBits_t are reserved, as in FreeRTOS
 * with 32-bit ticks). The FromISR calls act in the interrupt handler itself
 * (no deferral to the timer daemon). */
#ifndef PETREL_FREERTOS_EVENT_GROUPS_H
#define PETREL_FREERTOS_EVENT_GROUPS_H

#ifndef PETREL_FREERTOS_H
#error "include FreeRTOS.h before event_groups.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct EventGroupDef_t; /* never defined: a Petrel event group */
typedef struct EventGroupDef_t* EventGroupHandle_t;
typedef TickType_t EventBits_t;

EventGroupHandle_t xEventGroupCreate(void);
EventGroupHandle_t xEventGroupCreateStatic(StaticEventGroup_t* pxEventGroupBuffer);
void vEventGroupDelete(EventGroupHandle_t xEventGroup);

EventBits_t xEventGroupWaitBits(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToWaitFor,
                                const BaseType_t xClearOnExit, const BaseType_t xWaitForAllBits,
                                TickType_t xTicksToWait);
EventBits_t xEventGroupSetBits(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToSet);
EventBits_t xEventGroupClearBits(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToClear);
EventBits_t xEventGroupGetBits(EventGroupHandle_t xEventGroup);
EventBits_t xEventGroupSync(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToSet,
                            const EventBits_t uxBitsToWaitFor, TickType_t xTicksToWait);

/* pdPASS: the bits were set (always, unlike FreeRTOS, which can fail when
 * the timer command queue is full). */
BaseType_t xEventGroupSetBitsFromISR(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToSet,
                                     BaseType_t* pxHigherPriorityTaskWoken);
BaseType_t xEventGroupClearBitsFromISR(EventGroupHandle_t xEventGroup,
                                       const EventBits_t uxBitsToClear);
EventBits_t xEventGroupGetBitsFromISR(EventGroupHandle_t xEventGroup);

#ifdef __cplusplus
}
#endif

#endif /* PETREL_FREERTOS_EVENT_GROUPS_H */
