// Xen's public ABI, from the system's libxen-dev headers, with the layouts
// Petrel relies on checked for the architecture being built. The same
// numbers hold on AArch64 and AArch32 (Xen on ARM makes xen_ulong_t 64-bit
// and aligns uint64_t to 8 on both), and every guest build checks them.
//
// struct vcpu_info and struct shared_info are not usable from C++: their
// empty arch_* members take a byte in C++ and none in C, which moves every
// later field. Their true layout is pinned in C, in xen/src/abi_check.c.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include <xen/sched.h>
#include <xen/xen.h>

static_assert(sizeof(xen_ulong_t) == 8);
static_assert(sizeof(struct sched_shutdown) == 4);
static_assert(SCHEDOP_shutdown == 2 && SHUTDOWN_poweroff == 0 && SHUTDOWN_crash == 3);
static_assert(__HYPERVISOR_console_io == 18 && __HYPERVISOR_sched_op == 29);

// Rings shared with other domains.
static_assert(sizeof(struct xencons_interface) == 3088);
static_assert(offsetof(struct xencons_interface, in_cons) == 3072);
static_assert(sizeof(struct xenstore_domain_interface) == 2076);
static_assert(offsetof(struct xenstore_domain_interface, rsp_cons) == 2056);
static_assert(sizeof(struct xsd_sockmsg) == 16);
static_assert(sizeof(grant_entry_v1_t) == 8);

// Hypercall argument structures.
static_assert(sizeof(struct evtchn_alloc_unbound) == 8);
static_assert(sizeof(struct evtchn_bind_interdomain) == 12);
static_assert(sizeof(struct evtchn_bind_virq) == 12);
static_assert(sizeof(struct evtchn_send) == 4);
static_assert(sizeof(struct evtchn_close) == 4);
static_assert(sizeof(struct evtchn_unmask) == 4);
static_assert(sizeof(struct evtchn_init_control) == 24);
static_assert(sizeof(struct evtchn_expand_array) == 8);
static_assert(sizeof(struct gnttab_map_grant_ref) == 32);
static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24);
static_assert(sizeof(struct gnttab_setup_table) == 24);
static_assert(sizeof(struct gnttab_query_size) == 16);
