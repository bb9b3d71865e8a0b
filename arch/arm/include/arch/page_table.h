// Building identity-mapped (VA == IPA) stage-1 tables from a fixed pool.
//
// The same long-descriptor format serves AArch64 and AArch32 (LPAE): a
// 39-bit address space (AArch64, TCR_EL1.T0SZ = 25) or a 32-bit one (AArch32,
// TTBCR.EAE = 1, T0SZ = 0) starts at level 1, so a tree is one level-1 table
// plus level-2 and level-3 tables taken from the pool on demand.
// map() uses the largest entries alignment allows (1 GiB, 2 MiB, 4 KiB) and
// splits nothing: mapping over an existing mapping is an error, which keeps
// the builder small and the resulting permissions exactly what the caller
// asked for. The one split it offers is prepare_split(): a block becomes a
// table of the next level mapping the same range with the same attributes,
// built aside so that the caller can swap it in live (break-before-make).
// Tables are zeroed when the builder takes them, so neither pool has to be
// zeroed beforehand (the boot does not pay for tables it never uses).
// Table "addresses" are the pool's own addresses, so the same code runs on
// the host (tests walk the tables with translate()) and in the guest.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/pte.h"
#include "petrel/result.h"

namespace petrel::arch {

struct alignas(4096) PageTable {
  uint64_t entry[pte::kEntriesPerTable];
};

struct Translation {
  uint64_t pa;
  PageAttrs attrs;
  int level;
};

class PageTableBuilder {
 public:
  static constexpr unsigned kVaBits64 = 39;  // AArch64
  static constexpr unsigned kVaBits32 = 32;  // AArch32 with LPAE

  // `pool[0]` becomes the level-1 table.
  // Of the root, only the entries the address space reaches are zeroed (4 of
  // them for 32 bits) and ever read.
  PageTableBuilder(PageTable* pool, size_t count, unsigned va_bits = kVaBits64)
      : pool_(pool), count_(count), used_(1), va_limit_(1ull << va_bits) {
    const uint64_t root_entries = va_limit_ >> 30;
    zero(pool_, root_entries < pte::kEntriesPerTable ? static_cast<unsigned>(root_entries)
                                                     : pte::kEntriesPerTable);
  }
  PageTableBuilder() = default;

  // Adds a second pool of tables, used once the first is exhausted.
  void extend(PageTable* more, size_t count) {
    extra_ = more;
    extra_count_ = count;
  }

  PageTable* root() const { return pool_; }
  size_t tables_used() const { return used_ + extra_used_; }

  // Maps [va, va + size) to [pa, ...). With `pages_only`, only 4 KiB pages
  // are used, so that single pages can later be unmapped and remapped
  // (stack guards) without ever splitting a block.
  Status map(uint64_t va, uint64_t pa, uint64_t size, PageAttrs attrs, bool pages_only = false) {
    if (((va | pa | size) & (pte::kPageSize - 1)) != 0)
      return Error{Errc::kInvalid, "mmu: range is not page aligned"};
    if (size == 0 || va + size < va || va + size > va_limit_ || pa + size < pa ||
        pa + size > (pte::kAddressMask | (pte::kPageSize - 1)) + 1)
      return Error{Errc::kOutOfRange, "mmu: range outside the address space"};
    if (attrs.writable && attrs.executable)
      return Error{Errc::kInvalid, "mmu: refusing a writable and executable mapping"};
    while (size > 0) {
      int level = pages_only ? 3 : 1;
      while (level < 3 && !fits(va, pa, size, level)) ++level;
      // A run of entries of one size: walk to its table once and fill as
      // many entries as the range covers (the pages of the image's sections
      // and of the edges of RAM and device regions, the 2 MiB blocks of RAM).
      auto run = map_run(va, pa, size, attrs, level);
      if (!run) return run.error();
      va += *run;
      pa += *run;
      size -= *run;
    }
    return ok();
  }

  // One identity-mapped range of a window (map_window): [start, end), page
  // aligned, with `attrs`.
  struct WindowRun {
    uint64_t start;
    uint64_t end;
    PageAttrs attrs;
  };
  // Maps the 2 MiB at `base` (2 MiB aligned, nothing mapped there yet) with
  // a new level-3 table written in one pass: the runs (in address order, not
  // overlapping, inside the window) with their attributes, every other page
  // of the window unmapped. Each entry is written once and nothing is zeroed
  // or checked first: what the boot does for the image and the RAM around
  // it, whose permissions change every few pages.
  Status map_window(uint64_t base, const WindowRun* runs, size_t count) {
    const uint64_t window = pte::level_size(2);
    if ((base & (window - 1)) != 0 || base + window > va_limit_)
      return Error{Errc::kInvalid, "mmu: window not a 2 MiB block of the address space"};
    uint64_t at = base;
    for (size_t r = 0; r < count; ++r) {
      if (((runs[r].start | runs[r].end) & (pte::kPageSize - 1)) != 0 || runs[r].start < at ||
          runs[r].end < runs[r].start || runs[r].end > base + window)
        return Error{Errc::kInvalid, "mmu: window runs out of order, unaligned or outside it"};
      if (runs[r].attrs.writable && runs[r].attrs.executable)
        return Error{Errc::kInvalid, "mmu: refusing a writable and executable mapping"};
      at = runs[r].end;
    }
    auto l2 = table_for(base, 2);
    if (!l2) return l2.error();
    uint64_t& slot = (*l2)->entry[pte::level_index(base, 2)];
    if (pte::is_valid(slot))
      return Error{Errc::kInvalid, "mmu: range overlaps an existing mapping"};
    PageTable* table = take_table();
    if (table == nullptr) return Error{Errc::kNoMemory, "mmu: page-table pool exhausted"};
    uint64_t* entry = table->entry;
    unsigned i = 0;
    for (size_t r = 0; r < count; ++r) {
      const auto first = static_cast<unsigned>((runs[r].start - base) >> pte::kPageShift);
      const auto last = static_cast<unsigned>((runs[r].end - base) >> pte::kPageShift);
      fill_zero(entry, i, first);
      fill(entry, first, last, pte::leaf(runs[r].start, runs[r].attrs, 3), pte::kPageSize);
      i = last;
    }
    fill_zero(entry, i, pte::kEntriesPerTable);
    slot = pte::table(reinterpret_cast<uintptr_t>(table));
    return ok();
  }

  // Points to the level-3 entry for `va`, which must lie in a range mapped
  // with pages_only; nullptr otherwise.
  uint64_t* page_entry(uint64_t va) const {
    if (va >= va_limit_) return nullptr;
    PageTable* t = pool_;
    for (int level = 1; level < 3; ++level) {
      uint64_t e = t->entry[pte::level_index(va, level)];
      if (!pte::is_table(e, level)) return nullptr;
      t = reinterpret_cast<PageTable*>(static_cast<uintptr_t>(pte::output_address(e)));
    }
    return &t->entry[pte::level_index(va, 3)];
  }

  // A block to be replaced by a table of the next level: store
  // `table_descriptor` into `*entry` (break-before-make when live).
  struct BlockSplit {
    uint64_t* entry;
    uint64_t table_descriptor;
    int level;  // the block's
  };
  // Prepares the split of the block that maps `va` (1 GiB or 2 MiB): takes
  // a table from the pool and fills it with next-level entries mapping the
  // same range with the same attributes. Writes nothing live. Fails when
  // `va` is unmapped or already mapped by a page, or the pools are empty.
  Result<BlockSplit> prepare_split(uint64_t va) {
    if (va >= va_limit_) return Error{Errc::kOutOfRange, "mmu: address too high"};
    PageTable* t = pool_;
    for (int level = 1; level <= 2; ++level) {
      uint64_t& e = t->entry[pte::level_index(va, level)];
      if (!pte::is_valid(e)) return Error{Errc::kNotFound, "mmu: not mapped"};
      if (pte::is_table(e, level)) {
        t = reinterpret_cast<PageTable*>(static_cast<uintptr_t>(pte::output_address(e)));
        continue;
      }
      const uint64_t base = pte::output_address(e) & ~(pte::level_size(level) - 1);
      // The entry is written through its own mapping while the block is
      // invalid: it must not lie in the block it describes.
      const auto entry_at = reinterpret_cast<uintptr_t>(&e);
      if (entry_at >= base && entry_at - base < pte::level_size(level))
        return Error{Errc::kInvalid, "mmu: the block holds its own table entry"};
      PageTable* next = take_table();
      if (next == nullptr) return Error{Errc::kNoMemory, "mmu: page-table pool exhausted"};
      const uint64_t step = pte::level_size(level + 1);
      uint64_t entry = pte::leaf(base, pte::attrs_of(e), level + 1);
      for (uint64_t& n : next->entry) {
        n = entry;
        entry += step;
      }
      return BlockSplit{&e, pte::table(reinterpret_cast<uintptr_t>(next)), level};
    }
    return Error{Errc::kInvalid, "mmu: already mapped with pages"};
  }

  // Software walk, as the MMU would do it.
  Result<Translation> translate(uint64_t va) const {
    if (va >= va_limit_) return Error{Errc::kOutOfRange, "mmu: address too high"};
    const PageTable* t = pool_;
    for (int level = 1; level <= 3; ++level) {
      uint64_t e = t->entry[pte::level_index(va, level)];
      if (!pte::is_valid(e)) return Error{Errc::kNotFound, "mmu: not mapped"};
      if (pte::is_table(e, level)) {
        t = reinterpret_cast<const PageTable*>(static_cast<uintptr_t>(pte::output_address(e)));
        continue;
      }
      uint64_t offset = va & (pte::level_size(level) - 1);
      return Translation{pte::output_address(e) + offset, pte::attrs_of(e), level};
    }
    return Error{Errc::kInvalid, "mmu: malformed table"};
  }

 private:
  static bool fits(uint64_t va, uint64_t pa, uint64_t size, int level) {
    uint64_t block = pte::level_size(level);
    return ((va | pa) & (block - 1)) == 0 && size >= block;
  }

  // Maps entries of `level` from `va` to the end of their table or of the
  // range, whichever comes first; returns the bytes mapped. Checks the
  // entries first and writes nothing if any is in use. `va` and `pa` are
  // aligned to the level's size and the range holds at least one entry.
  Result<uint64_t> map_run(uint64_t va, uint64_t pa, uint64_t size, PageAttrs attrs, int level) {
    bool fresh = false;
    auto table = table_for(va, level, &fresh);
    if (!table) return table.error();
    uint64_t* entry = (*table)->entry;
    const unsigned shift = pte::kPageShift + 9 * (3 - level);
    const unsigned first = pte::level_index(va, level);
    const uint64_t count = size >> shift;
    const unsigned last = count < pte::kEntriesPerTable - first
                              ? first + static_cast<unsigned>(count)
                              : pte::kEntriesPerTable;
    if (fresh) {
      // Taken for this run and not zeroed: every entry is written once.
      fill_zero(entry, 0, first);
      fill_zero(entry, last, pte::kEntriesPerTable);
    } else {
      if (any_valid(entry, first, last))
        return Error{Errc::kInvalid, "mmu: range overlaps an existing mapping"};
    }
    fill(entry, first, last, pte::leaf(pa, attrs, level), uint64_t{1} << shift);
    return uint64_t{last - first} << shift;
  }

  // entry[first, last) = e, e + step, e + 2 * step, ... The caller keeps the
  // addresses within the output address range (map() checks), so adding the
  // step never carries out of the address bits. Four entries a turn.
  [[gnu::noinline]] static void fill(uint64_t* entry, unsigned first, unsigned last, uint64_t e,
                                     uint64_t step) {
    uint64_t* p = entry + first;
    uint64_t* const end = entry + last;
    if constexpr (sizeof(uintptr_t) == 4) {
      // A 32-bit CPU adds 64-bit numbers in two halves: where the low word
      // cannot carry over the run (addresses below 4 GiB: always, on
      // AArch32), only the low word is added to.
      const auto low = static_cast<uint32_t>(e);
      if (step <= UINT32_MAX && (last - first) * step <= uint64_t{UINT32_MAX} - low) {
        const uint64_t high = e & ~uint64_t{UINT32_MAX};
        const auto step32 = static_cast<uint32_t>(step);
        uint32_t lo = low;
        for (; end - p >= 4; p += 4, lo += 4 * step32) {
          p[0] = high | lo;
          p[1] = high | (lo + step32);
          p[2] = high | (lo + 2 * step32);
          p[3] = high | (lo + 3 * step32);
        }
        for (; p != end; ++p, lo += step32) *p = high | lo;
        return;
      }
    }
    for (; end - p >= 4; p += 4, e += 4 * step) {
      p[0] = e;
      p[1] = e + step;
      p[2] = e + 2 * step;
      p[3] = e + 3 * step;
    }
    for (; p != end; ++p, e += step) *p = e;
  }

  // Eight entries a turn where they are 64-byte aligned.
  [[gnu::noinline]] static void fill_zero(uint64_t* entry, unsigned first, unsigned last) {
    uint64_t* p = entry + first;
    uint64_t* const end = entry + last;
    for (; p != end && (reinterpret_cast<uintptr_t>(p) & 63) != 0; ++p) *p = 0;
    for (; end - p >= 8; p += 8) {
      p[0] = 0;
      p[1] = 0;
      p[2] = 0;
      p[3] = 0;
      p[4] = 0;
      p[5] = 0;
      p[6] = 0;
      p[7] = 0;
    }
    for (; p != end; ++p) *p = 0;
  }

  // Whether any of entry[first, last) is valid. Four entries a turn.
  static bool any_valid(const uint64_t* entry, unsigned first, unsigned last) {
    const uint64_t* p = entry + first;
    const uint64_t* const end = entry + last;
    uint64_t valid = 0;
    for (; end - p >= 4; p += 4) valid |= p[0] | p[1] | p[2] | p[3];
    for (; p != end; ++p) valid |= *p;
    return pte::is_valid(valid);
  }

  // The table at `level` that holds `va`'s entry, creating the tables above
  // it from the pool as needed.
  // With `fresh`, a table taken for `level` itself is left unzeroed and
  // *fresh set: the caller writes all of it.
  Result<PageTable*> table_for(uint64_t va, int level, bool* fresh = nullptr) {
    PageTable* t = pool_;
    for (int l = 1; l < level; ++l) {
      uint64_t& e = t->entry[pte::level_index(va, l)];
      if (!pte::is_valid(e)) {
        PageTable* next = take_table();
        if (next == nullptr) return Error{Errc::kNoMemory, "mmu: page-table pool exhausted"};
        if (fresh != nullptr && l + 1 == level) {
          *fresh = true;
        } else {
          zero(next);
        }
        e = pte::table(reinterpret_cast<uintptr_t>(next));
      } else if (!pte::is_table(e, l)) {
        return Error{Errc::kInvalid, "mmu: range overlaps an existing mapping"};
      }
      t = reinterpret_cast<PageTable*>(static_cast<uintptr_t>(pte::output_address(e)));
    }
    return t;
  }

  PageTable* take_table() {
    if (used_ < count_) return &pool_[used_++];
    if (extra_used_ < extra_count_) return &extra_[extra_used_++];
    return nullptr;
  }
  // Eight entries a turn: the boot zeroes a handful of whole tables.
  static void zero(PageTable* t, unsigned entries = pte::kEntriesPerTable) {
    uint64_t* e = t->entry;
    for (unsigned i = 0; i < entries; i += 8) {
      e[i] = 0;
      e[i + 1] = 0;
      e[i + 2] = 0;
      e[i + 3] = 0;
      e[i + 4] = 0;
      e[i + 5] = 0;
      e[i + 6] = 0;
      e[i + 7] = 0;
    }
  }

  PageTable* pool_ = nullptr;
  size_t count_ = 0;
  size_t used_ = 0;
  PageTable* extra_ = nullptr;
  size_t extra_count_ = 0;
  size_t extra_used_ = 0;
  uint64_t va_limit_ = 1ull << kVaBits64;
};

}  // namespace petrel::arch
