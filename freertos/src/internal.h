// Internals of Petrel's FreeRTOS-compatible API: the object behind a
// QueueHandle_t, handle conversions, tick conversion and the checks that
// report misuse through configASSERT.
#pragma once

#include <stdint.h>

#include <new>

// clang-format off
#include "FreeRTOS.h"
#include "task.h"
#include "queue.h"
#include "semphr.h"
// clang-format on
#include "petrel/kernel/config.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/kernel/mutex.h"
#include "petrel/kernel/queue.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/semaphore.h"
#include "petrel/kernel/task.h"

// FreeRTOSConfig.h is the application's; the kernel was built with its own
// configuration (petrel/kernel/config.h). They must agree.
static_assert(configMAX_PRIORITIES <= petrel::kernel::config::kPriorities,
              "FreeRTOSConfig.h: configMAX_PRIORITIES is above the kernel's "
              "PETREL_CONFIG_PRIORITIES");
static_assert(configTICK_RATE_HZ == petrel::kernel::config::kTickRateHz,
              "FreeRTOSConfig.h: configTICK_RATE_HZ differs from the kernel's "
              "PETREL_CONFIG_TICK_RATE_HZ");
static_assert((configUSE_TIME_SLICING != 0) == petrel::kernel::config::kTimeSlicing,
              "FreeRTOSConfig.h: configUSE_TIME_SLICING differs from the kernel's "
              "PETREL_CONFIG_TIME_SLICING");
static_assert(configTASK_NOTIFICATION_ARRAY_ENTRIES >= 1 &&
                  configTASK_NOTIFICATION_ARRAY_ENTRIES <= petrel::kernel::config::kNotifyIndices,
              "FreeRTOSConfig.h: configTASK_NOTIFICATION_ARRAY_ENTRIES is above the kernel's "
              "PETREL_CONFIG_NOTIFY_INDICES");
static_assert(sizeof(TickType_t) == 4, "TickType_t is 32 bits");

namespace petrel::freertos {

enum class Kind : uint8_t { kQueue = 1, kBinary, kCounting, kMutex, kRecursiveMutex, kQueueSet };

inline constexpr uint32_t kMagic = 0x50525451;  // "PRTQ": a live object

}  // namespace petrel::freertos

// The object a QueueHandle_t points to (FreeRTOS's own name for it).
struct QueueDefinition {
  QueueDefinition() {}
  ~QueueDefinition() {}
  // The first eight bytes, read as one word by live_as(): the magic, the
  // kind, `dynamic` and two zero bytes.
  uint32_t magic = 0;
  petrel::freertos::Kind kind = petrel::freertos::Kind::kQueue;
  bool dynamic = false;  // from pvPortMalloc (with the queue's buffer after it)
  uint8_t zero[2] = {};
  union {
    petrel::kernel::Queue queue;
    petrel::kernel::Semaphore semaphore;
    petrel::kernel::Mutex mutex;
    petrel::kernel::QueueSet queue_set;  // configUSE_QUEUE_SETS
  };
};

static_assert(sizeof(QueueDefinition) <= sizeof(StaticQueue_t),
              "StaticQueue_t is too small for Petrel's QueueDefinition");
static_assert(alignof(QueueDefinition) <= alignof(StaticQueue_t));
static_assert(sizeof(petrel::kernel::Task) <= sizeof(StaticTask_t),
              "StaticTask_t is too small for Petrel's Task");
static_assert(alignof(petrel::kernel::Task) <= alignof(StaticTask_t));

namespace petrel::freertos {

// Reports misuse: records "<call>: <problem>" (pcPetrelAssertMessage) and
// invokes the application's configASSERT (see FreeRTOS.h).
void set_assert_message(const char* call, const char* problem);
#define PETREL_FR_MISUSE(call, problem)                                               \
  do {                                                                                \
    ::petrel::freertos::set_assert_message(call, problem);                            \
    configASSERT(0 && "FreeRTOS API misuse: pcPetrelAssertMessage() names the call"); \
  } while (0)

// The misuse checks of the hot calls (semaphore take and give, queue send
// and receive) are compiled in unless the application turned configASSERT
// off by defining it empty, as FreeRTOS applications do
// (`#define configASSERT(x)`): FreeRTOS then checks nothing either, and a
// bad handle is undefined behaviour. Found by stringizing the expansion.
#define PETREL_FR_STRING2(...) #__VA_ARGS__
#define PETREL_FR_STRING(...) PETREL_FR_STRING2(__VA_ARGS__)
inline constexpr bool kMisuseChecks = sizeof(PETREL_FR_STRING(configASSERT(0))) > 1;

// The hot calls' bodies stay out of the application's functions. Link-time
// optimization would otherwise inline them into application code, which
// is not built -mgeneral-regs-only: GCC then keeps kernel values in FP/SIMD
// registers there (on AArch32 a 64-bit timeout constant in d8), and a task
// that never computes in floating point becomes an FP user that pays the
// lazy FP switch (arch/arm/fpu.cc) on every switch.
#define PETREL_FR_NOT_INLINED [[gnu::noinline]]

// The fast paths' test of a handle and a wait, all in one: a live object of
// `kind` (or, for semaphores, of either semaphore kind) and a wait the
// running task may make. Whatever fails it takes the checked path, which
// reports the misuse.
inline bool live(const QueueDefinition* h) {
  return h != nullptr && h->magic == kMagic;
}
// live(h) and of `kind` (with `or_next`, of kind or the kind after it): the
// hot calls' test. On AArch64 one load and compare of the object's first
// eight bytes (`dynamic` masked out); on AArch32 the two words' usual tests.
inline bool live_as(const QueueDefinition* h, Kind kind, bool or_next = false) {
  const uint32_t k = static_cast<uint32_t>(kind) + (or_next ? 1 : 0);
  if (h == nullptr) return false;
  if constexpr (sizeof(void*) == 8) {
    using Head [[gnu::may_alias]] = uint64_t;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"  // GCC and Clang lay it out as written
    static_assert(sizeof(void*) != 8 || (offsetof(QueueDefinition, kind) == 4 &&
                                         offsetof(QueueDefinition, dynamic) == 5 &&
                                         offsetof(QueueDefinition, zero) == 6 &&
                                         alignof(QueueDefinition) >= alignof(Head)));
#pragma GCC diagnostic pop
    constexpr uint64_t kMagicAndKind = (uint64_t{1} << 40) - 1;
    const uint64_t head = *reinterpret_cast<const Head*>(h) & kMagicAndKind;
    return (or_next ? head | uint64_t{1} << 32 : head) == (kMagic | uint64_t{k} << 32);
  }
  const uint32_t kind_here = static_cast<uint32_t>(h->kind);
  return h->magic == kMagic && (or_next ? kind_here | 1 : kind_here) == k;
}
// A wait the fast path may hand to the kernel: none, or one neither an
// interrupt handler nor a suspended scheduler makes misuse. Before the
// scheduler starts a wait is allowed here: the kernel finds no task to block
// and fails the call at once, as FreeRTOS's dropped wait does (checked_wait).
inline bool wait_allowed(TickType_t ticks) {
  return ticks == 0 || !kernel::wait_refused_here();
}

inline kernel::Task* task_of(TaskHandle_t h) {
  return reinterpret_cast<kernel::Task*>(h);
}
inline TaskHandle_t handle_of(kernel::Task* t) {
  return reinterpret_cast<TaskHandle_t>(t);
}

// FreeRTOS ticks (32 bits) to kernel ticks: portMAX_DELAY waits forever.
inline kernel::Ticks to_ticks(TickType_t t) {
  return t == portMAX_DELAY ? kernel::kForever : kernel::Ticks{t};
}

inline void set_woken(BaseType_t* out, bool woken) {
  if (woken && out != nullptr) *out = pdTRUE;
}

// Whether a call named `call` may wait `ticks`: not from an interrupt and not
// with the scheduler suspended (both misuse, reported); before the scheduler
// runs there is no task to block, so the wait is dropped (returns kNoWait).
kernel::Ticks checked_wait(const char* call, TickType_t ticks, bool* misuse);

// What a send or give to a member of a full queue set reports (the kernel
// refuses it: the set's event would be lost).
inline constexpr const char* kQueueSetFull =
    "its queue set is full (make the set's length the sum of its members' lengths)";

// Calls vApplicationMallocFailedHook when the configuration asks for it.
void malloc_failed();

// The live object behind `h`, or nullptr after reporting a NULL or
// invalid handle ("<call>: NULL queue handle").
QueueDefinition* object_of(QueueHandle_t h, const char* call, const char* what);

}  // namespace petrel::freertos
