#include "petrel/xen/grant.h"

#include <xen/grant_table.h>
#include <xen/memory.h>

#include "petrel/arch.h"
#include "petrel/kernel/sched.h"
#include "petrel/xen/grant_entries.h"
#include "petrel/xen/hypercall.h"

namespace petrel::xen::grant {
namespace {

// The grant-table region of Xen's guest memory map on ARM when the device
// tree does not give it (GUEST_GNTTAB_BASE/SIZE in arch-arm.h, visible only
// to Xen and its tools).
constexpr uint64_t kDefaultRegionBase = 0x38000000;
constexpr uint64_t kDefaultRegionSize = 0x01000000;
constexpr uint32_t kFrames = 4;  // 2048 v1 entries
constexpr uint32_t kEntriesPerFrame = kPageSize / sizeof(grant_entry_v1_t);

GrantEntries g_entries;
bool g_ready = false;
uintptr_t g_window = 0;  // first page of the mapping window
uint8_t g_slot_used[kMapSlots];
uint32_t g_mapped = 0;

// A grant operation's status as an Error, named by Xen's own message table.
Error status_error(int16_t status, Errc code) {
  static const char* const kMessages[] = GNTTABOP_error_msgs;
  constexpr int kCount = static_cast<int>(sizeof kMessages / sizeof kMessages[0]);
  const int i = -status;
  return Error{code, i > 0 && i < kCount ? kMessages[i] : "grant: unknown status"};
}

}  // namespace

Status init(const BoardInfo& board) {
  if (g_ready) return ok();
  uint64_t base = kDefaultRegionBase, size = kDefaultRegionSize;
  if (board.grant_table.size != 0) {
    base = board.grant_table.base;
    size = board.grant_table.size;
  }
  if (size < 2 * kFrames * kPageSize + kMapSlots * kPageSize / 2 || (base & (kPageSize - 1)) != 0)
    return Error{Errc::kInvalid, "grant: the grant-table region is too small"};

  gnttab_query_size_t q{};
  q.dom = DOMID_SELF;
  if (Status s = hypercall_status(grant_table_op(GNTTABOP_query_size, &q, 1)); !s) return s;
  uint32_t frames = q.max_nr_frames < kFrames ? q.max_nr_frames : kFrames;
  if (frames == 0) return Error{Errc::kUnsupported, "grant: Xen gives no grant frames"};
  for (uint32_t i = 0; i < frames; ++i) {
    xen_add_to_physmap map{};
    map.domid = DOMID_SELF;
    map.space = XENMAPSPACE_grant_table;
    map.idx = i;
    map.gpfn = (base >> kPageShift) + i;
    if (Status s = hypercall_status(memory_op(XENMEM_add_to_physmap, &map)); !s) return s;
  }
  const uintptr_t table = static_cast<uintptr_t>(base);
  if (Status s = arch::map_shared_memory(table, frames * kPageSize); !s) return s;
  if (Status s =
          g_entries.attach(reinterpret_cast<grant_entry_v1_t*>(table), frames * kEntriesPerFrame);
      !s)
    return s;
  // The window: the upper part of the region, nothing else lives there.
  g_window = static_cast<uintptr_t>(base + size - kMapSlots * kPageSize);
  g_ready = true;
  return ok();
}

bool ready() {
  return g_ready;
}

Result<GrantRef> grant_access(DomainId peer, const void* page, bool readonly) {
  if (!g_ready) return Error{Errc::kUnsupported, "grant: no grant table"};
  const uintptr_t a = reinterpret_cast<uintptr_t>(page);
  if ((a & (kPageSize - 1)) != 0) return Error{Errc::kInvalid, "grant: not a page address"};
  kernel::CriticalSection cs;
  return g_entries.grant(peer, gfn_of(a), readonly);
}

Status end_access(GrantRef ref) {
  if (!g_ready) return Error{Errc::kUnsupported, "grant: no grant table"};
  kernel::CriticalSection cs;
  return g_entries.revoke(ref);
}

Result<Mapping> map(DomainId peer, GrantRef ref, bool readonly) {
  if (!g_ready) return Error{Errc::kUnsupported, "grant: no grant table"};
  unsigned slot = kMapSlots;
  {
    kernel::CriticalSection cs;
    for (unsigned i = 0; i < kMapSlots; ++i) {
      if (g_slot_used[i] == 0) {
        g_slot_used[i] = 1;
        slot = i;
        break;
      }
    }
  }
  if (slot == kMapSlots) return Error{Errc::kNoMemory, "grant: mapping window full"};
  const uintptr_t addr = g_window + slot * kPageSize;
  gnttab_map_grant_ref_t op{};
  op.host_addr = addr;
  op.flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
  op.ref = ref.value;
  op.dom = peer.value;
  Status s = hypercall_status(grant_table_op(GNTTABOP_map_grant_ref, &op, 1));
  if (s && op.status != GNTST_okay) s = status_error(op.status, Errc::kPermission);
  if (s) s = arch::map_shared_memory(addr, kPageSize);
  if (!s) {
    kernel::CriticalSection cs;
    g_slot_used[slot] = 0;
    return s.error();
  }
  {
    kernel::CriticalSection cs;
    ++g_mapped;
  }
  return Mapping{reinterpret_cast<void*>(addr), op.handle};
}

Status unmap(Mapping m) {
  const uintptr_t addr = reinterpret_cast<uintptr_t>(m.address);
  if (!g_ready || addr < g_window || addr >= g_window + kMapSlots * kPageSize ||
      (addr & (kPageSize - 1)) != 0)
    return Error{Errc::kInvalid, "grant: not a mapping of ours"};
  const unsigned slot = static_cast<unsigned>((addr - g_window) / kPageSize);
  if (g_slot_used[slot] == 0) return Error{Errc::kInvalid, "grant: not mapped"};
  gnttab_unmap_grant_ref_t op{};
  op.host_addr = addr;
  op.handle = m.handle;
  Status s = hypercall_status(grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1));
  if (s && op.status != GNTST_okay) s = status_error(op.status, Errc::kInvalid);
  if (!s) return s;
  // The stage-1 entry stays; the frame is gone from stage 2, so a stale
  // access faults instead of reaching the peer's page.
  kernel::CriticalSection cs;
  g_slot_used[slot] = 0;
  --g_mapped;
  return ok();
}

Stats stats() {
  kernel::CriticalSection cs;
  return Stats{g_entries.granted(), g_mapped, g_entries.capacity()};
}

}  // namespace petrel::xen::grant
