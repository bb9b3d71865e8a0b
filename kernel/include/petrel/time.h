// Time for applications, before and alongside the scheduler: the monotonic
// clock and a sleep that waits on the timer interrupt (no busy polling).
#pragma once

#include <stdint.h>

namespace petrel {

uint64_t now_ns();
uint64_t ticks_to_ns(uint64_t ticks, uint64_t frequency);
uint64_t ns_to_ticks(uint64_t ns, uint64_t frequency);

// Sleeps at least `ns` nanoseconds, waiting for the timer interrupt.
void sleep_ns(uint64_t ns);

// Timer interrupts taken since boot.
uint64_t timer_interrupt_count();

// Called once by the platform's boot after the GIC is up.
void time_init();

}  // namespace petrel
