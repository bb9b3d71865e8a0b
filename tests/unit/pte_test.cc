// Page-table entry encoding, the identity-map builder and ESR decoding.
#include "arch/pte.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "arch/esr.h"
#include "arch/page_table.h"

namespace petrel::arch {
namespace {

TEST(Pte, TextIsReadOnlyExecutable) {
  uint64_t e = pte::leaf(0x40080000, PageAttrs::text(), 3);
  EXPECT_EQ(e & 3, 3u) << "valid page descriptor";
  EXPECT_EQ(pte::output_address(e), 0x40080000u);
  EXPECT_NE(e & pte::kApReadOnly, 0u);
  EXPECT_EQ(e & (pte::kPxn | pte::kUxn), 0u);
  EXPECT_NE(e & pte::kAccessFlag, 0u);
  EXPECT_EQ((e >> 8) & 3, 3u) << "inner shareable";
  EXPECT_EQ((e >> 2) & 7, static_cast<uint64_t>(MemType::kNormal));
  EXPECT_EQ(e & pte::kApEl0, 0u) << "never accessible from EL0";
}

TEST(Pte, DataIsWritableNeverExecutable) {
  uint64_t e = pte::leaf(0x40200000, PageAttrs::data(), 2);
  EXPECT_EQ(e & 3, 1u) << "block descriptor at level 2";
  EXPECT_EQ(e & pte::kApReadOnly, 0u);
  EXPECT_EQ(e & (pte::kPxn | pte::kUxn), pte::kPxn | pte::kUxn);
}

TEST(Pte, DeviceIsNeverExecutableEvenIfAsked) {
  PageAttrs a{MemType::kDevice, false, true};
  uint64_t e = pte::leaf(0x08000000, a, 3);
  EXPECT_EQ(e & (pte::kPxn | pte::kUxn), pte::kPxn | pte::kUxn);
  EXPECT_EQ((e >> 2) & 7, 0u);
  EXPECT_EQ((e >> 8) & 3, 0u) << "shareability is not set for device memory";
}

TEST(Pte, MairMatchesMemTypes) {
  EXPECT_EQ((kMairValue >> 0) & 0xff, 0x04u);   // Device-nGnRE
  EXPECT_EQ((kMairValue >> 8) & 0xff, 0xffu);   // Normal WB RA/WA
  EXPECT_EQ((kMairValue >> 16) & 0xff, 0x44u);  // Normal non-cacheable
}

TEST(Pte, TableAndIndexes) {
  EXPECT_EQ(pte::table(0x1234000), 0x1234000u | 3);
  EXPECT_EQ(pte::level_size(1), 1ull << 30);
  EXPECT_EQ(pte::level_size(2), 1ull << 21);
  EXPECT_EQ(pte::level_size(3), 1ull << 12);
  EXPECT_EQ(pte::level_index(0x40080000, 1), 1u);
  EXPECT_EQ(pte::level_index(0x40080000, 2), 0u);
  EXPECT_EQ(pte::level_index(0x40080000, 3), 0x80u);
  EXPECT_EQ(pte::output_address(0xFFF0'0000'1234'5FFFull), 0x12345000u);
}

TEST(Pte, AttrsRoundTrip) {
  for (PageAttrs a : {PageAttrs::text(), PageAttrs::rodata(), PageAttrs::data()})
    EXPECT_EQ(pte::attrs_of(pte::leaf(0x1000, a, 3)), a);
}

struct Pool {
  static constexpr size_t kCount = 16;
  std::unique_ptr<PageTable[]> tables{new PageTable[kCount]()};
};

TEST(PageTableBuilder, UsesLargestBlocksAndTranslates) {
  Pool pool;
  PageTableBuilder b(pool.tables.get(), Pool::kCount);
  // 0x40000000..0x40400000: two 2 MiB blocks; 0x40400000..0x40403000: three pages.
  ASSERT_TRUE(b.map(0x40000000, 0x40000000, 0x403000, PageAttrs::data()).ok());
  auto t = b.translate(0x40123456);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->pa, 0x40123456u);
  EXPECT_EQ(t->level, 2);
  auto p = b.translate(0x40402010);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->level, 3);
  EXPECT_EQ(p->pa, 0x40402010u);
  EXPECT_FALSE(b.translate(0x40403000).ok());
  EXPECT_FALSE(b.translate(0).ok()) << "nothing maps the first page";
  EXPECT_EQ(b.tables_used(), 3u) << "L1, one L2, one L3";
}

TEST(PageTableBuilder, OneGigabyteBlock) {
  Pool pool;
  PageTableBuilder b(pool.tables.get(), Pool::kCount);
  ASSERT_TRUE(b.map(0x40000000, 0x40000000, 1ull << 30, PageAttrs::data()).ok());
  auto t = b.translate(0x7fffffff);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->level, 1);
  EXPECT_EQ(b.tables_used(), 1u);
}

TEST(PageTableBuilder, KeepsPermissionsPerRange) {
  Pool pool;
  PageTableBuilder b(pool.tables.get(), Pool::kCount);
  ASSERT_TRUE(b.map(0x40080000, 0x40080000, 0x2000, PageAttrs::text()).ok());
  ASSERT_TRUE(b.map(0x40082000, 0x40082000, 0x1000, PageAttrs::rodata()).ok());
  ASSERT_TRUE(b.map(0x40083000, 0x40083000, 0x1000, PageAttrs::data()).ok());
  ASSERT_TRUE(b.map(0x22000000, 0x22000000, 0x1000, PageAttrs::device()).ok());
  EXPECT_EQ(b.translate(0x40081ffc)->attrs, PageAttrs::text());
  EXPECT_EQ(b.translate(0x40082000)->attrs, PageAttrs::rodata());
  EXPECT_EQ(b.translate(0x40083008)->attrs, PageAttrs::data());
  EXPECT_EQ(b.translate(0x22000018)->attrs.type, MemType::kDevice);
  EXPECT_FALSE(b.translate(0x40084000).ok()) << "a guard page stays unmapped";
}

TEST(PageTableBuilder, RejectsBadRequests) {
  Pool pool;
  PageTableBuilder b(pool.tables.get(), Pool::kCount);
  EXPECT_EQ(b.map(0x1001, 0x1001, 0x1000, PageAttrs::data()).error().code, Errc::kInvalid);
  EXPECT_EQ(b.map(0x1000, 0x1000, 0, PageAttrs::data()).error().code, Errc::kOutOfRange);
  EXPECT_EQ(b.map(1ull << 39, 1ull << 39, 0x1000, PageAttrs::data()).error().code,
            Errc::kOutOfRange);
  EXPECT_EQ(b.map(0x1000, 0x1000, 0x1000, PageAttrs{MemType::kNormal, true, true}).error().code,
            Errc::kInvalid)
      << "no writable+executable mappings";
  ASSERT_TRUE(b.map(0x40000000, 0x40000000, 0x200000, PageAttrs::data()).ok());
  EXPECT_FALSE(b.map(0x40001000, 0x40001000, 0x1000, PageAttrs::data()).ok())
      << "overlap with a block";
  ASSERT_TRUE(b.map(0x40400000, 0x40400000, 0x1000, PageAttrs::data()).ok());
  EXPECT_FALSE(b.map(0x40400000, 0x40400000, 0x1000, PageAttrs::data()).ok())
      << "overlap with a page";
}

// AArch32 (LPAE, TTBCR.T0SZ = 0): the same tables, a 32-bit address space.
TEST(PageTableBuilder, ThirtyTwoBitAddressSpace) {
  Pool pool;
  PageTableBuilder b(pool.tables.get(), Pool::kCount, PageTableBuilder::kVaBits32);
  ASSERT_TRUE(b.map(0xfffff000, 0xfffff000, 0x1000, PageAttrs::device()).ok())
      << "the last page below 4 GiB is addressable";
  EXPECT_EQ(b.map(0xfffff000, 0xfffff000, 0x2000, PageAttrs::data()).error().code,
            Errc::kOutOfRange)
      << "a range crossing 4 GiB is not";
  EXPECT_EQ(b.map(1ull << 32, 1ull << 32, 0x1000, PageAttrs::data()).error().code,
            Errc::kOutOfRange);
  EXPECT_FALSE(b.translate(1ull << 32).ok());
  EXPECT_EQ(b.page_entry(1ull << 32), nullptr);
  ASSERT_TRUE(b.map(0x40000000, 0x40000000, 0x200000, PageAttrs::data(), true).ok());
  EXPECT_NE(b.page_entry(0x40001000), nullptr);
  EXPECT_EQ(b.translate(0xfffff010)->pa, 0xfffff010u);
  // Only the first four level-1 entries (bits 31:30) are ever used.
  for (unsigned i = 4; i < pte::kEntriesPerTable; ++i) EXPECT_EQ(b.root()->entry[i], 0u) << i;
}

TEST(PageTableBuilder, PoolExhaustionIsAnError) {
  Pool pool;
  PageTableBuilder b(pool.tables.get(), 2);                   // L1 and one more table
  auto s = b.map(0x1000, 0x1000, 0x1000, PageAttrs::data());  // needs L2 and L3
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kNoMemory);
}

TEST(Esr, DataAbortTranslationFault) {
  // EC 0x25, WnR=0, DFSC 0b000101: translation fault, level 1.
  EsrInfo e = decode_esr(0x96000005);
  EXPECT_EQ(e.ec, 0x25u);
  EXPECT_TRUE(e.is_abort);
  EXPECT_TRUE(e.is_data_abort);
  EXPECT_FALSE(e.write);
  EXPECT_STREQ(e.fault, "translation fault");
  EXPECT_EQ(e.level, 1);
  EXPECT_STREQ(e.ec_name, "data abort");
}

TEST(Esr, PermissionFaultOnWrite) {
  EsrInfo e = decode_esr(0x9600004f);  // WnR=1, DFSC 0b001111
  EXPECT_TRUE(e.write);
  EXPECT_STREQ(e.fault, "permission fault");
  EXPECT_EQ(e.level, 3);
}

TEST(Esr, UndefinedInstructionAndOthers) {
  EsrInfo e = decode_esr(0x02000000);
  EXPECT_EQ(e.ec, 0u);
  EXPECT_STREQ(e.ec_name, "undefined instruction");
  EXPECT_FALSE(e.is_abort);
  EXPECT_STREQ(e.fault, "");
  EXPECT_STREQ(decode_esr(0x86000010).fault, "synchronous external abort");
  EXPECT_STREQ(decode_esr(0x96000021).fault, "alignment fault");
  EXPECT_STREQ(decode_esr(uint64_t{0x3c} << 26).ec_name, "BRK instruction");
  EXPECT_STREQ(decode_esr(uint64_t{0x3f} << 26).ec_name, "unknown exception class");
}

}  // namespace
}  // namespace petrel::arch

namespace petrel::arch {
namespace {

TEST(PageTableBuilder, PagesOnlyAndPageEntries) {
  std::unique_ptr<PageTable[]> pool(new PageTable[2]());
  std::unique_ptr<PageTable[]> extra(new PageTable[4]());
  PageTableBuilder b(pool.get(), 2);
  b.extend(extra.get(), 4);
  // 4 MiB, 2 MiB aligned: blocks would fit, but pages are asked for.
  ASSERT_TRUE(b.map(0x40000000, 0x40000000, 0x400000, PageAttrs::data(), true).ok());
  EXPECT_EQ(b.translate(0x40200000)->level, 3);
  EXPECT_EQ(b.tables_used(), 4u) << "L1, L2 (first pool), two L3 (extra pool)";
  uint64_t* e = b.page_entry(0x40201000);
  ASSERT_NE(e, nullptr);
  // Unmapping one page (a stack guard) leaves its neighbours alone.
  *e = 0;
  EXPECT_FALSE(b.translate(0x40201000).ok());
  EXPECT_TRUE(b.translate(0x40200fff).ok());
  EXPECT_TRUE(b.translate(0x40202000).ok());
  *e = pte::leaf(0x40201000, PageAttrs::data(), 3);
  EXPECT_EQ(b.translate(0x40201234)->pa, 0x40201234u);
  EXPECT_EQ(b.page_entry(0x80000000), nullptr) << "not mapped at all";
}

TEST(PageTableBuilder, PageRunsAcrossTablesTranslateEveryPage) {
  std::unique_ptr<PageTable[]> pool(new PageTable[8]());
  PageTableBuilder b(pool.get(), 8);
  // Starts 3 pages before a 2 MiB boundary and runs 600 pages: parts of
  // three level-3 tables, filled a table at a time.
  const uint64_t start = 0x40200000 - 3 * 0x1000;
  const uint64_t size = 600 * 0x1000;
  ASSERT_TRUE(b.map(start, start + 0x10000000, size, PageAttrs::data(), true).ok());
  for (uint64_t va = start; va < start + size; va += 0x1000) {
    auto t = b.translate(va + 0x123);
    ASSERT_TRUE(t.ok()) << std::hex << va;
    EXPECT_EQ(t->pa, va + 0x10000000 + 0x123);
    EXPECT_EQ(t->level, 3);
    EXPECT_TRUE(t->attrs.writable);
  }
  EXPECT_FALSE(b.translate(start - 0x1000).ok());
  EXPECT_FALSE(b.translate(start + size).ok());
}

TEST(PageTableBuilder, OverlapInsideAPageRunWritesNothing) {
  std::unique_ptr<PageTable[]> pool(new PageTable[4]());
  PageTableBuilder b(pool.get(), 4);
  ASSERT_TRUE(b.map(0x40005000, 0x40005000, 0x1000, PageAttrs::data(), true).ok());
  auto s = b.map(0x40000000, 0x40000000, 0x10000, PageAttrs::data(), true);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalid);
  EXPECT_FALSE(b.translate(0x40000000).ok()) << "the pages before the overlap stay unmapped";
  EXPECT_TRUE(b.translate(0x40005000).ok());
}

// RAM that is not a whole 1 GiB: 2 MiB blocks, filled a table at a time,
// across a 1 GiB boundary (two level-2 tables).
TEST(PageTableBuilder, BlockRunsAcrossTablesTranslateEveryBlock) {
  std::unique_ptr<PageTable[]> pool(new PageTable[8]());
  PageTableBuilder b(pool.get(), 8);
  const uint64_t start = 0x80000000 - 5 * 0x200000;
  const uint64_t size = 300 * 0x200000;
  ASSERT_TRUE(b.map(start, start, size, PageAttrs::data()).ok());
  EXPECT_EQ(b.tables_used(), 3u) << "L1 and two L2, no level-3 table";
  for (uint64_t va = start; va < start + size; va += 0x200000) {
    auto t = b.translate(va + 0x1234);
    ASSERT_TRUE(t.ok()) << std::hex << va;
    EXPECT_EQ(t->pa, va + 0x1234);
    EXPECT_EQ(t->level, 2);
  }
  EXPECT_FALSE(b.translate(start - 1).ok());
  EXPECT_FALSE(b.translate(start + size).ok());
}

TEST(PageTableBuilder, OverlapInsideABlockRunWritesNothing) {
  std::unique_ptr<PageTable[]> pool(new PageTable[4]());
  PageTableBuilder b(pool.get(), 4);
  ASSERT_TRUE(b.map(0x40a00000, 0x40a00000, 0x200000, PageAttrs::data()).ok());
  auto s = b.map(0x40000000, 0x40000000, 0x1000000, PageAttrs::rodata());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalid);
  EXPECT_FALSE(b.translate(0x40000000).ok()) << "the blocks before the overlap stay unmapped";
  EXPECT_EQ(b.translate(0x40a00000)->attrs, PageAttrs::data());
}

TEST(PageTableBuilder, OutputAddressBeyondFortyEightBitsIsRefused) {
  std::unique_ptr<PageTable[]> pool(new PageTable[4]());
  PageTableBuilder b(pool.get(), 4);
  EXPECT_EQ(b.map(0x40000000, (1ull << 48) - 0x1000, 0x2000, PageAttrs::data()).error().code,
            Errc::kOutOfRange);
  EXPECT_TRUE(b.map(0x40000000, (1ull << 48) - 0x1000, 0x1000, PageAttrs::data()).ok());
}

// The image's window: runs with their permissions, gaps unmapped, written
// into a table that was never zeroed (the pool holds garbage here).
TEST(PageTableBuilder, WindowMapsRunsAndLeavesGapsUnmapped) {
  std::unique_ptr<PageTable[]> pool(new PageTable[4]);
  for (size_t t = 0; t < 4; ++t)
    for (uint64_t& e : pool[t].entry) e = 0xdeadbeefdeadbeefull;
  PageTableBuilder b(pool.get(), 4);
  const uint64_t w = 0x40000000;
  const PageTableBuilder::WindowRun runs[] = {
      {w, w + 0x80000, PageAttrs::data()},
      {w + 0x80000, w + 0x90000, PageAttrs::text()},
      {w + 0x90000, w + 0x92000, PageAttrs::rodata()},
      {w + 0x93000, w + 0x95000, PageAttrs::data()},  // a guard page before it
      {w + 0x95000, w + 0x200000, PageAttrs::data()},
  };
  ASSERT_TRUE(b.map_window(w, runs, 5).ok());
  EXPECT_EQ(b.tables_used(), 3u) << "L1, L2 and the window's L3";
  EXPECT_EQ(b.translate(w)->attrs, PageAttrs::data());
  EXPECT_EQ(b.translate(w + 0x8f123)->attrs, PageAttrs::text());
  EXPECT_EQ(b.translate(w + 0x8f123)->pa, w + 0x8f123);
  EXPECT_EQ(b.translate(w + 0x91000)->attrs, PageAttrs::rodata());
  EXPECT_FALSE(b.translate(w + 0x92000).ok()) << "the gap between runs";
  EXPECT_EQ(b.translate(w + 0x1ff008)->pa, w + 0x1ff008);
  EXPECT_EQ(b.translate(w + 0x1ff008)->level, 3);
  EXPECT_NE(b.page_entry(w + 0x94000), nullptr) << "a page entry, for stack guards";
  EXPECT_FALSE(b.translate(w + 0x200000).ok());
  EXPECT_FALSE(b.translate(w - 0x1000).ok());
}

TEST(PageTableBuilder, WindowLeavesItsTailUnmappedAndRefusesBadRuns) {
  std::unique_ptr<PageTable[]> pool(new PageTable[4]());
  PageTableBuilder b(pool.get(), 4);
  const uint64_t w = 0x40200000;
  const PageTableBuilder::WindowRun tail[] = {{w + 0x1000, w + 0x3000, PageAttrs::data()}};
  const PageTableBuilder::WindowRun backwards[] = {{w + 0x3000, w + 0x4000, PageAttrs::data()},
                                                   {w + 0x1000, w + 0x2000, PageAttrs::data()}};
  const PageTableBuilder::WindowRun outside[] = {{w, w + 0x201000, PageAttrs::data()}};
  const PageTableBuilder::WindowRun wx[] = {
      {w, w + 0x1000, PageAttrs{MemType::kNormal, true, true}}};
  EXPECT_EQ(b.map_window(w, backwards, 2).error().code, Errc::kInvalid);
  EXPECT_EQ(b.map_window(w, outside, 1).error().code, Errc::kInvalid);
  EXPECT_EQ(b.map_window(w, wx, 1).error().code, Errc::kInvalid);
  EXPECT_EQ(b.map_window(w + 0x1000, tail, 1).error().code, Errc::kInvalid) << "not 2 MiB aligned";
  ASSERT_TRUE(b.map_window(w, tail, 1).ok());
  EXPECT_FALSE(b.translate(w).ok());
  EXPECT_TRUE(b.translate(w + 0x2fff).ok());
  EXPECT_FALSE(b.translate(w + 0x3000).ok());
  EXPECT_FALSE(b.translate(w + 0x1ff000).ok());
  EXPECT_EQ(b.map_window(w, tail, 1).error().code, Errc::kInvalid) << "the window is taken";
  EXPECT_FALSE(b.map(w + 0x2000, w + 0x2000, 0x1000, PageAttrs::data()).ok())
      << "map() sees the window's pages";
  const size_t used = b.tables_used();
  ASSERT_TRUE(b.map(w + 0x100000, w + 0x100000, 0x1000, PageAttrs::data()).ok());
  EXPECT_EQ(b.tables_used(), used) << "and fills the window's table where it is unmapped";
  EXPECT_TRUE(b.translate(w + 0x2000).ok());
}

TEST(PageTableBuilder, BlocksHaveNoPageEntry) {
  std::unique_ptr<PageTable[]> pool(new PageTable[4]());
  PageTableBuilder b(pool.get(), 4);
  ASSERT_TRUE(b.map(0x40000000, 0x40000000, 0x200000, PageAttrs::data()).ok());
  EXPECT_EQ(b.page_entry(0x40001000), nullptr) << "a 2 MiB block cannot lose one page";
}

TEST(PageTableBuilder, ExtraPoolExhaustion) {
  std::unique_ptr<PageTable[]> pool(new PageTable[2]());
  std::unique_ptr<PageTable[]> extra(new PageTable[1]());
  PageTableBuilder b(pool.get(), 2);
  b.extend(extra.get(), 1);
  ASSERT_TRUE(b.map(0x40000000, 0x40000000, 0x200000, PageAttrs::data(), true).ok());
  auto s = b.map(0x40200000, 0x40200000, 0x1000, PageAttrs::data(), true);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kNoMemory);
}

// Splitting: a block becomes a table of the next level that maps the same
// memory the same way; only then can one page of it be unmapped.
TEST(PageTableBuilder, SplitsAGigabyteThenTwoMegabytesDownToPages) {
  // Tables that are not zeroed: the builder must zero or fill what it takes.
  std::unique_ptr<PageTable[]> pool(new PageTable[4]);
  for (size_t i = 0; i < 4; ++i)
    for (uint64_t& e : pool[i].entry) e = 0xdeadbeefdeadbeefull;
  PageTableBuilder b(pool.get(), 4);
  ASSERT_TRUE(b.map(0x40000000, 0x40000000, 1ull << 30, PageAttrs::data()).ok());
  const uint64_t guard = 0x40a03000;
  EXPECT_EQ(b.page_entry(guard), nullptr);

  auto first = b.prepare_split(guard);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->level, 1);
  EXPECT_EQ(b.translate(guard)->level, 1) << "nothing live changes until the caller swaps";
  *first->entry = first->table_descriptor;
  EXPECT_EQ(b.translate(guard)->level, 2);

  auto second = b.prepare_split(guard);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->level, 2);
  *second->entry = second->table_descriptor;
  EXPECT_EQ(b.tables_used(), 3u);
  // The whole gigabyte still maps 1:1, read-write, never executable.
  for (uint64_t va = 0x40000000; va < 0x80000000; va += 0x1ff000) {
    auto t = b.translate(va + 0x10);
    ASSERT_TRUE(t.ok()) << std::hex << va;
    EXPECT_EQ(t->pa, va + 0x10);
    EXPECT_EQ(t->attrs, PageAttrs::data());
  }
  for (uint64_t va = 0x40a00000; va < 0x40c00000; va += 0x1000)
    ASSERT_EQ(b.translate(va)->pa, va) << std::hex << va;

  uint64_t* e = b.page_entry(guard);
  ASSERT_NE(e, nullptr);
  *e = 0;
  EXPECT_FALSE(b.translate(guard).ok());
  EXPECT_TRUE(b.translate(guard - 1).ok());
  EXPECT_TRUE(b.translate(guard + 0x1000).ok());
}

TEST(PageTableBuilder, SplitRefusesPagesUnmappedAndAnEmptyPool) {
  std::unique_ptr<PageTable[]> pool(new PageTable[4]());
  PageTableBuilder b(pool.get(), 3);
  ASSERT_TRUE(b.map(0x40000000, 0x40000000, 0x400000, PageAttrs::data()).ok());
  ASSERT_TRUE(b.map(0x40400000, 0x40400000, 0x1000, PageAttrs::data()).ok());
  EXPECT_EQ(b.prepare_split(0x40400000).error().code, Errc::kInvalid) << "already a page";
  EXPECT_EQ(b.prepare_split(0x50000000).error().code, Errc::kNotFound);
  EXPECT_EQ(b.prepare_split(1ull << 40).error().code, Errc::kOutOfRange);
  // L1, L2 and the L3 of the page: the pool (3) is used up.
  EXPECT_EQ(b.prepare_split(0x40000000).error().code, Errc::kNoMemory);
}

}  // namespace
}  // namespace petrel::arch
