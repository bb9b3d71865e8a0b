// Static channels' discovery and layout (xen/src/static_layout.cc): the
// region found in /reserved-memory as Xen 4.17 writes it, every malformed or
// hostile variant refused, and the ring geometry an owner picks and a
// borrower checks.
#include "petrel/xen/static_layout.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "fdt_writer.h"

namespace petrel::xen {
namespace {

struct Shm {
  const char* id = "ping";
  Cells reg = {0, 0x70000000, 0, 0x10000};
  const char* compatible = "xen,shared-memory-v1";
};

// A guest tree with 64 MiB of RAM at 0x40000000 and the regions `shms`.
Blob Tree(std::initializer_list<Shm> shms, bool reserved_memory = true, uint32_t size_cells = 2) {
  Writer w;
  w.begin("").u32("#address-cells", 2).u32("#size-cells", 2);
  w.begin("memory@40000000")
      .str("device_type", "memory")
      .cells("reg", {0, 0x40000000, 0, 0x4000000})
      .end();
  if (reserved_memory) {
    w.begin("reserved-memory").u32("#address-cells", 2).u32("#size-cells", size_cells);
    for (const Shm& s : shms) {
      std::string name = "xen-shmem@" + std::to_string(s.reg.size() > 1 ? s.reg[1] : 0);
      w.begin(name.c_str()).str("compatible", s.compatible).cells("reg", s.reg);
      if (s.id != nullptr) w.str("xen,id", s.id);
      w.end();
    }
    w.end();
  }
  return w.end().finish();
}

BoardInfo Board() {
  BoardInfo b{};
  b.memory[0] = MemRange{0x40000000, 0x4000000};
  b.memory_count = 1;
  return b;
}

Result<StaticRegion> Find(const Blob& blob, const char* id) {
  auto fdt = Fdt::open(blob.data(), blob.size());
  EXPECT_TRUE(fdt.ok());
  return find_static_region(*fdt, id, Board());
}

void ExpectError(const Result<StaticRegion>& r, Errc code, const char* part) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code);
  EXPECT_NE(std::strstr(r.error().message, part), nullptr) << r.error().message;
}

TEST(StaticRegion, FoundByItsId) {
  Blob b = Tree({{"pong", {0, 0x70200000, 0, 0x2000}}, {"ping", {0, 0x70000000, 0, 0x10000}}});
  auto r = Find(b, "ping");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->base, 0x70000000u);
  EXPECT_EQ(r->size, 0x10000u);
  r = Find(b, "pong");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->base, 0x70200000u);
}

TEST(StaticRegion, OneCellSizes) {
  auto r = Find(Tree({{"ping", {0, 0x70000000, 0x4000}}}, true, 1), "ping");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->size, 0x4000u);
}

TEST(StaticRegion, MissingIsNamedWithTheFix) {
  ExpectError(Find(Tree({}, false), "ping"), Errc::kNotFound, "/reserved-memory");
  ExpectError(Find(Tree({{"other"}}), "ping"), Errc::kNotFound, "--xen rt");
  // Another compatible, or no xen,id, is not a static shared region.
  ExpectError(Find(Tree({{"ping", {0, 0x70000000, 0, 0x1000}, "shared-dma-pool"}}), "ping"),
              Errc::kNotFound, "xen,id");
  ExpectError(Find(Tree({{nullptr}}), "ping"), Errc::kNotFound, "xen,id");
}

TEST(StaticRegion, BadRegionsAreRefused) {
  ExpectError(Find(Tree({{"ping", {0, 0x70000000, 0, 0}}}), "ping"), Errc::kInvalid, "empty");
  ExpectError(Find(Tree({{"ping", {0, 0x70000800, 0, 0x1000}}}), "ping"), Errc::kInvalid,
              "aligned");
  ExpectError(Find(Tree({{"ping", {0, 0x70000000, 0, 0x1800}}}), "ping"), Errc::kInvalid,
              "aligned");
  ExpectError(Find(Tree({{"ping", {0xffffffff, 0xfffff000, 0, 0x2000}}}), "ping"),
              Errc::kOutOfRange, "wraps");
  ExpectError(Find(Tree({{"ping", {0, 0x43fff000, 0, 0x2000}}}), "ping"), Errc::kInvalid, "RAM");
  ExpectError(Find(Tree({{"ping", {0, 0x3ffff000, 0, 0x4002000}}}), "ping"), Errc::kInvalid, "RAM");
  ExpectError(Find(Tree({{"ping", {0, 0x70000000}}}), "ping"), Errc::kInvalid, "reg");
}

TEST(StaticGeometry, TheOwnersChoice) {
  // Small regions keep both rings inside page 0.
  for (uint64_t size : {0x1000u, 0x2000u}) {
    auto g = static_geometry_for(size);
    ASSERT_TRUE(g.ok());
    EXPECT_EQ(g->left_order, 10u);
    EXPECT_EQ(g->right_order, 11u);
  }
  // 3 pages: one page each way; 64 KiB (16 pages): 4 each; 16 MiB: the
  // largest order vchan allows.
  auto g = static_geometry_for(0x3000);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->left_pages, 1u);
  g = static_geometry_for(0x10000);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->left_order, 14u);
  EXPECT_EQ(g->right_pages, 4u);
  g = static_geometry_for(16u << 20);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->left_order, kVchanMaxOrder);
  EXPECT_FALSE(static_geometry_for(0).ok());
  EXPECT_FALSE(static_geometry_for(0x1800).ok());
}

TEST(StaticGeometry, EveryChoiceFitsAndPassesTheBorrowersCheck) {
  for (uint64_t pages = 1; pages <= 600; ++pages) {
    auto g = static_geometry_for(pages * 4096);
    ASSERT_TRUE(g.ok()) << pages;
    auto c = check_static_geometry(static_cast<uint16_t>(g->left_order),
                                   static_cast<uint16_t>(g->right_order),
                                   static_cast<uint32_t>(pages), pages * 4096);
    ASSERT_TRUE(c.ok()) << pages << ": " << c.error().message;
    // Every ring byte is inside the region, and the rings do not overlap
    // each other or the headers.
    alignas(4096) static char region[600 * 4096];
    RingPlacement p = static_rings(region, *g);
    const size_t left = size_t{1} << g->left_order, right = size_t{1} << g->right_order;
    EXPECT_GE(p.left, region + kStaticHeaderOffset + sizeof(StaticHeader));
    EXPECT_LE(p.left + left, region + pages * 4096);
    EXPECT_LE(p.right + right, region + pages * 4096);
    EXPECT_TRUE(p.left + left <= p.right || p.right + right <= p.left) << pages;
  }
}

TEST(StaticGeometry, HostileOrdersAreRefused) {
  // Rings larger than the region, orders out of vchan's range, two in-page
  // rings at one offset, and a header that claims another region size.
  EXPECT_EQ(check_static_geometry(14, 14, 8, 8 * 4096).error().code, Errc::kOutOfRange);
  EXPECT_EQ(check_static_geometry(20, 20, 16, 16 * 4096).error().code, Errc::kOutOfRange);
  EXPECT_EQ(check_static_geometry(9, 11, 1, 4096).error().code, Errc::kOutOfRange);
  EXPECT_EQ(check_static_geometry(21, 12, 4096, 4096 * 4096).error().code, Errc::kOutOfRange);
  EXPECT_EQ(check_static_geometry(10, 10, 1, 4096).error().code, Errc::kInvalid);
  EXPECT_EQ(check_static_geometry(10, 11, 2, 4096).error().code, Errc::kInvalid);
  EXPECT_EQ(check_static_geometry(10, 11, 0xffffffff, 4096).error().code, Errc::kInvalid);
  EXPECT_TRUE(check_static_geometry(12, 13, 4, 4 * 4096).ok());
  EXPECT_FALSE(check_static_geometry(12, 13, 3, 3 * 4096).ok());
}

}  // namespace
}  // namespace petrel::xen
