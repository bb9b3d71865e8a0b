// Grant tables: sharing pages with other domains.
//
// grant_access() lets a peer map one of our pages (read-only or
// read-write); end_access() takes it back, but only once the peer has
// unmapped it (kBusy until then: the page must not be reused while another
// domain can still write it). map() maps a page a peer granted us into a
// reserved window of our address space (the upper half of the grant-table
// region Xen sets aside for the guest, outside RAM); unmap() returns it.
//
// The grant table's own frames are mapped at the start of that region at
// boot (XENMAPSPACE_grant_table). Pure entry handling: grant_entries.h.
#pragma once

#include <stdint.h>

#include "petrel/board.h"
#include "petrel/result.h"
#include "petrel/xen/types.h"

namespace petrel::xen::grant {

// Maps the grant-table frames Xen gives (at most 4, 2048 entries) into the
// grant-table region. Done on first use, not at boot: ready(), grant_access,
// map_pages and map call it. Later calls after a success do nothing.
Status init(const BoardInfo& board);
// The grant table works: brings it up if it is not yet.
bool ready();

Result<GrantRef> grant_access(DomainId peer, const void* page, bool readonly);
Status end_access(GrantRef ref);

struct Mapping {
  void* address = nullptr;
  uint32_t handle = 0;
};
inline constexpr unsigned kMapSlots = 2048;  // 8 MiB of window
Result<Mapping> map(DomainId peer, GrantRef ref, bool readonly);
Status unmap(Mapping mapping);
// `count` granted pages mapped side by side (one contiguous range, for
// multi-page rings); handles[] receives one handle per page. All or none.
Result<void*> map_pages(DomainId peer, const GrantRef* refs, uint32_t* handles, unsigned count,
                        bool readonly);
Status unmap_pages(void* address, const uint32_t* handles, unsigned count);

struct Stats {
  uint32_t granted;  // entries we granted, not yet ended
  uint32_t mapped;   // peer pages mapped now
  uint32_t capacity;
};
Stats stats();

// Host tests (the hypervisor faked, tests/unit/xen_fake): forgets the
// table, every grant and mapping, as at boot, without telling Xen.
void reset_module();

}  // namespace petrel::xen::grant
