// Unit tests for petrel::Fdt. Valid trees are built with the host's libfdt;
// malformed ones by patching those or by assembling blocks by hand (RawTree).
// Every blob handed to Fdt::open() is first copied into a heap buffer of
// exactly max_size bytes, so AddressSanitizer reports any read past its end.
// The truncation, mutation and forged-offset tests (FdtRobust) are in
// board_test.cc, where they drive parse_board() too.
#include "petrel/fdt.h"

#include <gtest/gtest.h>
#include <libfdt.h>
#include <stdint.h>
#include <string.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "fdt_writer.h"
#include "petrel/board.h"

namespace petrel {
namespace {

using Node = Fdt::Node;

// A guest tree shaped like the ones Xen's toolstack (libxl) writes.
Blob XenTree() {
  Writer w({{0x48000000, 0x100000}});
  w.begin("").strs("compatible", {"xen,xenvm-4.19", "xen,xenvm"});
  w.u32("interrupt-parent", 0xfde8).u32("#address-cells", 2).u32("#size-cells", 2);
  w.begin("chosen").str("bootargs", "console=hvc0 root=/dev/xvda").end();
  w.begin("cpus").u32("#address-cells", 1).u32("#size-cells", 0);
  for (uint32_t i = 0; i < 2; ++i) {
    const char* name = i == 0 ? "cpu@0" : "cpu@1";
    w.begin(name).str("device_type", "cpu").str("compatible", "arm,armv8");
    w.str("enable-method", "psci").u32("reg", i).end();
  }
  w.end();
  w.begin("psci").strs("compatible", {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"});
  w.str("method", "hvc").end();
  w.begin("memory@40000000").str("device_type", "memory");
  w.cells("reg", {0, 0x40000000, 0, 0x4000000}).end();
  w.begin("interrupt-controller@3001000").str("compatible", "arm,gic-v3");
  w.u32("#interrupt-cells", 3).u32("#address-cells", 0).raw("interrupt-controller", "", 0);
  w.cells("reg", {0, 0x3001000, 0, 0x10000, 0, 0x3020000, 0, 0x1000000});
  w.u32("linux,phandle", 0xfde8).u32("phandle", 0xfde8).end();
  w.begin("timer").str("compatible", "arm,armv8-timer");
  w.cells("interrupts", {1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08, 1, 10, 0xf08});
  w.u32("interrupt-parent", 0xfde8).end();
  w.begin("sbsa-uart@22000000").str("compatible", "arm,sbsa-uart");
  w.cells("reg", {0, 0x22000000, 0, 0x1000}).cells("interrupts", {0, 0, 4}).end();
  w.begin("hypervisor").strs("compatible", {"xen,xen-4.19", "xen,xen"});
  w.cells("reg", {0, 0x38000000, 0, 0x1000000}).cells("interrupts", {1, 15, 0xf08}).end();
  w.end();
  return w.finish();
}

// A copy of (a prefix of) a blob in a heap buffer of exactly `len` bytes.
struct Exact {
  Exact(const Blob& b, size_t len) : size(len), bytes(new uint8_t[len == 0 ? 1 : len]) {
    memcpy(bytes.get(), b.data(), len < b.size() ? len : b.size());
    if (len > b.size()) memset(bytes.get() + b.size(), 0, len - b.size());
  }
  explicit Exact(const Blob& b) : Exact(b, b.size()) {}
  Result<Fdt> open() const { return Fdt::open(bytes.get(), size); }
  size_t size;
  std::unique_ptr<uint8_t[]> bytes;
};

uint32_t Get32(const Blob& b, size_t off) {
  return uint32_t{b[off]} << 24 | uint32_t{b[off + 1]} << 16 | uint32_t{b[off + 2]} << 8 |
         b[off + 3];
}
void Set32(Blob& b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

enum : size_t {
  kTotalSize = 4,
  kOffStruct = 8,
  kOffStrings = 12,
  kOffRsvmap = 16,
  kVersion = 20,
  kLastComp = 24,
  kSizeStrings = 32,
  kSizeStruct = 36,
};

// Hand-assembled blob: header, empty reservation map, structure, strings.
class RawTree {
 public:
  RawTree& begin(const char* name) {
    Word(1);
    st_.insert(st_.end(), name, name + strlen(name) + 1);
    return Pad();
  }
  RawTree& end() { return Word(2); }
  RawTree& nop() { return Word(4); }
  RawTree& fin() { return Word(9); }
  RawTree& word(uint32_t v) { return Word(v); }
  RawTree& bytes(const char* s, size_t n) {
    st_.insert(st_.end(), s, s + n);
    return *this;
  }
  RawTree& prop(const char* name, const char* value) {
    return prop_at(Name(name), value, static_cast<uint32_t>(strlen(value) + 1));
  }
  RawTree& prop_at(uint32_t name_off, const char* value, uint32_t len) {
    Word(3).Word(len).Word(name_off);
    st_.insert(st_.end(), value, value + len);
    return Pad();
  }
  size_t here() const { return st_.size(); }  // offset of the next token
  RawTree& strings(const std::string& s) {
    strings_ = s;
    return *this;
  }
  uint32_t Name(const char* name) {
    size_t at = strings_.find(std::string(name) + '\0');
    if (at != std::string::npos) return static_cast<uint32_t>(at);
    strings_.append(name, strlen(name) + 1);
    return static_cast<uint32_t>(strings_.size() - strlen(name) - 1);
  }
  Blob build() const {
    const uint32_t off_struct = 40 + 16;
    const uint32_t off_strings = off_struct + static_cast<uint32_t>(st_.size());
    Blob b(off_strings + strings_.size(), 0);
    Set32(b, 0, Fdt::kMagic);
    Set32(b, kTotalSize, static_cast<uint32_t>(b.size()));
    Set32(b, kOffStruct, off_struct);
    Set32(b, kOffStrings, off_strings);
    Set32(b, kOffRsvmap, 40);
    Set32(b, kVersion, 17);
    Set32(b, kLastComp, 16);
    Set32(b, kSizeStrings, static_cast<uint32_t>(strings_.size()));
    Set32(b, kSizeStruct, static_cast<uint32_t>(st_.size()));
    memcpy(b.data() + off_struct, st_.data(), st_.size());
    memcpy(b.data() + off_strings, strings_.data(), strings_.size());
    return b;
  }

 private:
  RawTree& Word(uint32_t v) {
    for (int i = 0; i < 4; ++i) st_.push_back(static_cast<uint8_t>(v >> (24 - 8 * i)));
    return *this;
  }
  RawTree& Pad() {
    while (st_.size() % 4 != 0) st_.push_back(0);
    return *this;
  }
  Blob st_;
  std::string strings_;
};

void ExpectRejected(const Blob& b, const char* message_part, size_t max_size = SIZE_MAX) {
  Exact e(b, max_size == SIZE_MAX ? b.size() : max_size);
  auto r = e.open();
  ASSERT_FALSE(r.ok()) << "expected rejection: " << message_part;
  EXPECT_NE(strstr(r.error().message, message_part), nullptr)
      << "message: " << r.error().message << "\nexpected to contain: " << message_part;
}

size_t CountNodes(const Fdt& fdt) {
  size_t n = 0;
  fdt.for_each_node([&](Node) { ++n; });
  return n;
}

// ---------------------------------------------------------------------------
// Well-formed trees.

TEST(Fdt, OpensLibfdtTree) {
  Blob b = XenTree();
  Exact e(b);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok()) << fdt.error().message;
  EXPECT_EQ(fdt->total_size(), b.size());
  EXPECT_EQ(CountNodes(*fdt), 11u);
}

TEST(Fdt, BufferMayBeLargerThanTotalSize) {
  Blob b = XenTree();
  Exact e(b, b.size() + 100);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok()) << fdt.error().message;
  EXPECT_EQ(fdt->total_size(), b.size());
}

TEST(Fdt, ReadsFromAnOddAddress) {
  Blob b = XenTree();
  std::unique_ptr<uint8_t[]> buf(new uint8_t[b.size() + 1]);
  memcpy(buf.get() + 1, b.data(), b.size());
  auto fdt = Fdt::open(buf.get() + 1, b.size());
  ASSERT_TRUE(fdt.ok()) << fdt.error().message;
  auto mem = fdt->find("/memory");
  ASSERT_TRUE(mem.ok());
  auto reg = fdt->read_reg(*mem, 0);
  ASSERT_TRUE(reg.ok());
  EXPECT_EQ(reg->base, 0x40000000u);
  EXPECT_EQ(reg->size, 0x4000000u);
}

TEST(Fdt, ForEachNodeVisitsDocumentOrder) {
  Blob b = XenTree();
  Exact e(b);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok());
  std::string names;
  fdt->for_each_node([&](Node n) { names = names + "/" + fdt->name(n); });
  EXPECT_EQ(names,
            "//chosen/cpus/cpu@0/cpu@1/psci/memory@40000000/interrupt-controller@3001000/timer/"
            "sbsa-uart@22000000/hypervisor");
}

TEST(Fdt, FindAndNavigate) {
  Blob b = XenTree();
  Exact e(b);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok());
  auto root = fdt->find("/");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->offset, fdt->root().offset);
  EXPECT_STREQ(fdt->name(*root), "");
  EXPECT_EQ(fdt->parent(*root).error().code, Errc::kNotFound);
  EXPECT_EQ(fdt->next_sibling(*root).error().code, Errc::kNotFound);

  auto chosen = fdt->first_child(*root);
  ASSERT_TRUE(chosen.ok());
  EXPECT_STREQ(fdt->name(*chosen), "chosen");
  EXPECT_EQ(fdt->first_child(*chosen).error().code, Errc::kNotFound);
  auto cpus = fdt->next_sibling(*chosen);
  ASSERT_TRUE(cpus.ok());
  EXPECT_STREQ(fdt->name(*cpus), "cpus");
  auto cpu0 = fdt->first_child(*cpus);
  ASSERT_TRUE(cpu0.ok());
  EXPECT_STREQ(fdt->name(*cpu0), "cpu@0");
  auto cpu1 = fdt->next_sibling(*cpu0);
  ASSERT_TRUE(cpu1.ok());
  EXPECT_STREQ(fdt->name(*cpu1), "cpu@1");
  EXPECT_FALSE(fdt->next_sibling(*cpu1).ok());
  EXPECT_EQ(fdt->parent(*cpu1)->offset, cpus->offset);
  EXPECT_EQ(fdt->parent(*cpus)->offset, root->offset);

  EXPECT_EQ(fdt->find("/cpus/cpu@1")->offset, cpu1->offset);
  EXPECT_EQ(fdt->find("/cpus/cpu")->offset, cpu0->offset);  // first match by base name
  EXPECT_EQ(fdt->find("//cpus//cpu@1/")->offset, cpu1->offset);
  EXPECT_STREQ(fdt->name(*fdt->find("/memory")), "memory@40000000");
  EXPECT_STREQ(fdt->name(*fdt->find("/interrupt-controller")), "interrupt-controller@3001000");
  EXPECT_EQ(fdt->find("/cpus/cpu@2").error().code, Errc::kNotFound);
  EXPECT_EQ(fdt->find("/cpu").error().code, Errc::kNotFound);       // not a prefix match
  EXPECT_EQ(fdt->find("/memory@4").error().code, Errc::kNotFound);  // unit must match fully
  EXPECT_EQ(fdt->find("/chosen/x").error().code, Errc::kNotFound);
  EXPECT_EQ(fdt->find("chosen").error().code, Errc::kInvalid);
  EXPECT_EQ(fdt->find("").error().code, Errc::kInvalid);
  EXPECT_EQ(fdt->find(nullptr).error().code, Errc::kInvalid);
}

TEST(Fdt, Properties) {
  Writer w;
  w.begin("").u32("one", 0x12345678).str("text", "hello").raw("empty", "", 0);
  w.raw("unterminated", "abc", 3).cells("two", {1, 2}).end();
  Blob b = w.finish();
  Exact e(b);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok());
  Node root = fdt->root();
  EXPECT_EQ(*fdt->read_u32(root, "one"), 0x12345678u);
  EXPECT_EQ(fdt->read_u32(root, "two").error().code, Errc::kInvalid);
  EXPECT_EQ(fdt->read_u32(root, "empty").error().code, Errc::kInvalid);
  EXPECT_EQ(fdt->read_u32(root, "missing").error().code, Errc::kNotFound);
  EXPECT_STREQ(*fdt->read_string(root, "text"), "hello");
  EXPECT_EQ(fdt->read_string(root, "unterminated").error().code, Errc::kInvalid);
  EXPECT_EQ(fdt->read_string(root, "empty").error().code, Errc::kInvalid);
  auto empty = fdt->property(root, "empty");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size, 0u);
  auto two = fdt->property(root, "two");
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size, 8u);
  EXPECT_EQ(two->data[7], 2);
  EXPECT_EQ(fdt->property(root, "tw").error().code, Errc::kNotFound);
  EXPECT_EQ(fdt->property(root, "twoo").error().code, Errc::kNotFound);
}

TEST(Fdt, Compatible) {
  Writer w;
  w.begin("").begin("a").strs("compatible", {"vendor,x-2", "vendor,x"}).end();
  w.begin("b").str("compatible", "vendor,x").end();
  w.begin("c").raw("compatible", "vendor,y\0vendor,z", 17).end();  // unterminated tail
  w.begin("d").end().end();
  Blob b = w.finish();
  Exact e(b);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok());
  Node a = *fdt->find("/a"), bn = *fdt->find("/b"), c = *fdt->find("/c"), d = *fdt->find("/d");
  EXPECT_TRUE(fdt->is_compatible(a, "vendor,x"));
  EXPECT_TRUE(fdt->is_compatible(a, "vendor,x-2"));
  EXPECT_FALSE(fdt->is_compatible(a, "vendor,x-"));
  EXPECT_FALSE(fdt->is_compatible(a, "vendor"));
  EXPECT_FALSE(fdt->is_compatible(a, ""));
  EXPECT_TRUE(fdt->is_compatible(bn, "vendor,x"));
  EXPECT_TRUE(fdt->is_compatible(c, "vendor,y"));
  EXPECT_FALSE(fdt->is_compatible(c, "vendor,z"));
  EXPECT_FALSE(fdt->is_compatible(d, "vendor,x"));
  EXPECT_EQ(fdt->find_compatible("vendor,x")->offset, a.offset);
  EXPECT_EQ(fdt->find_compatible("vendor,y")->offset, c.offset);
  EXPECT_EQ(fdt->find_compatible("vendor,q").error().code, Errc::kNotFound);
}

TEST(Fdt, ReadRegWithDifferentCellSizes) {
  Writer w;
  w.begin("");  // no #address-cells/#size-cells: defaults 2 and 1
  w.begin("dflt").cells("reg", {0x1, 0x2, 0x3}).end();
  w.begin("bus11").u32("#address-cells", 1).u32("#size-cells", 1);
  w.begin("dev").cells("reg", {0x1000, 0x100, 0x2000, 0x200}).end().end();
  w.begin("bus22").u32("#address-cells", 2).u32("#size-cells", 2);
  w.begin("dev").cells("reg", {0x1, 0x80000000, 0x2, 0x00000010}).end().end();
  w.begin("bus10").u32("#address-cells", 1).u32("#size-cells", 0);
  w.begin("cpu@3").cells("reg", {3}).end().end();
  w.begin("bus3").u32("#address-cells", 3).begin("dev").cells("reg", {1, 2, 3, 4}).end().end();
  w.begin("bad").u32("#address-cells", 1).u32("#size-cells", 1);
  w.begin("dev").cells("reg", {1, 2, 3}).end().begin("noreg").end().end();
  w.begin("zero").u32("#address-cells", 0).u32("#size-cells", 0);
  w.begin("dev").raw("reg", "", 0).end().end();
  w.begin("wide").raw("#address-cells", "\0\0", 2).begin("dev").cells("reg", {1, 2, 3}).end();
  w.end().end();
  Blob b = w.finish();
  Exact e(b);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok());
  auto reg = [&](const char* path, size_t i) { return fdt->read_reg(*fdt->find(path), i); };

  EXPECT_EQ(reg("/dflt", 0)->base, 0x100000002u);
  EXPECT_EQ(reg("/dflt", 0)->size, 0x3u);
  EXPECT_EQ(reg("/bus11/dev", 1)->base, 0x2000u);
  EXPECT_EQ(reg("/bus11/dev", 1)->size, 0x200u);
  EXPECT_EQ(reg("/bus11/dev", 2).error().code, Errc::kOutOfRange);
  EXPECT_EQ(reg("/bus22/dev", 0)->base, 0x180000000u);
  EXPECT_EQ(reg("/bus22/dev", 0)->size, 0x200000010u);
  EXPECT_EQ(reg("/bus10/cpu@3", 0)->base, 3u);
  EXPECT_EQ(reg("/bus10/cpu@3", 0)->size, 0u);
  EXPECT_EQ(reg("/bus3/dev", 0).error().code, Errc::kUnsupported);
  EXPECT_EQ(reg("/bad/dev", 0).error().code, Errc::kInvalid);  // 3 cells, entries of 2
  EXPECT_EQ(reg("/bad/noreg", 0).error().code, Errc::kNotFound);
  EXPECT_EQ(reg("/zero/dev", 0).error().code, Errc::kInvalid);
  EXPECT_EQ(reg("/wide/dev", 0).error().code, Errc::kInvalid);
  EXPECT_FALSE(fdt->read_reg(fdt->root(), 0).ok());
}

TEST(Fdt, NopTokensAreSkipped) {
  RawTree t;
  t.nop().begin("").nop().prop("compatible", "r").nop().prop("x", "1").nop();
  t.begin("a").nop().end().nop().begin("b").prop("y", "2").end().nop().end().nop().fin();
  Blob b = t.build();
  Exact e(b);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok()) << fdt.error().message;
  EXPECT_EQ(fdt->root().offset, 4u);
  EXPECT_STREQ(*fdt->read_string(fdt->root(), "x"), "1");
  auto a = fdt->first_child(fdt->root());
  ASSERT_TRUE(a.ok());
  EXPECT_STREQ(fdt->name(*a), "a");
  auto bn = fdt->next_sibling(*a);
  ASSERT_TRUE(bn.ok());
  EXPECT_STREQ(*fdt->read_string(*bn, "y"), "2");
  EXPECT_FALSE(fdt->next_sibling(*bn).ok());
  EXPECT_EQ(fdt->parent(*bn)->offset, 4u);
  EXPECT_EQ(CountNodes(*fdt), 3u);
}

TEST(Fdt, DepthLimit) {
  for (uint32_t depth : {Fdt::kMaxDepth, Fdt::kMaxDepth + 1}) {
    RawTree t;
    t.begin("");
    for (uint32_t i = 1; i < depth; ++i) t.begin("n");
    for (uint32_t i = 0; i < depth; ++i) t.end();
    Blob b = t.fin().build();
    if (depth <= Fdt::kMaxDepth) {
      Exact e(b);
      auto fdt = e.open();
      ASSERT_TRUE(fdt.ok()) << fdt.error().message;
      std::string path;
      for (uint32_t i = 1; i < depth; ++i) path += "/n";
      auto deepest = fdt->find(path.c_str());
      ASSERT_TRUE(deepest.ok());
      EXPECT_TRUE(fdt->parent(*deepest).ok());
      EXPECT_EQ(CountNodes(*fdt), depth);
    } else {
      ExpectRejected(b, "nested too deeply");
    }
  }
}

TEST(Fdt, Version16IgnoresSizeDtStruct) {
  Blob b = XenTree();
  Set32(b, kVersion, 16);
  Set32(b, kSizeStruct, 0xffffffff);  // not a v16 field
  Exact e(b);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok()) << fdt.error().message;
  EXPECT_EQ(CountNodes(*fdt), 11u);
}

TEST(Fdt, NewerVersionWithCompatibleLastCompIsRead) {
  Blob b = XenTree();
  Set32(b, kVersion, 18);
  Exact e(b);
  EXPECT_TRUE(e.open().ok());
}

TEST(Fdt, DefaultConstructedIsEmpty) {
  Fdt fdt;
  EXPECT_EQ(fdt.total_size(), 0u);
  EXPECT_FALSE(fdt.find("/").ok());
  EXPECT_FALSE(fdt.first_child(fdt.root()).ok());
  EXPECT_FALSE(fdt.next_sibling(fdt.root()).ok());
  EXPECT_FALSE(fdt.parent(fdt.root()).ok());
  EXPECT_FALSE(fdt.property(fdt.root(), "x").ok());
  EXPECT_FALSE(fdt.find_compatible("x").ok());
  EXPECT_STREQ(fdt.name(Node{8}), "");
  int visited = 0;
  fdt.for_each_node([&](Node) { ++visited; });
  EXPECT_EQ(visited, 0);
  EXPECT_FALSE(parse_board(fdt).ok());
}

// ---------------------------------------------------------------------------
// Header and block-layout errors.

TEST(FdtReject, NullAndTinyBuffers) {
  EXPECT_FALSE(Fdt::open(nullptr, 100).ok());
  Blob b = XenTree();
  for (size_t n : {0, 3, 27, 39}) ExpectRejected(b, "buffer smaller than the header", n);
}

TEST(FdtReject, BadMagic) {
  Blob b = XenTree();
  b[3] ^= 1;
  ExpectRejected(b, "bad magic");
}

TEST(FdtReject, BadVersions) {
  Blob b = XenTree();
  Set32(b, kVersion, 15);
  ExpectRejected(b, "version older than 16");
  b = XenTree();
  Set32(b, kVersion, 18);
  Set32(b, kLastComp, 18);
  ExpectRejected(b, "last_comp_version newer than 17");
  b = XenTree();
  Set32(b, kVersion, 16);
  Set32(b, kLastComp, 17);
  ExpectRejected(b, "last_comp_version above version");
}

TEST(FdtReject, TotalSize) {
  Blob b = XenTree();
  Set32(b, kTotalSize, static_cast<uint32_t>(b.size() + 1));
  ExpectRejected(b, "totalsize larger than the buffer");
  Set32(b, kTotalSize, 0xffffffff);
  ExpectRejected(b, "totalsize larger than the buffer");
  Set32(b, kTotalSize, 39);
  ExpectRejected(b, "totalsize smaller than the header");
  b = XenTree();
  Set32(b, kTotalSize, static_cast<uint32_t>(b.size() - 1));  // cuts into the strings block
  ExpectRejected(b, "strings block runs past totalsize");
}

TEST(FdtReject, StructBlockLayout) {
  const Blob good = XenTree();
  const uint32_t off = Get32(good, kOffStruct), size = Get32(good, kSizeStruct);
  Blob b = good;
  Set32(b, kOffStruct, off + 2);
  ExpectRejected(b, "structure block not 4-byte aligned");
  Set32(b, kOffStruct, 8);
  ExpectRejected(b, "structure block overlaps the header");
  Set32(b, kOffStruct, static_cast<uint32_t>((good.size() + 7) & ~size_t{3}));
  ExpectRejected(b, "structure block offset past totalsize");
  Set32(b, kOffStruct, 0xfffffffc);
  ExpectRejected(b, "structure block offset past totalsize");
  b = good;
  Set32(b, kSizeStruct, 0xffffffff);
  ExpectRejected(b, "structure block runs past totalsize");
  Set32(b, kSizeStruct, 0xfffffffc);
  ExpectRejected(b, "structure block runs past totalsize");
  Set32(b, kSizeStruct, size + 4);  // into the strings block: no FDT_END at the end
  ExpectRejected(b, "data after FDT_END");
  Set32(b, kSizeStruct, size - 4);  // FDT_END cut off
  ExpectRejected(b, "without FDT_END");
  Set32(b, kSizeStruct, size - 2);
  ExpectRejected(b, "token outside the structure block");
  Set32(b, kSizeStruct, 0);
  ExpectRejected(b, "without FDT_END");
}

TEST(FdtReject, StringsBlockLayout) {
  const Blob good = XenTree();
  const uint32_t off = Get32(good, kOffStrings), size = Get32(good, kSizeStrings);
  Blob b = good;
  Set32(b, kOffStrings, static_cast<uint32_t>(good.size() + 1));
  ExpectRejected(b, "strings block offset past totalsize");
  Set32(b, kOffStrings, 0xffffffff);
  ExpectRejected(b, "strings block offset past totalsize");
  Set32(b, kOffStrings, 4);
  ExpectRejected(b, "strings block overlaps the header");
  Set32(b, kOffStrings, Get32(good, kOffStruct));
  Set32(b, kSizeStrings, 0);  // empty strings block: every property name is out of range
  ExpectRejected(b, "property name offset past the strings block");
  b = good;
  Set32(b, kSizeStrings, 0xffffffff);
  ExpectRejected(b, "strings block runs past totalsize");
  Set32(b, kSizeStrings, size - 1);  // last name loses its NUL
  ExpectRejected(b, "property name not terminated in the strings block");
  b = good;
  Set32(b, kOffStrings, off - 8);  // slides into the structure block
  Set32(b, kSizeStrings, size + 8);
  ExpectRejected(b, "structure and strings blocks overlap");
}

TEST(FdtReject, MemoryReservationBlock) {
  const Blob good = XenTree();
  Blob b = good;
  Set32(b, kOffRsvmap, 44);
  ExpectRejected(b, "memory reservation block not 8-aligned");
  Set32(b, kOffRsvmap, 32);
  ExpectRejected(b, "memory reservation block overlaps the header");
  Set32(b, kOffRsvmap, static_cast<uint32_t>((good.size() + 15) & ~size_t{7}));
  ExpectRejected(b, "memory reservation block runs past totalsize");
  Set32(b, kOffRsvmap, 0xfffffff8);
  ExpectRejected(b, "memory reservation block runs past totalsize");
  b = good;
  Set32(b, kOffRsvmap, Get32(good, kOffStruct) & ~7u);  // entries read from the structure
  ExpectRejected(b, "memory reservation block");
  b = good;
  // The table has one entry then the terminator; without the terminator the
  // walk runs on through the structure block, which holds no zero pair.
  b[40 + 16 + 15] = 1;
  ExpectRejected(b, "memory reservation block runs past totalsize");
  // A table whose (zero) terminator is the strings block.
  b = RawTree().strings(std::string(16, '\0')).begin("").end().fin().build();
  ASSERT_EQ(Get32(b, kOffStrings), 72u);
  EXPECT_TRUE(Exact(b).open().ok());
  Set32(b, kOffRsvmap, 72);
  ExpectRejected(b, "memory reservation block overlaps another block");
}

TEST(FdtReject, ReservationMapWithoutTerminator) {
  Blob b = RawTree().begin("").end().fin().build();
  for (size_t i = 40; i < 56; ++i) b[i] = 0x11;  // the only entry is not the zero pair
  // The walk then reads the structure block as entries and finds no zero pair.
  ExpectRejected(b, "memory reservation block runs past totalsize");
}

// ---------------------------------------------------------------------------
// Structure-block errors, from hand-assembled blocks.

TEST(FdtReject, StructureTokens) {
  struct Case {
    const char* what;
    RawTree tree;
  };
  std::vector<Case> cases;
  auto add = [&](const char* what) -> RawTree& {
    cases.push_back({what, RawTree()});
    return cases.back().tree;
  };
  add("property runs past the structure block").begin("").word(3).word(100).word(0).end().fin();
  add("property runs past the structure block").begin("").word(3).word(0xffffffff).word(0);
  add("property runs past the structure block").begin("").word(3).word(0);
  add("property name offset past the strings block").begin("").prop_at(1000, "x", 2).end().fin();
  add("property name offset past the strings block").begin("").prop_at(0xffffffff, "", 0).end();
  add("property name not terminated").strings("abc").begin("").prop_at(0, "", 0).end().fin();
  add("node name runs past the structure block").begin("").word(1).bytes("abcd", 4);
  add("node name runs past the structure block").begin("").word(1).bytes("abcdef", 6);
  add("node name runs past the structure block").word(1);
  add("without FDT_END").begin("").end();
  add("without FDT_END").begin("").end().nop();
  add("FDT_END inside an unclosed node").begin("").begin("a").end().fin();
  add("FDT_END_NODE without FDT_BEGIN_NODE").begin("").end().end().fin();
  add("FDT_END_NODE without FDT_BEGIN_NODE").end().fin();
  add("more than one root node").begin("").end().begin("").end().fin();
  add("no root node").fin();
  add("no root node").nop().nop().fin();
  add("property outside any node").prop("x", "").begin("").end().fin();
  add("property outside any node").begin("").end().prop("x", "").fin();
  add("property after a child node").begin("").begin("a").end().prop("x", "").end().fin();
  add("unknown token").begin("").word(5).end().fin();
  add("unknown token").begin("").word(0).end().fin();
  add("empty node name").begin("").begin("").end().end().fin();
  add("data after FDT_END").begin("").end().fin().nop();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ExpectRejected(c.tree.build(), c.what);
  }
}

// ---------------------------------------------------------------------------
// Fdt::Cursor: one pass over the structure block.

// What a cursor yields, as text: "B name depth", "P name size", "E depth", "END".
std::vector<std::string> Items(const Fdt& fdt) {
  std::vector<std::string> out;
  Fdt::Cursor c(fdt);
  for (;;) {
    auto item = c.next();
    if (!item.ok()) {
      out.push_back(std::string("error: ") + item.error().message);
      return out;
    }
    switch (item->kind) {
      case Fdt::Item::Kind::kBeginNode:
        out.push_back("B " + std::string(item->name) + " " + std::to_string(item->depth));
        break;
      case Fdt::Item::Kind::kProperty:
        out.push_back(
            "P " + std::string(item->name) + " " +
            std::string(reinterpret_cast<const char*>(item->value.data), item->value.size));
        break;
      case Fdt::Item::Kind::kEndNode:
        out.push_back("E " + std::to_string(item->depth));
        break;
      case Fdt::Item::Kind::kEnd:
        out.push_back("END");
        return out;
    }
  }
}

TEST(FdtCursor, ReadsTheTreeInDocumentOrder) {
  RawTree t;
  t.nop().begin("").prop("model", "m").nop().begin("a").prop("x", "1").prop("y", "22");
  t.begin("b@1").end().nop().end().begin("c").end().end().nop().fin();
  Blob b = t.build();
  Exact e(b);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok()) << fdt.error().message;
  const std::vector<std::string> want = {"B  1",
                                         std::string("P model m\0", 10),
                                         "B a 2",
                                         std::string("P x 1\0", 6),
                                         std::string("P y 22\0", 7),
                                         "B b@1 3",
                                         "E 3",
                                         "E 2",
                                         "B c 2",
                                         "E 2",
                                         "E 1",
                                         "END"};
  EXPECT_EQ(Items(*fdt), want);

  Fdt::Cursor c(*fdt);  // kEnd again on every call after it
  for (auto item = c.next(); item.ok() && item->kind != Fdt::Item::Kind::kEnd; item = c.next()) {
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.next()->kind, Fdt::Item::Kind::kEnd);
}

TEST(FdtCursor, NodesAreTheOnesLookupsFind) {
  Blob b = XenTree();
  Exact e(b);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok());
  std::vector<uint32_t> by_cursor, by_lookup;
  Fdt::Cursor c(*fdt);
  for (auto item = c.next(); item.ok() && item->kind != Fdt::Item::Kind::kEnd; item = c.next()) {
    if (item->kind == Fdt::Item::Kind::kBeginNode) {
      by_cursor.push_back(item->node.offset);
      EXPECT_STREQ(item->name, fdt->name(item->node));
    }
  }
  fdt->for_each_node([&](Node n) { by_lookup.push_back(n.offset); });
  EXPECT_EQ(by_cursor, by_lookup);
  EXPECT_EQ(by_cursor.front(), fdt->root().offset);
}

// The blob copied to every alignment: the aligned word loads and the byte
// loads must read the same tree.
TEST(FdtCursor, SameTreeAtEveryAlignment) {
  const Blob b = XenTree();
  std::vector<std::string> first;
  for (size_t shift = 0; shift < 8; ++shift) {
    std::unique_ptr<uint8_t[]> buf(new uint8_t[b.size() + shift]);
    memcpy(buf.get() + shift, b.data(), b.size());
    auto fdt = Fdt::open(buf.get() + shift, b.size());
    ASSERT_TRUE(fdt.ok()) << "shift " << shift << ": " << fdt.error().message;
    const std::vector<std::string> items = Items(*fdt);
    if (shift == 0) {
      first = items;
      EXPECT_EQ(items.back(), "END");
    } else {
      EXPECT_EQ(items, first) << "shift " << shift;
    }
    auto board = parse_board(*fdt);
    ASSERT_TRUE(board.ok()) << "shift " << shift << ": " << board.error().message;
    EXPECT_EQ(board->gicd.base, 0x3001000u);
    EXPECT_EQ(board->memory[0].size, 0x4000000u);
    EXPECT_STREQ(board->bootargs, "console=hvc0 root=/dev/xvda");
    EXPECT_EQ(board->evtchn_irq, 31u);
  }
}

TEST(FdtCursor, EmptyFdt) {
  Fdt fdt;
  Fdt::Cursor c(fdt);
  auto item = c.next();
  ASSERT_FALSE(item.ok());
  EXPECT_EQ(item.error().code, Errc::kInvalid);
}

// Nesting one level deeper than kMaxDepth, made after open() (which refuses
// it) by rewriting two tokens in place: the Cursor, and so parse_board(),
// still refuse it rather than overrun their stacks of ancestors.
TEST(FdtCursor, NestedTooDeeplyAfterOpen) {
  RawTree t;
  t.begin("");
  for (uint32_t depth = 2; depth < Fdt::kMaxDepth; ++depth) t.begin("n");
  t.begin("a");  // at kMaxDepth
  const size_t a_end = t.here();
  t.end().begin("b").end();  // b: a's sibling, at kMaxDepth
  const size_t pad = t.here();
  t.nop();
  for (uint32_t depth = 1; depth < Fdt::kMaxDepth; ++depth) t.end();
  Blob b = t.fin().build();
  Exact e(b);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok()) << fdt.error().message;
  EXPECT_EQ(Items(*fdt).back(), "END");

  const size_t off_struct = Get32(b, kOffStruct);
  uint8_t* s = e.bytes.get() + off_struct;
  auto put = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) s[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  };
  put(a_end, 4);  // a's FDT_END_NODE -> FDT_NOP: b is now a's child, one level too deep
  put(pad, 2);    // FDT_NOP -> FDT_END_NODE: the nesting still balances
  EXPECT_EQ(Items(*fdt).back(), "error: device tree: nodes nested too deeply");
  auto board = parse_board(*fdt);
  ASSERT_FALSE(board.ok());
  EXPECT_STREQ(board.error().message, "device tree: nodes nested too deeply");
  // The same blob read afresh: open() refuses it for the same reason.
  Blob changed(e.bytes.get(), e.bytes.get() + e.size);
  ExpectRejected(changed, "nested too deeply");
}

// A property name is terminated inside the strings block exactly when its
// offset is at most that of the block's last NUL.
TEST(FdtCursor, PropertyNamesEndBeforeTheLastNul) {
  const std::string strings("ab\0c\0xyz", 8);  // last NUL at 4, then "xyz" unterminated
  for (uint32_t name_off = 0; name_off < 8; ++name_off) {
    RawTree t;
    Blob b = t.strings(strings).begin("").prop_at(name_off, "", 0).end().fin().build();
    if (name_off <= 4) {
      Exact e(b);
      auto fdt = e.open();
      ASSERT_TRUE(fdt.ok()) << name_off << ": " << fdt.error().message;
      auto items = Items(*fdt);  // (at 2, the empty name)
      EXPECT_EQ(items[1], "P " + std::string(strings.c_str() + name_off) + " ");
    } else {
      ExpectRejected(b, "property name not terminated in the strings block");
    }
  }
}

}  // namespace
}  // namespace petrel
