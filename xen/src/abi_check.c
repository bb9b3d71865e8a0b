/* Xen's shared-memory ABI as Xen itself sees it: compiled as C, for every
 * guest architecture (AArch64 and AArch32 must agree: Xen on ARM gives both
 * the same layouts, with 64-bit xen_ulong_t and 8-byte aligned uint64_t).
 *
 * Why C: Xen's ARM headers declare `struct arch_vcpu_info {}` and
 * `struct arch_shared_info {}`, which are 0 bytes in GNU C but 1 byte in
 * C++, so in C++ `struct vcpu_info` and `struct shared_info` come out with
 * the wrong offsets (vcpu_info.time at 24 instead of 16). Petrel's C++ code
 * must therefore not use those two structures directly; their true layout
 * is pinned here. */
#include <stddef.h>
#include <stdint.h>
#include <xen/event_channel.h>
#include <xen/xen.h>

#include "petrel/xen/layout.h"

_Static_assert(sizeof(xen_ulong_t) == 8, "xen_ulong_t is 64-bit on ARM");
_Static_assert(sizeof(struct arch_vcpu_info) == 0, "empty in C (GNU)");
_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info");
_Static_assert(offsetof(struct vcpu_info, evtchn_upcall_pending) == 0, "vcpu_info");
_Static_assert(offsetof(struct vcpu_info, evtchn_pending_sel) == 8, "vcpu_info");
_Static_assert(offsetof(struct vcpu_info, time) == 16, "vcpu_info");
_Static_assert(sizeof(struct vcpu_info) == 48, "vcpu_info");
_Static_assert(offsetof(struct shared_info, evtchn_pending) == 48, "shared_info (one vcpu_info)");
_Static_assert(offsetof(struct shared_info, evtchn_mask) == 48 + 8 * 64, "shared_info");
_Static_assert(offsetof(struct shared_info, wc_version) == 48 + 2 * 8 * 64, "shared_info");
_Static_assert(offsetof(struct shared_info, wc_sec_hi) == 1084, "shared_info");
_Static_assert(sizeof(struct shared_info) == 1088, "shared_info");

/* The constants C++ code uses instead of the structures. */
_Static_assert(PETREL_VCPU_INFO_UPCALL_PENDING == offsetof(struct vcpu_info, evtchn_upcall_pending),
               "layout.h");
_Static_assert(PETREL_VCPU_INFO_PENDING_SEL == offsetof(struct vcpu_info, evtchn_pending_sel),
               "layout.h");
_Static_assert(PETREL_VCPU_INFO_SIZE == sizeof(struct vcpu_info), "layout.h");
_Static_assert(PETREL_SHINFO_EVTCHN_PENDING == offsetof(struct shared_info, evtchn_pending),
               "layout.h");
_Static_assert(PETREL_SHINFO_EVTCHN_MASK == offsetof(struct shared_info, evtchn_mask), "layout.h");
_Static_assert(PETREL_SHINFO_SIZE == sizeof(struct shared_info), "layout.h");
_Static_assert(PETREL_EVTCHN_2L_WORDS * sizeof(xen_ulong_t) ==
                   sizeof(((struct shared_info*)0)->evtchn_pending),
               "layout.h");
_Static_assert(PETREL_EVTCHN_2L_WORDS * 64 == EVTCHN_2L_NR_CHANNELS, "layout.h");
