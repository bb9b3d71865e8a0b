// The toolstack's control protocol: `xl shutdown`, `xl reboot` (and `xl
// destroy`, which needs nothing from the guest). The toolstack writes
// "poweroff" or "reboot" to the domain's control/shutdown key; Petrel
// watches it, acknowledges the request by clearing the key, runs the
// application's handler if one is set, then shuts the domain down with that
// reason (exit status 0; the console's exit marker says "poweroff").
// control/feature-poweroff and feature-reboot are advertised.
//
// Started at boot when the domain has xenstore; a "control" task reads the
// key (watch callbacks must not call xenstore themselves).
#pragma once

#include "petrel/result.h"

namespace petrel::xen::control {

enum class Request { kPoweroff, kReboot };
// Called in the control task before the domain shuts down; it may clean up,
// and may return false to ignore the request.
using Handler = bool (*)(Request request);
void set_handler(Handler handler);

Status init();

// Host tests (the hypervisor faked, tests/unit/xen_fake): forgets the
// handler and the task, as at boot.
void reset_module();

}  // namespace petrel::xen::control
