// The Xen PV console: the console of a guest made by `xl create` (a release
// Xen refuses HYPERVISOR_console_io to such guests). Output and input go
// through a page shared with dom0's xenconsoled (console_ring.h), with an
// event channel to notify each other; `xl console` and xenconsoled's log
// show the output, and what is typed into `xl console` arrives as input.
//
// The platform selects it at boot when Xen gives the domain a console page
// (HVM_PARAM_CONSOLE_PFN and _EVTCHN); dom0less guests have none and keep
// HYPERVISOR_console_io or the vpl011.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/kernel/ticks.h"
#include "petrel/result.h"

namespace petrel::xen::pv_console {

// Finds, maps and attaches the console page and binds its event channel.
// kNotFound when the domain has no PV console.
Status init();
bool available();

// The console output function (console_set_output): everything is copied
// into the ring, waiting for the backend when it is full; what still does not
// fit is dropped and counted. While the guest runs a write waits at most
// 200 ms (the writer holds the console, and with it the scheduler). After
// final_output() it waits as long as the backend keeps taking output, and
// gives up only after 5 s without progress, and then for good.
void write(const char* text, size_t len);

// The guest is going down (platform::prepare_shutdown): its last lines
// matter more than the time they take. The first call also prints how many
// bytes the running guest's writes dropped, if any.
void final_output();

// Waits (polling, interrupts may be off) until the backend has taken all
// output, or made no progress for the final stall limit: before the domain
// shuts down, so its last lines are not lost with it.
void drain();

// Reads console input: up to `size` bytes, waiting up to `timeout` for the
// first one. Task context. Returns the number of bytes (0 on timeout).
Result<size_t> read(char* buf, size_t size, kernel::Ticks timeout);

struct Stats {
  uint64_t written;
  uint64_t dropped;
  uint64_t read;
  uint32_t ring_errors;  // inconsistent indices seen from the backend
};
Stats stats();

// Host tests (the hypervisor faked, tests/unit/xen_fake): forgets the
// console, as at boot.
void reset_module();

}  // namespace petrel::xen::pv_console
