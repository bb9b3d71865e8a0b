#include "petrel/xen/grant_entries.h"

namespace petrel::xen {

Status GrantEntries::attach(grant_entry_v1_t* entries, uint32_t count) {
  if (entries == nullptr || count <= kReserved || count > kMaxEntries)
    return Error{Errc::kInvalid, "grant: bad grant table"};
  entries_ = entries;
  count_ = count;
  granted_ = 0;
  next_ = kReserved;
  for (uint8_t& u : used_) u = 0;
  return ok();
}

Result<GrantRef> GrantEntries::grant(DomainId peer, Gfn frame, bool readonly) {
  if (entries_ == nullptr) return Error{Errc::kUnsupported, "grant: no grant table"};
  if (frame.value > 0xffffffffu)
    return Error{Errc::kOutOfRange, "grant: frame beyond what a v1 entry holds"};
  for (uint32_t n = 0; n < count_ - kReserved; ++n) {
    const uint32_t ref = kReserved + (next_ - kReserved + n) % (count_ - kReserved);
    if (used_[ref] != 0) continue;
    grant_entry_v1_t& e = entries_[ref];
    e.frame = static_cast<uint32_t>(frame.value);
    e.domid = peer.value;
    const uint16_t flags = static_cast<uint16_t>(GTF_permit_access | (readonly ? GTF_readonly : 0));
    __atomic_store_n(&e.flags, flags, __ATOMIC_RELEASE);  // frame and domid first
    used_[ref] = 1;
    ++granted_;
    next_ = ref + 1 < count_ ? ref + 1 : kReserved;
    return GrantRef{ref};
  }
  return Error{Errc::kNoMemory, "grant: every grant entry is in use"};
}

bool GrantEntries::in_use(GrantRef ref) const {
  if (entries_ == nullptr || ref.value >= count_) return false;
  const uint16_t flags = __atomic_load_n(&entries_[ref.value].flags, __ATOMIC_ACQUIRE);
  return (flags & (GTF_reading | GTF_writing)) != 0;
}

Status GrantEntries::revoke(GrantRef ref) {
  if (entries_ == nullptr || ref.value < kReserved || ref.value >= count_ || used_[ref.value] == 0)
    return Error{Errc::kInvalid, "grant: not a reference we granted"};
  uint16_t* flags = &entries_[ref.value].flags;
  uint16_t seen = __atomic_load_n(flags, __ATOMIC_ACQUIRE);
  for (;;) {
    if ((seen & (GTF_reading | GTF_writing)) != 0)
      return Error{Errc::kBusy, "grant: the peer still has the frame mapped"};
    // Fails (and reloads `seen`) if Xen marked it in use meanwhile.
    if (__atomic_compare_exchange_n(flags, &seen, uint16_t{0}, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
      break;
  }
  used_[ref.value] = 0;
  --granted_;
  return ok();
}

}  // namespace petrel::xen
