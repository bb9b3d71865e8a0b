// Petrel's FreeRTOS-compatible API: event groups (event_groups.h) on
// petrel/kernel/event_group.h.
#include "internal.h"
// clang-format off
#include "event_groups.h"
// clang-format on
#include "petrel/kernel/event_group.h"

static_assert(sizeof(petrel::kernel::EventGroup) <= sizeof(StaticEventGroup_t),
              "StaticEventGroup_t is too small for Petrel's EventGroup");
static_assert(alignof(petrel::kernel::EventGroup) <= alignof(StaticEventGroup_t));
static_assert(sizeof(EventBits_t) == sizeof(petrel::kernel::EventBits));

using namespace petrel;
using namespace petrel::freertos;
using kernel::EventGroup;

namespace {

// The live group behind `h`, or nullptr after reporting misuse.
EventGroup* group_of(const char* call, EventGroupHandle_t h) {
  auto* g = reinterpret_cast<EventGroup*>(h);
  if (g == nullptr) {
    PETREL_FR_MISUSE(call, "NULL event group handle");
    return nullptr;
  }
  if (!g->live) {
    PETREL_FR_MISUSE(call, "deleted event group");
    return nullptr;
  }
  return g;
}

bool checked_bits(const char* call, EventBits_t bits) {
  if ((bits & ~kernel::kEventBitsUsable) != 0) {
    PETREL_FR_MISUSE(call, "bits include the top 8 (reserved) bits");
    return false;
  }
  return true;
}

}  // namespace

extern "C" {

EventGroupHandle_t xEventGroupCreate(void) {
  if (kernel::in_isr()) {
    PETREL_FR_MISUSE("xEventGroupCreate", "called from interrupt context");
    return nullptr;
  }
  auto made = kernel::event_group_create();
  if (!made) {
    malloc_failed();
    return nullptr;
  }
  return reinterpret_cast<EventGroupHandle_t>(*made);
}

EventGroupHandle_t xEventGroupCreateStatic(StaticEventGroup_t* buffer) {
  if (buffer == nullptr) {
    PETREL_FR_MISUSE("xEventGroupCreateStatic", "NULL StaticEventGroup_t buffer");
    return nullptr;
  }
  auto* g = new (buffer) EventGroup();
  if (!kernel::event_group_init(g).ok()) return nullptr;
  return reinterpret_cast<EventGroupHandle_t>(g);
}

void vEventGroupDelete(EventGroupHandle_t h) {
  EventGroup* g = group_of("vEventGroupDelete", h);
  if (g != nullptr) kernel::event_group_delete(g);
}

EventBits_t xEventGroupWaitBits(EventGroupHandle_t h, const EventBits_t bits,
                                const BaseType_t clear_on_exit, const BaseType_t wait_for_all,
                                TickType_t ticks) {
  static constexpr const char* kCall = "xEventGroupWaitBits";
  EventGroup* g = group_of(kCall, h);
  if (g == nullptr || !checked_bits(kCall, bits)) return 0;
  if (bits == 0) {
    PETREL_FR_MISUSE(kCall, "no bits to wait for");
    return 0;
  }
  bool misuse;
  const kernel::Ticks wait = checked_wait(kCall, ticks, &misuse);
  if (misuse) return 0;
  unsigned flags = (wait_for_all != pdFALSE ? kernel::kEventWaitAll : kernel::kEventWaitAny) |
                   (clear_on_exit != pdFALSE ? kernel::kEventClearOnExit : 0u);
  EventBits_t value = kernel::event_group_get_bits(g);
  (void)kernel::event_group_wait_bits(g, bits, flags, wait, &value);
  return value;
}

EventBits_t xEventGroupSetBits(EventGroupHandle_t h, const EventBits_t bits) {
  EventGroup* g = group_of("xEventGroupSetBits", h);
  if (g == nullptr || !checked_bits("xEventGroupSetBits", bits)) return 0;
  return kernel::event_group_set_bits(g, bits).value_or(0);
}

EventBits_t xEventGroupClearBits(EventGroupHandle_t h, const EventBits_t bits) {
  EventGroup* g = group_of("xEventGroupClearBits", h);
  if (g == nullptr || !checked_bits("xEventGroupClearBits", bits)) return 0;
  return kernel::event_group_clear_bits(g, bits).value_or(0);
}

EventBits_t xEventGroupGetBits(EventGroupHandle_t h) {
  EventGroup* g = group_of("xEventGroupGetBits", h);
  return g != nullptr ? kernel::event_group_get_bits(g) : 0;
}

EventBits_t xEventGroupSync(EventGroupHandle_t h, const EventBits_t set, const EventBits_t wait_for,
                            TickType_t ticks) {
  static constexpr const char* kCall = "xEventGroupSync";
  EventGroup* g = group_of(kCall, h);
  if (g == nullptr || !checked_bits(kCall, set) || !checked_bits(kCall, wait_for)) return 0;
  if (wait_for == 0) {
    PETREL_FR_MISUSE(kCall, "no bits to wait for");
    return 0;
  }
  bool misuse;
  const kernel::Ticks wait = checked_wait(kCall, ticks, &misuse);
  if (misuse) return 0;
  EventBits_t value = 0;
  (void)kernel::event_group_sync(g, set, wait_for, wait, &value);
  return value;
}

BaseType_t xEventGroupSetBitsFromISR(EventGroupHandle_t h, const EventBits_t bits,
                                     BaseType_t* woken) {
  EventGroup* g = group_of("xEventGroupSetBitsFromISR", h);
  if (g == nullptr || !checked_bits("xEventGroupSetBitsFromISR", bits)) return pdFAIL;
  bool w = false;
  const bool done = kernel::event_group_set_bits_from_isr(g, bits, &w).ok();
  set_woken(woken, w);
  return done ? pdPASS : pdFAIL;
}

BaseType_t xEventGroupClearBitsFromISR(EventGroupHandle_t h, const EventBits_t bits) {
  EventGroup* g = group_of("xEventGroupClearBitsFromISR", h);
  if (g == nullptr || !checked_bits("xEventGroupClearBitsFromISR", bits)) return pdFAIL;
  return kernel::event_group_clear_bits_from_isr(g, bits).ok() ? pdPASS : pdFAIL;
}

EventBits_t xEventGroupGetBitsFromISR(EventGroupHandle_t h) {
  EventGroup* g = group_of("xEventGroupGetBitsFromISR", h);
  return g != nullptr ? kernel::event_group_get_bits(g) : 0;
}

}  // extern "C"
