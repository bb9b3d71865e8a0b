// Fuzz target: our side of the grant table (xen/src/grant_entries.cc) with
// Xen's and the peer's side played by the input: the table's size, then
// grants, revocations of any reference, and the peer setting GTF_reading /
// GTF_writing (or anything) in any entry's flags. No entry outside the
// table (an exactly sized heap array) is touched; a reference is never
// handed out twice, never a reserved one, and never revoked while mapped.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

#include "fuzz_check.h"
#include "petrel/xen/grant_entries.h"

namespace xen = petrel::xen;
using petrel::fuzz::expect;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const uint32_t count = in.ConsumeIntegralInRange<uint32_t>(0, xen::GrantEntries::kMaxEntries + 2);
  std::vector<grant_entry_v1_t> table(count == 0 ? 1 : count);
  static xen::GrantEntries grants;  // 2 KiB of bookkeeping: not on the stack each run
  if (!grants.attach(table.data(), count)) {
    expect(count <= GNTTAB_NR_RESERVED_ENTRIES || count > xen::GrantEntries::kMaxEntries,
           "a table of usable size attaches");
    return 0;
  }
  std::set<uint32_t> live;
  while (in.remaining_bytes() > 0) {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0: {
        const xen::DomainId peer{in.ConsumeIntegral<uint16_t>()};
        const xen::Gfn frame{in.ConsumeIntegral<uint64_t>()};
        auto ref = grants.grant(peer, frame, in.ConsumeBool());
        if (ref) {
          expect(ref->value >= GNTTAB_NR_RESERVED_ENTRIES && ref->value < count,
                 "a granted reference is in the table and not reserved");
          expect(live.insert(ref->value).second, "a reference is not handed out twice");
          expect(frame.value <= 0xffffffffu, "the frame fits a v1 entry");
        }
        break;
      }
      case 1: {
        const xen::GrantRef ref{in.ConsumeIntegralInRange<uint32_t>(0, count + 8)};
        const bool mapped =
            ref.value < count && (table[ref.value].flags & (GTF_reading | GTF_writing)) != 0;
        if (grants.revoke(ref)) {
          expect(live.erase(ref.value) == 1, "only a granted reference is revoked");
          expect(!mapped, "a mapped frame is never revoked");
        }
        break;
      }
      case 2:
        (void)grants.in_use(xen::GrantRef{in.ConsumeIntegral<uint32_t>()});
        break;
      default: {
        // The peer (through Xen) maps or unmaps: any flags in any entry.
        const uint32_t at = in.ConsumeIntegralInRange<uint32_t>(0, count - 1);
        table[at].flags = in.ConsumeIntegral<uint16_t>();
        break;
      }
    }
    expect(grants.granted() == live.size(), "granted() counts the live references");
  }
  return 0;
}
