#include "petrel/time.h"

#include "petrel/arch.h"
#include "petrel/console.h"
#include "petrel/exit.h"
#include "petrel/kernel/internal/sched.h"

namespace petrel {
namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;
volatile uint64_t g_interrupts;

void on_timer(uint32_t, void*) {
  g_interrupts = g_interrupts + 1;  // only the interrupt handler writes it
  if (kernel::scheduler_running()) {
    kernel::on_timer_interrupt();  // wakes tasks and re-arms the timer
  } else {
    arch::timer_cancel();  // level-triggered: silence it until re-armed
  }
}

}  // namespace

// Split so neither product overflows for any 64-bit value and any frequency
// below 2^32 Hz.
uint64_t ticks_to_ns(uint64_t ticks, uint64_t frequency) {
  return ticks / frequency * kNsPerSecond + ticks % frequency * kNsPerSecond / frequency;
}

uint64_t ns_to_ticks(uint64_t ns, uint64_t frequency) {
  return ns / kNsPerSecond * frequency +
         (ns % kNsPerSecond * frequency + kNsPerSecond - 1) / kNsPerSecond;
}

uint64_t now_ns() {
  return ticks_to_ns(arch::timer_now(), arch::timer_frequency());
}

uint64_t timer_interrupt_count() {
  return g_interrupts;
}

void time_init() {
  Status s = arch::irq_register(arch::timer_irq(), on_timer, nullptr);
  if (!s) panic("timer interrupt %u: %s", arch::timer_irq(), s.error().message);
}

void sleep_ns(uint64_t ns) {
  if (kernel::scheduler_running()) {
    // The timer belongs to the scheduler now: sleep as a task.
    const uint64_t per_tick = kNsPerSecond / kernel::config::kTickRateHz;
    kernel::task_delay(kernel::Ticks{(ns + per_tick - 1) / per_tick});
    return;
  }
  const uint64_t deadline = arch::timer_now() + ns_to_ticks(ns, arch::timer_frequency());
  const bool was_enabled = arch::interrupts_enabled();
  while (arch::timer_now() < deadline) {
    // Arm and wait with interrupts masked: WFI still wakes on a pending
    // interrupt, so one that fires between the check and the WFI is not lost.
    arch::interrupts_disable();
    arch::timer_set_deadline(deadline);
    arch::wait_for_interrupt();
    arch::interrupts_enable();  // take it here
  }
  if (!was_enabled) arch::interrupts_disable();
}

}  // namespace petrel
