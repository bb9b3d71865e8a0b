// Our side of the grant table (version 1 entries, shared with Xen): giving
// a peer domain access to one of our frames and taking it back. Pure: works
// on any array of entries, unit-tested on the host with Xen's part played
// by the test.
//
// Granting writes frame and domid, then (after a release barrier) the flags
// that make the entry live. Revoking is only allowed once the peer has let
// go: Xen sets GTF_reading/GTF_writing while the peer has the frame mapped,
// and the entry is cleared with a compare-and-swap that fails if either bit
// is set, so a frame never returns to our allocator while another domain
// can still write it. References 0-7 are the toolstack's
// (GNTTAB_NR_RESERVED_ENTRIES) and never handed out.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <xen/grant_table.h>

#include "petrel/result.h"
#include "petrel/xen/types.h"

namespace petrel::xen {

class GrantEntries {
 public:
  static constexpr uint32_t kMaxEntries = 2048;  // 4 frames of v1 entries

  GrantEntries() = default;
  // `entries` is the mapped grant table (count entries, at most kMaxEntries).
  Status attach(grant_entry_v1_t* entries, uint32_t count);

  Result<GrantRef> grant(DomainId peer, Gfn frame, bool readonly);
  // Ends access; kBusy while the peer still has the frame mapped (try again
  // after it unmapped), kInvalid for a reference we did not grant.
  Status revoke(GrantRef ref);
  // Whether the peer has it mapped now.
  bool in_use(GrantRef ref) const;

  uint32_t granted() const { return granted_; }
  uint32_t capacity() const { return count_ > kReserved ? count_ - kReserved : 0; }

 private:
  static constexpr uint32_t kReserved = GNTTAB_NR_RESERVED_ENTRIES;
  grant_entry_v1_t* entries_ = nullptr;
  uint32_t count_ = 0;
  uint32_t granted_ = 0;
  // Where the search for a free entry starts (kReserved or more once
  // attached). 0 until then, so that a GrantEntries is all zeros in static
  // storage (.bss, not 2 KiB of the image's .data).
  uint32_t next_ = 0;
  uint8_t used_[kMaxEntries] = {};
};

}  // namespace petrel::xen
