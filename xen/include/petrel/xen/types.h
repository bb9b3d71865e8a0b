// Strong types for the numbers Xen's interfaces pass around: a domain ID, an
// event-channel port, a grant reference and a guest frame number are all
// plain integers in the ABI, and mixing them up compiles silently there.
// Here each is its own type; .value gives the ABI integer back.
#pragma once

#include <stdint.h>

namespace petrel::xen {

template <typename Tag, typename Rep>
struct StrongId {
  Rep value{};
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : value(v) {}
  constexpr bool operator==(const StrongId&) const = default;
  constexpr bool operator<(const StrongId& o) const { return value < o.value; }
};

using DomainId = StrongId<struct DomainIdTag, uint16_t>;
using EvtchnPort = StrongId<struct EvtchnPortTag, uint32_t>;
using GrantRef = StrongId<struct GrantRefTag, uint32_t>;
// A guest frame number: a guest-physical address >> 12.
using Gfn = StrongId<struct GfnTag, uint64_t>;

inline constexpr DomainId kDomainSelf{0x7ff0};  // DOMID_SELF
inline constexpr DomainId kDomain0{0};
inline constexpr unsigned kPageShift = 12;
inline constexpr uint64_t kPageSize = 1ull << kPageShift;

constexpr Gfn gfn_of(uintptr_t address) {
  return Gfn{static_cast<uint64_t>(address) >> kPageShift};
}
constexpr uintptr_t address_of(Gfn gfn) {
  return static_cast<uintptr_t>(gfn.value << kPageShift);
}

}  // namespace petrel::xen
