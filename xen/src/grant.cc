#include "petrel/xen/grant.h"

#include <xen/grant_table.h>
#include <xen/memory.h>

#include "petrel/arch.h"
#include "petrel/guest.h"
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

// Everything the module knows, in one place: zero at boot (.bss), and what
// reset_module() restores.
struct GrantState {
  GrantEntries entries;
  bool ready = false;
  bool tried = false;         // init ran (and failed, unless ready)
  Status init_status = ok();  // its failure, returned to later callers
  uintptr_t window = 0;       // first page of the mapping window
  uint32_t mapped = 0;
  uint8_t slot_used[kMapSlots] = {};
};
constinit GrantState g_grant;

// A grant operation's status as an Error, named by Xen's own message table.
Error status_error(int16_t status, Errc code) {
  static const char* const kMessages[] = GNTTABOP_error_msgs;
  constexpr int kCount = static_cast<int>(sizeof kMessages / sizeof kMessages[0]);
  const int i = -status;
  return Error{code, i > 0 && i < kCount ? kMessages[i] : "grant: unknown status"};
}

}  // namespace

namespace {
Status init_once(const BoardInfo& board) {
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
  if (q.status != GNTST_okay) return status_error(q.status, Errc::kUnsupported);
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
  if (Status s = g_grant.entries.attach(reinterpret_cast<grant_entry_v1_t*>(table),
                                        frames * kEntriesPerFrame);
      !s)
    return s;
  // The window: the upper part of the region, nothing else lives there.
  g_grant.window = static_cast<uintptr_t>(base + size - kMapSlots * kPageSize);
  g_grant.ready = true;
  return ok();
}
}  // namespace

// One attempt: a domain without a usable grant table gets the same error on
// every later call, without the hypercalls again.
Status init(const BoardInfo& board) {
  if (g_grant.ready) return ok();
  kernel::CriticalSection once;  // first use may come from two tasks
  if (g_grant.ready) return ok();
  if (!g_grant.tried) {
    g_grant.tried = true;
    g_grant.init_status = init_once(board);
  }
  return g_grant.init_status;
}

bool ready() {
  return init(board()).ok();
}

Result<GrantRef> grant_access(DomainId peer, const void* page, bool readonly) {
  if (Status s = init(board()); !s) return s.error();
  const uintptr_t a = reinterpret_cast<uintptr_t>(page);
  if ((a & (kPageSize - 1)) != 0) return Error{Errc::kInvalid, "grant: not a page address"};
  kernel::CriticalSection cs;
  return g_grant.entries.grant(peer, gfn_of(a), readonly);
}

Status end_access(GrantRef ref) {
  if (!g_grant.ready) return Error{Errc::kUnsupported, "grant: no grant table"};
  kernel::CriticalSection cs;
  return g_grant.entries.revoke(ref);
}

namespace {

// `count` free slots in a row, marked used; kMapSlots if there are none.
unsigned take_slots(unsigned count) {
  kernel::CriticalSection cs;
  for (unsigned first = 0; first + count <= kMapSlots; ++first) {
    unsigned n = 0;
    while (n < count && g_grant.slot_used[first + n] == 0) ++n;
    if (n == count) {
      for (unsigned i = 0; i < count; ++i) g_grant.slot_used[first + i] = 1;
      return first;
    }
    first += n;  // skip past the used slot that stopped us
  }
  return kMapSlots;
}

Status unmap_one(uintptr_t addr, uint32_t handle) {
  gnttab_unmap_grant_ref_t op{};
  op.host_addr = addr;
  op.handle = handle;
  Status s = hypercall_status(grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1));
  if (s && op.status != GNTST_okay) s = status_error(op.status, Errc::kInvalid);
  if (!s) return s;
  // The stage-1 entry stays; the frame is gone from stage 2, so a stale
  // access faults instead of reaching the peer's page.
  const unsigned slot = static_cast<unsigned>((addr - g_grant.window) / kPageSize);
  kernel::CriticalSection cs;
  g_grant.slot_used[slot] = 0;
  --g_grant.mapped;
  return ok();
}

bool in_window(uintptr_t addr, unsigned count) {
  return g_grant.ready && addr >= g_grant.window && (addr & (kPageSize - 1)) == 0 &&
         (addr - g_grant.window) / kPageSize + count <= kMapSlots;
}

}  // namespace

Result<void*> map_pages(DomainId peer, const GrantRef* refs, uint32_t* handles, unsigned count,
                        bool readonly) {
  if (Status s = init(board()); !s) return s.error();
  if (count == 0 || count > kMapSlots) return Error{Errc::kOutOfRange, "grant: bad page count"};
  const unsigned first = take_slots(count);
  if (first == kMapSlots) return Error{Errc::kNoMemory, "grant: mapping window full"};
  const uintptr_t base = g_grant.window + first * kPageSize;
  for (unsigned i = 0; i < count; ++i) {
    const uintptr_t addr = base + i * kPageSize;
    gnttab_map_grant_ref_t op{};
    op.host_addr = addr;
    op.flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
    op.ref = refs[i].value;
    op.dom = peer.value;
    Status s = hypercall_status(grant_table_op(GNTTABOP_map_grant_ref, &op, 1));
    if (s && op.status != GNTST_okay) s = status_error(op.status, Errc::kPermission);
    // Xen mapped it: from here on it must be unmapped, even if our own
    // stage-1 mapping fails.
    const bool xen_mapped = s.ok();
    if (xen_mapped) {
      {
        kernel::CriticalSection cs;
        ++g_grant.mapped;
      }
      handles[i] = op.handle;
      s = arch::map_shared_memory(addr, kPageSize);
    }
    if (s) continue;
    // Undo: unmap what Xen mapped, free the rest of the slots.
    const unsigned undo = xen_mapped ? i + 1 : i;
    for (unsigned j = 0; j < undo; ++j) (void)unmap_one(base + j * kPageSize, handles[j]);
    kernel::CriticalSection cs;
    for (unsigned j = undo; j < count; ++j) g_grant.slot_used[first + j] = 0;
    return s.error();
  }
  return reinterpret_cast<void*>(base);
}

Status unmap_pages(void* address, const uint32_t* handles, unsigned count) {
  const uintptr_t base = reinterpret_cast<uintptr_t>(address);
  if (count == 0 || !in_window(base, count))
    return Error{Errc::kInvalid, "grant: not a mapping of ours"};
  Status result = ok();
  for (unsigned i = 0; i < count; ++i) {
    const unsigned slot = static_cast<unsigned>((base - g_grant.window) / kPageSize) + i;
    if (g_grant.slot_used[slot] == 0) {
      result = Error{Errc::kInvalid, "grant: not mapped"};
      continue;
    }
    if (Status s = unmap_one(base + i * kPageSize, handles[i]); !s) result = s;
  }
  return result;
}

Result<Mapping> map(DomainId peer, GrantRef ref, bool readonly) {
  uint32_t handle = 0;
  auto a = map_pages(peer, &ref, &handle, 1, readonly);
  if (!a) return a.error();
  return Mapping{*a, handle};
}

Status unmap(Mapping m) {
  return unmap_pages(m.address, &m.handle, 1);
}

Stats stats() {
  kernel::CriticalSection cs;
  return Stats{g_grant.entries.granted(), g_grant.mapped, g_grant.entries.capacity()};
}

void reset_module() {
  g_grant = GrantState{};
}

}  // namespace petrel::xen::grant
