// The host port's controls, for unit tests: simulated deterministic time and
// simulated interrupts.
//
// Time is a counter (kCounterHz per second) that moves only when told to:
// when every task is blocked the idle task jumps it to the next timer
// deadline at once, and a task can make time pass while it "runs" with
// advance(). Interrupts are delivered synchronously: raise_interrupt() runs
// the handler in interrupt context on the caller's stack, then does the
// interrupt-exit switch, exactly where a real interrupt would. The timer
// interrupt waits while interrupts are masked and is taken when they are
// unmasked; raising any interrupt with them masked is a test error.
#pragma once

#include <stdint.h>

namespace petrel::host {

inline constexpr uint64_t kCounterHz = 1'000'000;  // 1 counter tick = 1 us

// Fresh state: kernel, heap (a 16 MiB region), console to stderr, time 0,
// no interrupt handlers but the kernel's timer.
void reset();

uint64_t now();  // the simulated counter
// Lets `counter_ticks` pass; fires the timer interrupt if its deadline is
// reached and interrupts are not masked (preempting the caller if a switch
// is due).
void advance(uint64_t counter_ticks);
// Runs interrupt `intid`'s handler in interrupt context (aborts when
// interrupts are masked).
void raise_interrupt(uint32_t intid);
// From now on every read of the counter lets `counter_ticks` pass after it
// (0: off, as after reset()): code that reads the time twice sees it move,
// as on hardware, where the counter runs while interrupts are masked. The
// timer interrupt is not fired by it; it is taken at the next advance() or
// when the tasks block.
void set_drift_per_read(uint64_t counter_ticks);

// Timer interrupts delivered since reset().
uint64_t timer_interrupts();
// Whether the one-shot timer is armed, and for when.
bool timer_armed();
uint64_t timer_deadline();

// What platform::shutdown does on the host: by default it prints the reason
// and aborts the process (so panics fail tests loudly, or are caught by
// EXPECT_DEATH).
}  // namespace petrel::host
