// Petrel's FreeRTOS-compatible API: queues and queue sets (queue.h) on
// petrel/kernel/queue.h, and the calls every kind of QueueHandle_t object
// shares.
#include "internal.h"
#include "petrel/kernel/heap.h"

using namespace petrel;
using namespace petrel::freertos;

namespace {

constexpr const char* kNullQueue = "NULL queue handle";

// A queue object behind `h`, or nullptr after reporting misuse.
kernel::Queue* queue_of(QueueHandle_t h, const char* call) {
  QueueDefinition* q = object_of(h, call, kNullQueue);
  if (q == nullptr) return nullptr;
  if (q->kind != Kind::kQueue) {
    PETREL_FR_MISUSE(call, q->kind == Kind::kQueueSet
                               ? "the handle is a queue set (use xQueueSelectFromSet)"
                               : "the handle is a semaphore or mutex, not a queue");
    return nullptr;
  }
  return &q->queue;
}

// A send to a member of a full queue set fails (kernel: kNoMemory) rather
// than lose the set's event; FreeRTOS asserts. Reports it; returns `s`'s
// outcome as a pdPASS or errQUEUE_FULL.
BaseType_t send_result(const char* call, const Status& s) {
  if (s.ok()) return pdPASS;
  if (s.error().code == Errc::kNoMemory) PETREL_FR_MISUSE(call, kQueueSetFull);
  return errQUEUE_FULL;
}

// A QueueDefinition and `bytes` of storage after it in one heap block, as
// FreeRTOS allocates a queue (*storage: nullptr for 0 bytes). nullptr, after
// the malloc-failed hook, when the heap cannot hold them.
QueueDefinition* allocate_with_storage(size_t bytes, uint8_t** storage) {
  const size_t header = (sizeof(QueueDefinition) + 15) & ~size_t{15};
  void* block = kernel::heap_alloc(header + bytes);
  if (block == nullptr) {
    malloc_failed();
    return nullptr;
  }
  *storage = bytes != 0 ? static_cast<uint8_t*>(block) + header : nullptr;
  return new (block) QueueDefinition();
}

// A NULL item is only allowed for queues of zero-size items.
bool item_ok(const char* call, kernel::Queue* q, const void* item) {
  if (item != nullptr || kernel::queue_item_size(q) == 0) return true;
  PETREL_FR_MISUSE(call, "NULL item for a queue with items of non-zero size");
  return false;
}

// The kernel's send or receive and its answer in FreeRTOS's terms, for the
// fast and the checked paths alike (inline: a call on the fast path cost 14
// instructions per item).
[[gnu::always_inline]] inline BaseType_t kernel_send(const char* call, kernel::Queue* q,
                                                     const void* item, kernel::Ticks wait,
                                                     BaseType_t position) {
  return send_result(call, position == queueSEND_TO_FRONT ? kernel::queue_send_front(q, item, wait)
                                                          : kernel::queue_send_back(q, item, wait));
}
[[gnu::always_inline]] inline BaseType_t kernel_receive(kernel::Queue* q, void* out,
                                                        kernel::Ticks wait, bool peek) {
  const bool passed =
      peek ? kernel::queue_peek_passed(q, out, wait) : kernel::queue_receive_passed(q, out, wait);
  return passed ? pdPASS : errQUEUE_EMPTY;
}

[[gnu::noinline]] BaseType_t send_checked(const char* call, QueueHandle_t h, const void* item,
                                          TickType_t ticks, BaseType_t position) {
  kernel::Queue* q = queue_of(h, call);
  if (q == nullptr) return pdFAIL;
  if (!item_ok(call, q, item)) return pdFAIL;
  if (position == queueOVERWRITE) {
    if (kernel::queue_length(q) != 1) {
      PETREL_FR_MISUSE(call, "overwrite needs a queue of length 1");
      return pdFAIL;
    }
    return send_result(call, kernel::queue_overwrite(q, item));
  }
  bool misuse;
  const kernel::Ticks wait = checked_wait(call, ticks, &misuse);
  if (misuse) return errQUEUE_FULL;
  return kernel_send(call, q, item, wait, position);
}

BaseType_t send_from_isr(const char* call, QueueHandle_t h, const void* item, BaseType_t* woken,
                         BaseType_t position) {
  kernel::Queue* q = queue_of(h, call);
  if (q == nullptr) return pdFAIL;
  if (!item_ok(call, q, item)) return pdFAIL;
  bool w = false;
  Status s = ok();
  if (position == queueOVERWRITE) {
    if (kernel::queue_length(q) != 1) {
      PETREL_FR_MISUSE(call, "overwrite needs a queue of length 1");
      return pdFAIL;
    }
    s = kernel::queue_overwrite_from_isr(q, item, &w);
  } else if (position == queueSEND_TO_FRONT) {
    s = kernel::queue_send_front_from_isr(q, item, &w);
  } else {
    s = kernel::queue_send_back_from_isr(q, item, &w);
  }
  set_woken(woken, w);
  return send_result(call, s);
}

[[gnu::noinline]] BaseType_t receive_checked(const char* call, QueueHandle_t h, void* out,
                                             TickType_t ticks, bool peek) {
  kernel::Queue* q = queue_of(h, call);
  if (q == nullptr) return pdFAIL;
  if (out == nullptr && kernel::queue_item_size(q) != 0) {
    PETREL_FR_MISUSE(call, "NULL buffer for a queue with items of non-zero size");
    return pdFAIL;
  }
  bool misuse;
  const kernel::Ticks wait = checked_wait(call, ticks, &misuse);
  if (misuse) return errQUEUE_EMPTY;
  return kernel_receive(q, out, wait, peek);
}

// The hot calls: a live queue, a buffer and a wait the running task may
// make go straight to the kernel (with kMisuseChecks off, everything does);
// anything else takes the checked path, which reports the misuse.
bool fast(const QueueDefinition* h, const void* buffer, TickType_t ticks) {
  if (!kMisuseChecks) return true;
  return live_as(h, Kind::kQueue) && buffer != nullptr && wait_allowed(ticks);
}

// Every path of the two is a tail call (the checked ones out of line), so
// neither needs a stack frame. A send to a queue in no queue set has no
// failure to report (full is errQUEUE_FULL): the kernel's result is passed on.
PETREL_FR_NOT_INLINED BaseType_t send(const char* call, QueueHandle_t h, const void* item,
                                      TickType_t ticks, BaseType_t position) {
  if (position == queueOVERWRITE || !fast(h, item, ticks) || kernel::queue_in_queue_set(&h->queue))
      [[unlikely]]
    return send_checked(call, h, item, ticks, position);
  if (position == queueSEND_TO_FRONT)
    return kernel::queue_send_front_passed(&h->queue, item, to_ticks(ticks)) ? pdPASS
                                                                             : errQUEUE_FULL;
  return kernel::queue_send_back_passed(&h->queue, item, to_ticks(ticks)) ? pdPASS : errQUEUE_FULL;
}

PETREL_FR_NOT_INLINED BaseType_t receive(const char* call, QueueHandle_t h, void* out,
                                         TickType_t ticks, bool peek) {
  if (!fast(h, out, ticks)) [[unlikely]]
    return receive_checked(call, h, out, ticks, peek);
  return kernel_receive(&h->queue, out, to_ticks(ticks), peek);
}

// ---- the queue registry (configQUEUE_REGISTRY_SIZE) ----
#if configQUEUE_REGISTRY_SIZE > 0
struct Registered {
  QueueHandle_t queue;
  const char* name;
};
Registered g_registry[configQUEUE_REGISTRY_SIZE];

Registered* registered(QueueHandle_t h) {
  for (Registered& r : g_registry)
    if (r.queue == h) return &r;
  return nullptr;
}
#endif

}  // namespace

extern "C" {

QueueHandle_t xQueueCreate(UBaseType_t length, UBaseType_t item_size) {
  if (length == 0) {
    PETREL_FR_MISUSE("xQueueCreate", "queue length 0");
    return nullptr;
  }
  const size_t bytes = kernel::queue_buffer_size(length, item_size);
  if (item_size != 0 && bytes == 0) {
    PETREL_FR_MISUSE("xQueueCreate", "queue size overflows");
    return nullptr;
  }
  uint8_t* buffer;
  QueueDefinition* q = allocate_with_storage(bytes, &buffer);
  if (q == nullptr) return nullptr;
  new (&q->queue) kernel::Queue();
  if (!kernel::queue_create_static(&q->queue, buffer, length, item_size)) {
    kernel::heap_free(q);
    return nullptr;
  }
  // FreeRTOS's rule: a woken task tries again (kernel/include/petrel/kernel/queue.h).
  kernel::queue_set_wake_rule(&q->queue, kernel::WakeRule::kWakeAndRetry);
  q->kind = Kind::kQueue;
  q->dynamic = true;
  q->magic = kMagic;
  return q;
}

QueueHandle_t xQueueCreateStatic(UBaseType_t length, UBaseType_t item_size, uint8_t* storage,
                                 StaticQueue_t* buffer) {
  if (buffer == nullptr || length == 0 || (item_size != 0 && storage == nullptr)) {
    PETREL_FR_MISUSE("xQueueCreateStatic", buffer == nullptr ? "NULL StaticQueue_t buffer"
                                           : length == 0     ? "queue length 0"
                                                             : "NULL queue storage buffer");
    return nullptr;
  }
  auto* q = new (buffer) QueueDefinition();
  new (&q->queue) kernel::Queue();
  if (!kernel::queue_create_static(&q->queue, storage, length, item_size)) {
    PETREL_FR_MISUSE("xQueueCreateStatic", "queue size overflows");
    return nullptr;
  }
  // FreeRTOS's rule: a woken task tries again (kernel/include/petrel/kernel/queue.h).
  kernel::queue_set_wake_rule(&q->queue, kernel::WakeRule::kWakeAndRetry);
  q->kind = Kind::kQueue;
  q->magic = kMagic;
  return q;
}

void vQueueDelete(QueueHandle_t h) {
  QueueDefinition* q = object_of(h, "vQueueDelete", kNullQueue);
  if (q == nullptr) return;
  switch (q->kind) {
    case Kind::kQueue:
      kernel::queue_delete(&q->queue);
      break;
    case Kind::kBinary:
    case Kind::kCounting:
      kernel::semaphore_delete(&q->semaphore);
      break;
    case Kind::kMutex:
    case Kind::kRecursiveMutex:
      (void)kernel::mutex_delete(&q->mutex);
      break;
    case Kind::kQueueSet:
      kernel::queue_set_delete(&q->queue_set);
      break;
  }
  q->magic = 0;
  vQueueUnregisterQueue(h);
  if (q->dynamic) kernel::heap_free(q);
}

BaseType_t xQueueReset(QueueHandle_t h) {
  QueueDefinition* q = object_of(h, "xQueueReset", kNullQueue);
  if (q == nullptr) return pdFAIL;
  if (q->kind == Kind::kQueue) return kernel::queue_reset(&q->queue).ok() ? pdPASS : pdFAIL;
  if (q->kind == Kind::kQueueSet)
    return kernel::queue_reset(&q->queue_set.events).ok() ? pdPASS : pdFAIL;
  if (q->kind == Kind::kBinary || q->kind == Kind::kCounting) {
    while (kernel::semaphore_take(&q->semaphore, kernel::kNoWait).ok()) {
    }
  }
  return pdPASS;
}

BaseType_t xQueueSend(QueueHandle_t h, const void* item, TickType_t ticks) {
  return send("xQueueSend", h, item, ticks, queueSEND_TO_BACK);
}
BaseType_t xQueueSendToBack(QueueHandle_t h, const void* item, TickType_t ticks) {
  return send("xQueueSendToBack", h, item, ticks, queueSEND_TO_BACK);
}
BaseType_t xQueueSendToFront(QueueHandle_t h, const void* item, TickType_t ticks) {
  return send("xQueueSendToFront", h, item, ticks, queueSEND_TO_FRONT);
}
BaseType_t xQueueOverwrite(QueueHandle_t h, const void* item) {
  return send("xQueueOverwrite", h, item, 0, queueOVERWRITE);
}
BaseType_t xQueueGenericSend(QueueHandle_t h, const void* item, TickType_t ticks,
                             BaseType_t position) {
  return send("xQueueGenericSend", h, item, ticks, position);
}
BaseType_t xQueueReceive(QueueHandle_t h, void* out, TickType_t ticks) {
  return receive("xQueueReceive", h, out, ticks, false);
}
BaseType_t xQueuePeek(QueueHandle_t h, void* out, TickType_t ticks) {
  return receive("xQueuePeek", h, out, ticks, true);
}

BaseType_t xQueueSendFromISR(QueueHandle_t h, const void* item, BaseType_t* woken) {
  return send_from_isr("xQueueSendFromISR", h, item, woken, queueSEND_TO_BACK);
}
BaseType_t xQueueSendToBackFromISR(QueueHandle_t h, const void* item, BaseType_t* woken) {
  return send_from_isr("xQueueSendToBackFromISR", h, item, woken, queueSEND_TO_BACK);
}
BaseType_t xQueueSendToFrontFromISR(QueueHandle_t h, const void* item, BaseType_t* woken) {
  return send_from_isr("xQueueSendToFrontFromISR", h, item, woken, queueSEND_TO_FRONT);
}
BaseType_t xQueueOverwriteFromISR(QueueHandle_t h, const void* item, BaseType_t* woken) {
  return send_from_isr("xQueueOverwriteFromISR", h, item, woken, queueOVERWRITE);
}
BaseType_t xQueueGenericSendFromISR(QueueHandle_t h, const void* item, BaseType_t* woken,
                                    BaseType_t position) {
  return send_from_isr("xQueueGenericSendFromISR", h, item, woken, position);
}

BaseType_t xQueueReceiveFromISR(QueueHandle_t h, void* out, BaseType_t* woken) {
  kernel::Queue* q = queue_of(h, "xQueueReceiveFromISR");
  if (q == nullptr) return pdFAIL;
  bool w = false;
  Status s = kernel::queue_receive_from_isr(q, out, &w);
  set_woken(woken, w);
  return s.ok() ? pdPASS : errQUEUE_EMPTY;
}

BaseType_t xQueuePeekFromISR(QueueHandle_t h, void* out) {
  kernel::Queue* q = queue_of(h, "xQueuePeekFromISR");
  if (q == nullptr) return pdFAIL;
  return kernel::queue_peek_from_isr(q, out).ok() ? pdPASS : errQUEUE_EMPTY;
}

static UBaseType_t messages_waiting(QueueHandle_t h, const char* call) {
  QueueDefinition* q = object_of(h, call, kNullQueue);
  if (q == nullptr) return 0;
  switch (q->kind) {
    case Kind::kQueue:
      return kernel::queue_messages_waiting(&q->queue);
    case Kind::kBinary:
    case Kind::kCounting:
      return kernel::semaphore_count(&q->semaphore);
    case Kind::kMutex:
    case Kind::kRecursiveMutex:
      return kernel::mutex_owner(&q->mutex) == nullptr ? 1 : 0;  // available or not
    case Kind::kQueueSet:
      return kernel::queue_set_events(&q->queue_set);
  }
  return 0;
}

UBaseType_t uxQueueMessagesWaiting(QueueHandle_t h) {
  return messages_waiting(h, "uxQueueMessagesWaiting");
}
UBaseType_t uxQueueMessagesWaitingFromISR(QueueHandle_t h) {
  return messages_waiting(h, "uxQueueMessagesWaitingFromISR");
}

UBaseType_t uxQueueSpacesAvailable(QueueHandle_t h) {
  kernel::Queue* q = queue_of(h, "uxQueueSpacesAvailable");
  return q != nullptr ? kernel::queue_spaces_available(q) : 0;
}

BaseType_t xQueueIsQueueEmptyFromISR(QueueHandle_t h) {
  kernel::Queue* q = queue_of(h, "xQueueIsQueueEmptyFromISR");
  if (q == nullptr) return pdFALSE;
  return kernel::queue_messages_waiting(q) == 0 ? pdTRUE : pdFALSE;
}

BaseType_t xQueueIsQueueFullFromISR(QueueHandle_t h) {
  kernel::Queue* q = queue_of(h, "xQueueIsQueueFullFromISR");
  if (q == nullptr) return pdFALSE;
  return kernel::queue_spaces_available(q) == 0 ? pdTRUE : pdFALSE;
}

#if configQUEUE_REGISTRY_SIZE > 0
void vQueueAddToRegistry(QueueHandle_t h, const char* name) {
  if (h == nullptr) {
    PETREL_FR_MISUSE("vQueueAddToRegistry", "NULL queue handle");
    return;
  }
  if (name == nullptr) return;
  kernel::CriticalSection cs;
  Registered* r = registered(h);
  if (r == nullptr) r = registered(nullptr);  // the first free entry
  if (r != nullptr) *r = Registered{h, name};
}

void vQueueUnregisterQueue(QueueHandle_t h) {
  if (h == nullptr) {
    PETREL_FR_MISUSE("vQueueUnregisterQueue", "NULL queue handle");
    return;
  }
  kernel::CriticalSection cs;
  if (Registered* r = registered(h)) *r = Registered{nullptr, nullptr};
}

const char* pcQueueGetName(QueueHandle_t h) {
  if (h == nullptr) {
    PETREL_FR_MISUSE("pcQueueGetName", "NULL queue handle");
    return nullptr;
  }
  kernel::CriticalSection cs;
  const Registered* r = registered(h);
  return r != nullptr ? r->name : nullptr;
}
#endif

}  // extern "C"

#if configUSE_QUEUE_SETS

namespace {

// The set behind `h`, or nullptr after reporting misuse.
kernel::QueueSet* set_of(QueueSetHandle_t h, const char* call) {
  QueueDefinition* q = object_of(h, call, "NULL queue set handle");
  if (q == nullptr) return nullptr;
  if (q->kind != Kind::kQueueSet) {
    PETREL_FR_MISUSE(call, "the handle is not a queue set (xQueueCreateSet)");
    return nullptr;
  }
  return &q->queue_set;
}

// The member behind `h` if it is a queue or a binary or counting semaphore,
// or nullptr after reporting misuse.
QueueDefinition* member_of(QueueSetMemberHandle_t h, const char* call) {
  QueueDefinition* m = object_of(h, call, "NULL queue or semaphore handle");
  if (m == nullptr) return nullptr;
  switch (m->kind) {
    case Kind::kQueue:
    case Kind::kBinary:
    case Kind::kCounting:
      return m;
    case Kind::kMutex:
    case Kind::kRecursiveMutex:
      // FreeRTOS lets a mutex in (its waiters then get no priority
      // inheritance); Petrel's mutexes have no link to a set.
      PETREL_FR_MISUSE(call, "mutexes cannot be members of a queue set");
      return nullptr;
    case Kind::kQueueSet:
      PETREL_FR_MISUSE(call, "a queue set cannot be a member of a queue set");
      return nullptr;
  }
  return nullptr;
}

QueueSetMemberHandle_t member_handle(const Result<const void*>& r) {
  // The tag of every member is its handle (xQueueAddToSet).
  return r.ok() ? static_cast<QueueSetMemberHandle_t>(const_cast<void*>(*r)) : nullptr;
}

}  // namespace

extern "C" {

QueueSetHandle_t xQueueCreateSet(UBaseType_t length) {
  if (length == 0) {
    PETREL_FR_MISUSE("xQueueCreateSet", "queue set length 0");
    return nullptr;
  }
  const size_t bytes = kernel::queue_set_buffer_size(length);
  if (bytes == 0) {
    PETREL_FR_MISUSE("xQueueCreateSet", "queue set size overflows");
    return nullptr;
  }
  // The object and its events in one block, as a queue.
  uint8_t* events;
  QueueDefinition* q = allocate_with_storage(bytes, &events);
  if (q == nullptr) return nullptr;
  new (&q->queue_set) kernel::QueueSet();
  // FreeRTOS's rule for the selectors too: a select is a receive from the set.
  if (!kernel::queue_set_create_static(&q->queue_set, events, length,
                                       kernel::WakeRule::kWakeAndRetry)) {
    kernel::heap_free(q);
    return nullptr;
  }
  q->kind = Kind::kQueueSet;
  q->dynamic = true;
  q->magic = kMagic;
  return q;
}

BaseType_t xQueueAddToSet(QueueSetMemberHandle_t member, QueueSetHandle_t set) {
  const char* call = "xQueueAddToSet";
  kernel::QueueSet* s = set_of(set, call);
  if (s == nullptr) return pdFAIL;
  QueueDefinition* m = member_of(member, call);
  if (m == nullptr) return pdFAIL;
  // Already in a set, or not empty: pdFAIL, as FreeRTOS documents.
  const Status st = m->kind == Kind::kQueue ? kernel::queue_set_add(s, &m->queue, m)
                                            : kernel::queue_set_add(s, &m->semaphore, m);
  return st.ok() ? pdPASS : pdFAIL;
}

BaseType_t xQueueRemoveFromSet(QueueSetMemberHandle_t member, QueueSetHandle_t set) {
  const char* call = "xQueueRemoveFromSet";
  kernel::QueueSet* s = set_of(set, call);
  if (s == nullptr) return pdFAIL;
  QueueDefinition* m = member_of(member, call);
  if (m == nullptr) return pdFAIL;
  // Not in this set, or not empty: pdFAIL, as FreeRTOS documents.
  const Status st = m->kind == Kind::kQueue ? kernel::queue_set_remove(s, &m->queue)
                                            : kernel::queue_set_remove(s, &m->semaphore);
  return st.ok() ? pdPASS : pdFAIL;
}

QueueSetMemberHandle_t xQueueSelectFromSet(QueueSetHandle_t set, TickType_t ticks) {
  const char* call = "xQueueSelectFromSet";
  kernel::QueueSet* s = set_of(set, call);
  if (s == nullptr) return nullptr;
  bool misuse;
  const kernel::Ticks wait = checked_wait(call, ticks, &misuse);
  if (misuse) return nullptr;
  return member_handle(kernel::queue_set_select(s, wait));
}

QueueSetMemberHandle_t xQueueSelectFromSetFromISR(QueueSetHandle_t set) {
  kernel::QueueSet* s = set_of(set, "xQueueSelectFromSetFromISR");
  if (s == nullptr) return nullptr;
  return member_handle(kernel::queue_set_select_from_isr(s));
}

}  // extern "C"

#endif  // configUSE_QUEUE_SETS
