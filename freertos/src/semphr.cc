// Petrel's FreeRTOS-compatible API: semaphores and mutexes (semphr.h) on
// petrel/kernel/semaphore.h and mutex.h. A SemaphoreHandle_t is a
// QueueHandle_t whose object's kind says which kernel object it holds.
#include "internal.h"
#include "petrel/kernel/heap.h"

using namespace petrel;
using namespace petrel::freertos;

namespace {

constexpr const char* kNullSemaphore = "NULL semaphore handle";

// The semaphore or (non-recursive) mutex behind `h`, or nullptr after
// reporting misuse: a queue, or a recursive mutex (`recursive_hint`).
QueueDefinition* non_recursive(SemaphoreHandle_t h, const char* call, const char* recursive_hint) {
  QueueDefinition* q = object_of(h, call, kNullSemaphore);
  if (q == nullptr) return nullptr;
  if (q->kind == Kind::kQueue || q->kind == Kind::kQueueSet) {
    PETREL_FR_MISUSE(call, q->kind == Kind::kQueue ? "the handle is a queue, not a semaphore"
                                                   : "the handle is a queue set, not a semaphore");
    return nullptr;
  }
  if (q->kind == Kind::kRecursiveMutex) {
    PETREL_FR_MISUSE(call, recursive_hint);
    return nullptr;
  }
  return q;
}

bool is_mutex(const QueueDefinition* q) {
  return q->kind == Kind::kMutex || q->kind == Kind::kRecursiveMutex;
}

// A give to a member of a full queue set fails (kernel: kNoMemory) rather
// than lose the set's event; FreeRTOS asserts. Reports it.
BaseType_t give_result(const char* call, const Status& s) {
  if (s.ok()) return pdPASS;
  if (s.error().code == Errc::kNoMemory) PETREL_FR_MISUSE(call, kQueueSetFull);
  return pdFAIL;
}

QueueDefinition* allocate(const char* call, StaticSemaphore_t* buffer) {
  void* block = buffer;
  if (block == nullptr) {
    block = kernel::heap_alloc(sizeof(QueueDefinition));
    if (block == nullptr) {
      malloc_failed();
      return nullptr;
    }
  }
  (void)call;
  auto* q = new (block) QueueDefinition();
  q->dynamic = buffer == nullptr;
  return q;
}

SemaphoreHandle_t make_semaphore(const char* call, Kind kind, UBaseType_t max, UBaseType_t initial,
                                 StaticSemaphore_t* buffer, bool is_static) {
  if (is_static && buffer == nullptr) {
    PETREL_FR_MISUSE(call, "NULL StaticSemaphore_t buffer");
    return nullptr;
  }
  if (max == 0 || initial > max || max > UINT32_MAX) {
    PETREL_FR_MISUSE(call, max == 0 ? "maximum count 0" : "initial count above the maximum");
    return nullptr;
  }
  QueueDefinition* q = allocate(call, buffer);
  if (q == nullptr) return nullptr;
  new (&q->semaphore) kernel::Semaphore();
  (void)kernel::semaphore_create_static(&q->semaphore, static_cast<uint32_t>(max),
                                        static_cast<uint32_t>(initial));
  // FreeRTOS's rule: a give wakes one taker, which tries again when it runs.
  kernel::semaphore_set_wake_rule(&q->semaphore, kernel::WakeRule::kWakeAndRetry);
  q->kind = kind;
  q->magic = kMagic;
  return q;
}

SemaphoreHandle_t make_mutex(const char* call, Kind kind, StaticSemaphore_t* buffer,
                             bool is_static) {
  if (is_static && buffer == nullptr) {
    PETREL_FR_MISUSE(call, "NULL StaticSemaphore_t buffer");
    return nullptr;
  }
  QueueDefinition* q = allocate(call, buffer);
  if (q == nullptr) return nullptr;
  new (&q->mutex) kernel::Mutex();
  (void)kernel::mutex_init(&q->mutex, kind == Kind::kRecursiveMutex ? kernel::MutexType::kRecursive
                                                                    : kernel::MutexType::kNormal);
  // FreeRTOS's rule: a give frees the mutex and wakes one waiter, which
  // tries again when it runs (priority inheritance as before).
  kernel::mutex_set_wake_rule(&q->mutex, kernel::WakeRule::kWakeAndRetry);
  q->kind = kind;
  q->magic = kMagic;
  return q;
}

BaseType_t mutex_take(const char* call, QueueDefinition* q, TickType_t ticks) {
  if (kernel::in_isr()) {
    PETREL_FR_MISUSE(call, "mutexes cannot be used from interrupts");
    return pdFAIL;
  }
  bool misuse;
  const kernel::Ticks wait = checked_wait(call, ticks, &misuse);
  if (misuse) return pdFAIL;
  kernel::Task* self = kernel::task_current();
  if (self == nullptr) {
    PETREL_FR_MISUSE(call, "no running task to hold the mutex (the scheduler has not started)");
    return pdFAIL;
  }
  if (q->kind == Kind::kMutex && kernel::mutex_owner(&q->mutex) == self) {
    PETREL_FR_MISUSE(call, "deadlock: the calling task already holds this (non-recursive) mutex");
    return pdFAIL;
  }
  Status s = kernel::mutex_lock(&q->mutex, wait);
  if (!s.ok() && s.error().code == Errc::kInvalid) PETREL_FR_MISUSE(call, s.error().message);
  return s.ok() ? pdPASS : pdFAIL;
}

BaseType_t mutex_give(const char* call, QueueDefinition* q) {
  if (kernel::in_isr()) {
    PETREL_FR_MISUSE(call, "mutexes cannot be used from interrupts");
    return pdFAIL;
  }
  kernel::Task* owner = kernel::mutex_owner(&q->mutex);
  if (owner == nullptr) return pdFAIL;  // not held: nothing to give (as FreeRTOS)
  if (owner != kernel::task_current()) {
    PETREL_FR_MISUSE(call, "mutex given by a task that does not hold it");
    return pdFAIL;
  }
  return kernel::mutex_unlock(&q->mutex).ok() ? pdPASS : pdFAIL;
}

// live_as(h, Kind::kBinary, true) is either semaphore kind.
static_assert(static_cast<int>(Kind::kBinary) % 2 == 0 &&
              static_cast<int>(Kind::kCounting) == static_cast<int>(Kind::kBinary) + 1);

bool is_semaphore(const QueueDefinition* q) {
  return q->kind == Kind::kBinary || q->kind == Kind::kCounting;
}

// The calls' checked paths: every misuse reported, mutexes dispatched.
[[gnu::noinline]] BaseType_t take_checked(SemaphoreHandle_t h, TickType_t ticks) {
  const char* call = "xSemaphoreTake";
  QueueDefinition* q = non_recursive(h, call, "recursive mutex: use xSemaphoreTakeRecursive");
  if (q == nullptr) return pdFAIL;
  if (is_mutex(q)) return mutex_take(call, q, ticks);
  bool misuse;
  const kernel::Ticks wait = checked_wait(call, ticks, &misuse);
  if (misuse) return pdFAIL;
  return kernel::semaphore_take_passed(&q->semaphore, wait) ? pdPASS : pdFAIL;
}

[[gnu::noinline]] BaseType_t give_checked(SemaphoreHandle_t h) {
  const char* call = "xSemaphoreGive";
  QueueDefinition* q = non_recursive(h, call, "recursive mutex: use xSemaphoreGiveRecursive");
  if (q == nullptr) return pdFAIL;
  if (is_mutex(q)) return mutex_give(call, q);
  return give_result(call, kernel::semaphore_give(&q->semaphore));
}

}  // namespace

extern "C" {

SemaphoreHandle_t xSemaphoreCreateBinary(void) {
  return make_semaphore("xSemaphoreCreateBinary", Kind::kBinary, 1, 0, nullptr, false);
}
SemaphoreHandle_t xSemaphoreCreateBinaryStatic(StaticSemaphore_t* buffer) {
  return make_semaphore("xSemaphoreCreateBinaryStatic", Kind::kBinary, 1, 0, buffer, true);
}
SemaphoreHandle_t xSemaphoreCreateCounting(UBaseType_t max, UBaseType_t initial) {
  return make_semaphore("xSemaphoreCreateCounting", Kind::kCounting, max, initial, nullptr, false);
}
SemaphoreHandle_t xSemaphoreCreateCountingStatic(UBaseType_t max, UBaseType_t initial,
                                                 StaticSemaphore_t* buffer) {
  return make_semaphore("xSemaphoreCreateCountingStatic", Kind::kCounting, max, initial, buffer,
                        true);
}
SemaphoreHandle_t xSemaphoreCreateMutex(void) {
  return make_mutex("xSemaphoreCreateMutex", Kind::kMutex, nullptr, false);
}
SemaphoreHandle_t xSemaphoreCreateMutexStatic(StaticSemaphore_t* buffer) {
  return make_mutex("xSemaphoreCreateMutexStatic", Kind::kMutex, buffer, true);
}
SemaphoreHandle_t xSemaphoreCreateRecursiveMutex(void) {
  return make_mutex("xSemaphoreCreateRecursiveMutex", Kind::kRecursiveMutex, nullptr, false);
}
SemaphoreHandle_t xSemaphoreCreateRecursiveMutexStatic(StaticSemaphore_t* buffer) {
  return make_mutex("xSemaphoreCreateRecursiveMutexStatic", Kind::kRecursiveMutex, buffer, true);
}

void vSemaphoreDelete(SemaphoreHandle_t h) {
  if (object_of(h, "vSemaphoreDelete", kNullSemaphore) != nullptr) vQueueDelete(h);
}

// The hot calls: a semaphore handle that passes the checks goes straight to
// the kernel; anything else (a mutex, misuse) takes the checked path.
PETREL_FR_NOT_INLINED BaseType_t xSemaphoreTake(SemaphoreHandle_t h, TickType_t ticks) {
  const bool fast =
      kMisuseChecks ? live_as(h, Kind::kBinary, true) && wait_allowed(ticks) : is_semaphore(h);
  if (!fast) [[unlikely]]
    return take_checked(h, ticks);
  return kernel::semaphore_take_passed(&h->semaphore, to_ticks(ticks)) ? pdPASS : pdFAIL;
}

PETREL_FR_NOT_INLINED BaseType_t xSemaphoreGive(SemaphoreHandle_t h) {
  const bool fast = kMisuseChecks ? live_as(h, Kind::kBinary, true) : is_semaphore(h);
  if (!fast) [[unlikely]]
    return give_checked(h);
  // Only a member of a queue set can fail a give for a reason to report (its
  // set full): it takes the checked path. Any other failure is pdFAIL, so the
  // kernel's result is passed on; both are tail calls, and the call needs no
  // stack frame.
  if (kernel::semaphore_in_queue_set(&h->semaphore)) [[unlikely]]
    return give_checked(h);
  return kernel::semaphore_give_passed(&h->semaphore) ? pdPASS : pdFAIL;
}

BaseType_t xSemaphoreTakeRecursive(SemaphoreHandle_t h, TickType_t ticks) {
  const char* call = "xSemaphoreTakeRecursive";
  QueueDefinition* q = object_of(h, call, "NULL mutex handle");
  if (q == nullptr) return pdFAIL;
  if (q->kind != Kind::kRecursiveMutex) {
    PETREL_FR_MISUSE(call, "not a recursive mutex (xSemaphoreCreateRecursiveMutex)");
    return pdFAIL;
  }
  return mutex_take(call, q, ticks);
}

BaseType_t xSemaphoreGiveRecursive(SemaphoreHandle_t h) {
  const char* call = "xSemaphoreGiveRecursive";
  QueueDefinition* q = object_of(h, call, "NULL mutex handle");
  if (q == nullptr) return pdFAIL;
  if (q->kind != Kind::kRecursiveMutex) {
    PETREL_FR_MISUSE(call, "not a recursive mutex (xSemaphoreCreateRecursiveMutex)");
    return pdFAIL;
  }
  // FreeRTOS documents this give by a task that does not hold the mutex as
  // failing (pdFAIL), not as misuse.
  if (!kernel::in_isr() && kernel::mutex_owner(&q->mutex) != kernel::task_current()) return pdFAIL;
  return mutex_give(call, q);
}

static QueueDefinition* isr_semaphore(SemaphoreHandle_t h, const char* call) {
  QueueDefinition* q = object_of(h, call, kNullSemaphore);
  if (q == nullptr) return nullptr;
  if (q->kind != Kind::kBinary && q->kind != Kind::kCounting) {
    PETREL_FR_MISUSE(call, q->kind == Kind::kQueue ? "the handle is a queue, not a semaphore"
                           : q->kind == Kind::kQueueSet
                               ? "the handle is a queue set, not a semaphore"
                               : "mutexes cannot be used from interrupts");
    return nullptr;
  }
  return q;
}

BaseType_t xSemaphoreTakeFromISR(SemaphoreHandle_t h, BaseType_t* woken) {
  QueueDefinition* q = isr_semaphore(h, "xSemaphoreTakeFromISR");
  if (q == nullptr) return pdFAIL;
  bool w = false;
  Status s = kernel::semaphore_take_from_isr(&q->semaphore, &w);
  set_woken(woken, w);
  return s.ok() ? pdPASS : pdFAIL;
}

BaseType_t xSemaphoreGiveFromISR(SemaphoreHandle_t h, BaseType_t* woken) {
  QueueDefinition* q = isr_semaphore(h, "xSemaphoreGiveFromISR");
  if (q == nullptr) return pdFAIL;
  bool w = false;
  Status s = kernel::semaphore_give_from_isr(&q->semaphore, &w);
  set_woken(woken, w);
  return give_result("xSemaphoreGiveFromISR", s);
}

UBaseType_t uxSemaphoreGetCount(SemaphoreHandle_t h) {
  return uxQueueMessagesWaiting(h);
}
UBaseType_t uxSemaphoreGetCountFromISR(SemaphoreHandle_t h) {
  return uxQueueMessagesWaitingFromISR(h);
}

TaskHandle_t xSemaphoreGetMutexHolder(SemaphoreHandle_t h) {
  QueueDefinition* q = object_of(h, "xSemaphoreGetMutexHolder", "NULL mutex handle");
  if (q == nullptr || !is_mutex(q)) return nullptr;  // FreeRTOS: NULL for non-mutexes
  return handle_of(kernel::mutex_owner(&q->mutex));
}
TaskHandle_t xSemaphoreGetMutexHolderFromISR(SemaphoreHandle_t h) {
  return xSemaphoreGetMutexHolder(h);
}

}  // extern "C"
