// What the portable kernel needs from the platform it runs on (a Xen guest,
// or the host port). Implemented by xen/ for guests.
#pragma once

namespace petrel::platform {

enum class ShutdownReason { kPoweroff, kReboot, kCrash };

// Stops this guest. Console output must already be flushed.
[[noreturn]] void shutdown(ShutdownReason reason);

// The guest is going down: called once no task runs any more (the scheduler
// locked), before the last output (the trace's drain, the exit marker).
// Output devices may from here on wait longer for their readers, since
// nothing of the guest needs the CPU and these lines are what its user needs
// most. shutdown() implies it.
void prepare_shutdown();

// A function shutdown() calls before anything else: what must tell other
// domains that this one is going (static channels mark themselves closed).
// One hook; a later call replaces it. Runs in whatever context shutdown()
// was called from, a fault handler's included.
void set_shutdown_hook(void (*hook)());

}  // namespace petrel::platform
