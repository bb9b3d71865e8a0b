// soak: what the controller (main.cc) asks of the shared parts and of the
// real-time parts (realtime.cc) that run through the whole soak.
#pragma once

#include <petrel/kernel/ticks.h>
#include <stddef.h>
#include <stdint.h>

namespace soak {

// --- workers (common.cc) ---
void workers_begin();  // a new epoch: no workers yet
void workers_stop();   // stopping() is true from now on
// Waits up to `timeout` for every worker started since workers_begin to
// return; false (after a failure) if one did not.
bool workers_wait(petrel::kernel::Ticks timeout);
unsigned workers_started();

struct StackUse {
  size_t used = 0;
  size_t size = 0;
  char name[16] = {};
};
StackUse worst_stack();  // the largest share of its stack any task used

// --- the real-time parts (realtime.cc) ---
// Starts the deadline task, the drift timer and the interrupt source
// (`irq_period_us`: the mean gap between the source's interrupts).
void realtime_start(uint32_t irq_period_us, uint64_t seed);
// The interrupt source calls into the loads only between these two.
void interrupts_to_loads(const struct Load* const* loads, size_t count);
void interrupts_quiet();
// Checks the drift timer's and the deadline task's figures so far (the
// timer still firing, no period missed), and the system tasks' stacks.
void realtime_check();

struct RealtimeFigures {
  uint64_t periods;          // deadline task periods run
  uint64_t deadline_misses;  // periods whose work ended after the next release
  uint64_t worst_late_ns;    // deadline task: release to running, worst
  uint64_t timer_fires;      // drift timer callbacks
  uint64_t timer_period_ticks;
  uint64_t worst_timer_late_ns;  // a callback's time after its expiry tick, worst
  int64_t drift_ns;              // the last callback's lateness less the first's
  uint64_t worst_irq_late_ns;    // the source's interrupt after its deadline, worst
  bool timing_checked;           // false in real time (bootargs "realtime")
};
RealtimeFigures realtime_figures();

}  // namespace soak
