// What the portable kernel needs from the platform it runs on (a Xen guest,
// or the host port). Implemented by xen/ for guests.
#pragma once

namespace petrel::platform {

enum class ShutdownReason { kPoweroff, kReboot, kCrash };

// Stops this guest. Console output must already be flushed.
[[noreturn]] void shutdown(ShutdownReason reason);

// A function shutdown() calls before anything else: what must tell other
// domains that this one is going (static channels mark themselves closed).
// One hook; a later call replaces it. Runs in whatever context shutdown()
// was called from, a fault handler's included.
void set_shutdown_hook(void (*hook)());

}  // namespace petrel::platform
