// What the fake's files share (fake_xen.h is the tests' view).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fake_xen.h"

namespace petrel::xen::fake::internal {

// --- memory.cc: pages below 2 GiB ---
// The grant-table region the fake's board gives (its default base): the
// table's frames at its start, the mapping window in its upper half.
inline constexpr uintptr_t kGrantRegionBase = 0x38000000;
inline constexpr size_t kGrantRegionSize = 0x01000000;
void memory_reset();
// A zeroed page of another domain (a memfd page, mappable into the window).
void* other_domain_page();
bool is_other_domain_page(const void* page);
// Makes window page `address` a view of `page` (an other_domain_page), or
// inaccessible again.
void window_map(uintptr_t address, const void* page);
void window_unmap(uintptr_t address);
bool in_grant_region(uintptr_t address, size_t size);

// --- evtchn.cc ---
void evtchn_reset();
long evtchn_op(int cmd, void* arg);
void set_shared_info(uintptr_t page);
void set_vcpu_info(uintptr_t address);
// A guest port bound to a port of `dom` whose events run `on_event` (the
// fake's own backends).
uint32_t bind_backend(uint32_t guest_port, DomainId dom, PeerHandler on_event);
// The backend's side notifies the guest on `guest_port`.
void notify_guest(uint32_t guest_port);

// --- grant.cc ---
void grant_reset();
long grant_op(int cmd, void* args, unsigned count);
long add_grant_frame(uint64_t index, uint64_t gpfn);

// --- xenstored.cc and console.cc ---
void xenstored_reset();
void* xenstored_page();
void console_reset();
void* console_page();

}  // namespace petrel::xen::fake::internal
