// Petrel's FreeRTOS-compatible API: configASSERT support, the port layer
// (yield, interrupt masking, critical sections), the heap and the hooks.
#include "internal.h"
#include "petrel/arch.h"
#include "petrel/console.h"
#include "petrel/exit.h"
#include "petrel/fmt.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/internal/sched.h"

// Checked here rather than with #if in FreeRTOS.h, where a 7.x
// configuration's casts would stop the preprocessor.
static_assert(configMAX_PRIORITIES >= 1 && configMAX_PRIORITIES <= 32,
              "FreeRTOSConfig.h: configMAX_PRIORITIES must be 1 to 32 (FreeRTOS priority p is "
              "Petrel priority p)");

namespace petrel::freertos {
namespace {

char g_assert_message[160];

// taskENTER_CRITICAL/taskEXIT_CRITICAL are two C calls, the kernel's
// CriticalSection one C++ scope: the open sections live here, innermost
// last. One stack serves every task: no switch happens inside a critical
// section (interrupts are masked and switches deferred until the outermost
// one ends), so sections never interleave.
constexpr unsigned kMaxCriticalNesting = 32;
alignas(kernel::CriticalSection) unsigned char g_sections[kMaxCriticalNesting]
                                                         [sizeof(kernel::CriticalSection)];
unsigned g_depth = 0;

}  // namespace

void set_assert_message(const char* call, const char* problem) {
  format_to(g_assert_message, sizeof g_assert_message, "%s: %s", call, problem);
}

kernel::Ticks checked_wait(const char* call, TickType_t ticks, bool* misuse) {
  *misuse = false;
  if (ticks == 0) return kernel::kNoWait;
  if (kernel::task_may_block()) return to_ticks(ticks);
  if (kernel::in_isr()) {
    PETREL_FR_MISUSE(call, "blocking call from interrupt context (use the FromISR variant)");
    *misuse = true;
    return kernel::kNoWait;
  }
  if (!kernel::scheduler_running()) return kernel::kNoWait;
  if (kernel::scheduler_locked()) {
    PETREL_FR_MISUSE(call, "blocking call with the scheduler suspended (vTaskSuspendAll)");
    *misuse = true;
    return kernel::kNoWait;
  }
  return to_ticks(ticks);  // not reached: running, not locked, task context
}

QueueDefinition* object_of(QueueHandle_t h, const char* call, const char* what) {
  if (h == nullptr) {
    PETREL_FR_MISUSE(call, what);
    return nullptr;
  }
  if (h->magic != kMagic) {
    PETREL_FR_MISUSE(call, "invalid or deleted handle");
    return nullptr;
  }
  return h;
}

}  // namespace petrel::freertos

using namespace petrel;
using namespace petrel::freertos;

namespace {

#if configUSE_IDLE_HOOK
void idle_hook() {
  vApplicationIdleHook();
}
#endif

#if configUSE_TICK_HOOK
void tick_hook() {
  vApplicationTickHook();
}
#endif

#if configCHECK_FOR_STACK_OVERFLOW
void stack_overflow_hook(kernel::Task* t) {
  vApplicationStackOverflowHook(handle_of(t), t->name);
}
#endif

}  // namespace

namespace petrel::freertos {

void malloc_failed() {
#if configUSE_MALLOC_FAILED_HOOK
  vApplicationMallocFailedHook();
#endif
}

void install_hooks() {
  kernel::KernelHooks hooks;
#if configUSE_IDLE_HOOK
  hooks.idle = idle_hook;
#endif
#if configCHECK_FOR_STACK_OVERFLOW
  hooks.stack_overflow = stack_overflow_hook;
#endif
#if configUSE_TICK_HOOK
  hooks.tick = tick_hook;
#endif
  kernel::set_hooks(hooks);
}

}  // namespace petrel::freertos

extern "C" {

const char* pcPetrelAssertMessage(void) {
  return g_assert_message;
}

void vPetrelAssertFailed(const char* expression, const char* file, int line) {
  if (g_assert_message[0] != '\0') {
    panic("configASSERT failed: %s (%s:%d)", g_assert_message, file, line);
  }
  panic("configASSERT failed: %s (%s:%d)", expression, file, line);
}

void vPortYield(void) {
  if (kernel::in_isr()) {
    PETREL_FR_MISUSE("taskYIELD", "called from interrupt context (use portYIELD_FROM_ISR)");
    return;
  }
  kernel::task_yield();
}

void vPortYieldFromISR(void) {
  kernel::CriticalSection cs;
  kernel::request_switch();
}

void vPortEnterCritical(void) {
  // A switch before the construction masks interrupts is harmless: every
  // other task leaves its critical sections before it can be switched out.
  if (g_depth == kMaxCriticalNesting) {
    PETREL_FR_MISUSE("taskENTER_CRITICAL", "critical sections nested too deeply");
    return;
  }
  new (g_sections[g_depth]) kernel::CriticalSection();
  ++g_depth;
}

void vPortExitCritical(void) {
  if (g_depth == 0) {
    PETREL_FR_MISUSE("taskEXIT_CRITICAL", "no critical section to leave");
    return;
  }
  --g_depth;
  reinterpret_cast<kernel::CriticalSection*>(g_sections[g_depth])->~CriticalSection();
}

UBaseType_t uxPortSetInterruptMaskFromISR(void) {
  return static_cast<UBaseType_t>(arch::irq_save());
}

void vPortClearInterruptMaskFromISR(UBaseType_t saved) {
  arch::irq_restore(saved);
}

void vPortDisableInterrupts(void) {
  arch::interrupts_disable();
}

void vPortEnableInterrupts(void) {
  arch::interrupts_enable();
}

BaseType_t xPortIsInsideInterrupt(void) {
  return kernel::in_isr() ? pdTRUE : pdFALSE;
}

void* pvPortMalloc(size_t size) {
  void* p = kernel::heap_alloc(size);
  if (p == nullptr && size != 0) malloc_failed();
  return p;
}

void vPortFree(void* p) {
  kernel::heap_free(p);
}

size_t xPortGetFreeHeapSize(void) {
  return kernel::heap_stats().free;
}

size_t xPortGetMinimumEverFreeHeapSize(void) {
  return kernel::heap_stats().min_free;
}

}  // extern "C"
