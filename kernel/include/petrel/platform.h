// What the portable kernel needs from the platform it runs on (a Xen guest,
// or the host port). Implemented by xen/ for guests.
#pragma once

namespace petrel::platform {

enum class ShutdownReason { kPoweroff, kReboot, kCrash };

// Stops this guest. Console output must already be flushed.
[[noreturn]] void shutdown(ShutdownReason reason);

}  // namespace petrel::platform
