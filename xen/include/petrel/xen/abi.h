// Xen's public ABI, from the system's libxen-dev headers, with the layouts
// Petrel relies on checked for the architecture being built.
#pragma once

#include <stdint.h>
#include <xen/sched.h>
#include <xen/xen.h>

static_assert(sizeof(struct sched_shutdown) == 4);
static_assert(SCHEDOP_shutdown == 2 && SHUTDOWN_poweroff == 0 && SHUTDOWN_crash == 3);
static_assert(__HYPERVISOR_console_io == 18 && __HYPERVISOR_sched_op == 29);
