// AArch64 stage-1 translation table entries (4 KiB granule), as typed
// constexpr encoders and decoders. Pure arithmetic: unit-tested on the host.
//
// Memory types are MAIR_EL1 indices. Xen requires memory shared with other
// domains (grant pages, rings, shared_info) to be Normal, Inner Shareable,
// Write-Back cacheable: that is what MemType::kNormal encodes.
#pragma once

#include <stdint.h>

namespace petrel::arch {

enum class MemType : uint8_t {
  kDevice = 0,    // Device-nGnRE: MMIO (GIC, UART)
  kNormal = 1,    // Normal, inner/outer Write-Back RA/WA, inner shareable
  kNormalNc = 2,  // Normal, non-cacheable
};

// MAIR_EL1 value matching MemType's indices.
inline constexpr uint64_t kMairValue = (0x04ull << 0) | (0xFFull << 8) | (0x44ull << 16);

struct PageAttrs {
  MemType type = MemType::kNormal;
  bool writable = false;
  bool executable = false;

  static constexpr PageAttrs text() { return {MemType::kNormal, false, true}; }
  static constexpr PageAttrs rodata() { return {MemType::kNormal, false, false}; }
  static constexpr PageAttrs data() { return {MemType::kNormal, true, false}; }
  static constexpr PageAttrs device() { return {MemType::kDevice, true, false}; }
  constexpr bool operator==(const PageAttrs&) const = default;
};

namespace pte {

inline constexpr uint64_t kValid = 1ull << 0;
inline constexpr uint64_t kTableOrPage = 1ull << 1;  // table at levels 0-2, page at level 3
inline constexpr uint64_t kAttrIndexShift = 2;
inline constexpr uint64_t kApReadOnly = 1ull << 7;  // AP[2]: read-only
inline constexpr uint64_t kApEl0 = 1ull << 6;       // AP[1]: EL0 access (never set)
inline constexpr uint64_t kShInner = 3ull << 8;
inline constexpr uint64_t kAccessFlag = 1ull << 10;
inline constexpr uint64_t kPxn = 1ull << 53;
inline constexpr uint64_t kUxn = 1ull << 54;
inline constexpr uint64_t kAddressMask = 0x0000FFFFFFFFF000ull;  // bits 47:12

inline constexpr unsigned kPageShift = 12;
inline constexpr uint64_t kPageSize = 1ull << kPageShift;
inline constexpr unsigned kEntriesPerTable = 512;

// Bytes mapped by one entry at `level` (1: 1 GiB, 2: 2 MiB, 3: 4 KiB).
constexpr uint64_t level_size(int level) {
  return 1ull << (kPageShift + 9 * (3 - level));
}

// Index of `va` in the table at `level`.
constexpr unsigned level_index(uint64_t va, int level) {
  return static_cast<unsigned>((va >> (kPageShift + 9 * (3 - level))) & 511);
}

constexpr uint64_t table(uint64_t next_table_pa) {
  return (next_table_pa & kAddressMask) | kTableOrPage | kValid;
}

// A block (levels 1 and 2) or page (level 3) entry. Device memory and
// non-executable mappings get both execute-never bits; writable text is
// never produced because PageAttrs has no way to ask for W and X together
// without the caller saying so (the MMU code refuses it, see mmu.cc).
constexpr uint64_t leaf(uint64_t pa, PageAttrs a, int level) {
  uint64_t e = (pa & kAddressMask) | kValid | kAccessFlag;
  if (level == 3) e |= kTableOrPage;
  e |= static_cast<uint64_t>(a.type) << kAttrIndexShift;
  if (a.type != MemType::kDevice) e |= kShInner;
  if (!a.writable) e |= kApReadOnly;
  if (!a.executable || a.type == MemType::kDevice) e |= kPxn | kUxn;
  return e;
}

constexpr bool is_valid(uint64_t e) {
  return (e & kValid) != 0;
}
constexpr bool is_table(uint64_t e, int level) {
  return level < 3 && (e & (kValid | kTableOrPage)) == (kValid | kTableOrPage);
}
constexpr uint64_t output_address(uint64_t e) {
  return e & kAddressMask;
}
constexpr PageAttrs attrs_of(uint64_t e) {
  return PageAttrs{static_cast<MemType>((e >> kAttrIndexShift) & 7), (e & kApReadOnly) == 0,
                   (e & kPxn) == 0};
}

}  // namespace pte
}  // namespace petrel::arch
