// The fake's grant tables: the guest's own (version 1 entries in the frames
// it placed with XENMAPSPACE_grant_table, read and marked in use as Xen
// does when a peer maps them) and the other domains' (kept by the fake),
// which the guest maps into its window with GNTTABOP_map_grant_ref.
//
// Simplifications: no copy or transfer operations, no version 2, mappings
// are host mappings only (GNTMAP_host_map), a grant may be mapped at most
// once by each side at a time.
#include <stdint.h>
#include <xen/errno.h>
#include <xen/grant_table.h>

#include <map>
#include <utility>

#include "fake_internal.h"

namespace petrel::xen::fake {
namespace {

constexpr uint32_t kEntriesPerFrame = 4096 / sizeof(grant_entry_v1_t);
constexpr uint32_t kMaxFrames = 32;

struct PeerGrant {
  const void* page;
  bool readonly;
  bool mapped;
};

struct Mapping {
  DomainId dom;
  uint32_t ref;
  uint64_t address;
};

struct GrantFake {
  uint64_t frames[kMaxFrames] = {};  // the guest's table: gpfn of each frame (0: none)
  uint32_t frame_count = 0;
  std::map<uint32_t, unsigned> peer_maps;                   // guest ref -> mappings by its peer
  std::map<std::pair<uint16_t, uint32_t>, PeerGrant> peer;  // (domain, ref) -> grant
  uint32_t next_peer_ref = 8;
  std::map<uint32_t, Mapping> mappings;  // handle -> what the guest mapped
  uint32_t next_handle = 1;
};
GrantFake* g_fake = nullptr;

GrantFake& fake() {
  return *g_fake;
}

grant_entry_v1_t* guest_entry(uint32_t ref) {
  const uint32_t frame = ref / kEntriesPerFrame;
  if (frame >= kMaxFrames || fake().frames[frame] == 0) return nullptr;
  return reinterpret_cast<grant_entry_v1_t*>(address_of(Gfn{fake().frames[frame]})) +
         ref % kEntriesPerFrame;
}

int16_t map_one(gnttab_map_grant_ref_t* op) {
  if ((op->flags & GNTMAP_host_map) == 0) return GNTST_general_error;
  const bool readonly = (op->flags & GNTMAP_readonly) != 0;
  auto it = fake().peer.find({op->dom, op->ref});
  if (it == fake().peer.end()) {
    bool known = false;
    for (const auto& [key, grant] : fake().peer) known = known || key.first == op->dom;
    return known ? GNTST_bad_gntref : GNTST_bad_domain;
  }
  if (it->second.readonly && !readonly) return GNTST_permission_denied;
  if (it->second.mapped) return GNTST_general_error;
  const uint64_t a = op->host_addr;
  if (a % 4096 != 0 || !internal::in_grant_region(a, 4096)) return GNTST_bad_virt_addr;
  if (fake().mappings.size() >= config().max_maps) return GNTST_no_device_space;
  internal::window_map(a, it->second.page);
  it->second.mapped = true;
  op->handle = fake().next_handle++;
  fake().mappings[op->handle] = Mapping{DomainId{op->dom}, op->ref, a};
  return GNTST_okay;
}

int16_t unmap_one(gnttab_unmap_grant_ref_t* op) {
  auto it = fake().mappings.find(op->handle);
  if (it == fake().mappings.end()) return GNTST_bad_handle;
  if (it->second.address != op->host_addr) return GNTST_general_error;
  internal::window_unmap(op->host_addr);
  fake().peer[{it->second.dom.value, it->second.ref}].mapped = false;
  fake().mappings.erase(it);
  return GNTST_okay;
}

}  // namespace

void* peer_map(DomainId dom, GrantRef ref, bool readonly) {
  grant_entry_v1_t* e = guest_entry(ref.value);
  if (e == nullptr) return nullptr;
  const uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
  if ((flags & GTF_type_mask) != GTF_permit_access || e->domid != dom.value) return nullptr;
  if (!readonly && (flags & GTF_readonly) != 0) return nullptr;
  const uint16_t busy = static_cast<uint16_t>(GTF_reading | (readonly ? 0 : GTF_writing));
  __atomic_fetch_or(&e->flags, busy, __ATOMIC_ACQ_REL);
  ++fake().peer_maps[ref.value];
  return reinterpret_cast<void*>(address_of(Gfn{e->frame}));
}

void peer_unmap(DomainId, GrantRef ref) {
  auto it = fake().peer_maps.find(ref.value);
  if (it == fake().peer_maps.end()) return;
  if (--it->second > 0) return;
  fake().peer_maps.erase(it);
  if (grant_entry_v1_t* e = guest_entry(ref.value))
    __atomic_fetch_and(&e->flags, static_cast<uint16_t>(~(GTF_reading | GTF_writing)),
                       __ATOMIC_ACQ_REL);
}

void* peer_page(DomainId) {
  return internal::other_domain_page();
}

GrantRef peer_grant(DomainId dom, const void* page, bool readonly) {
  const uint32_t ref = fake().next_peer_ref++;
  fake().peer[{dom.value, ref}] = PeerGrant{page, readonly, false};
  return GrantRef{ref};
}

unsigned guest_mappings() {
  return static_cast<unsigned>(fake().mappings.size());
}

std::optional<GrantEntryView> guest_grant(GrantRef ref) {
  const grant_entry_v1_t* e = guest_entry(ref.value);
  if (e == nullptr) return std::nullopt;
  return GrantEntryView{__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE), e->domid, e->frame};
}

namespace internal {

void grant_reset() {
  delete g_fake;
  g_fake = new GrantFake;
}

long add_grant_frame(uint64_t index, uint64_t gpfn) {
  if (index >= config().grant_frames || index >= kMaxFrames) return -XEN_EINVAL;
  if (!in_grant_region(static_cast<uintptr_t>(address_of(Gfn{gpfn})), 4096)) return -XEN_EINVAL;
  fake().frames[index] = gpfn;
  if (index >= fake().frame_count) fake().frame_count = static_cast<uint32_t>(index + 1);
  return 0;
}

long grant_op(int cmd, void* args, unsigned count) {
  switch (cmd) {
    case GNTTABOP_query_size: {
      if (count != 1) return -XEN_EINVAL;
      auto* q = static_cast<gnttab_query_size_t*>(args);
      q->nr_frames = fake().frame_count;
      q->max_nr_frames = config().grant_frames;
      q->status = config().query_status;
      return 0;
    }
    case GNTTABOP_map_grant_ref: {
      auto* ops = static_cast<gnttab_map_grant_ref_t*>(args);
      for (unsigned i = 0; i < count; ++i) ops[i].status = map_one(&ops[i]);
      return 0;
    }
    case GNTTABOP_unmap_grant_ref: {
      auto* ops = static_cast<gnttab_unmap_grant_ref_t*>(args);
      for (unsigned i = 0; i < count; ++i) ops[i].status = unmap_one(&ops[i]);
      return 0;
    }
    default:
      return -XEN_ENOSYS;
  }
}

}  // namespace internal
}  // namespace petrel::xen::fake
