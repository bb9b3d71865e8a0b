// Unit tests for parse_board(), on Xen-style guest trees built with libfdt,
// and the robustness tests of Fdt and parse_board together: truncated and
// randomly mutated blobs, each copied into an exactly sized heap buffer so that
// AddressSanitizer reports any read past its end. parse_board() reads the tree
// in one pass; the lookup-based version it replaced (board_reference.h) is the
// reference it must agree with on random and mutated trees.
#include "petrel/board.h"

#include <gtest/gtest.h>
#include <libfdt.h>
#include <string.h>

#include <initializer_list>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "board_reference.h"
#include "fdt_writer.h"

namespace petrel {
namespace {

using Range = std::pair<uint64_t, uint64_t>;

enum class Gic { kNone, kV3, kGic400, kCortexA15, kCortexA9 };

// What goes into the guest tree; the defaults match a GICv3 Xen guest.
struct Options {
  uint32_t address_cells = 2, size_cells = 2;                            // of the root
  std::vector<std::vector<Range>> memory = {{{0x40000000, 0x4000000}}};  // reg per node
  Gic gic = Gic::kV3;
  std::vector<Range> gic_reg;  // empty: the usual two frames for the version
  uint32_t interrupt_cells = 3;
  bool gic_phandle = true;
  uint32_t interrupt_parent = 0xfde8;  // on the root; 0: none
  bool timer = true;
  const char* timer_compat = "arm,armv8-timer";
  Cells timer_irqs = {1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08, 1, 10, 0xf08};
  Cells timer_freq;  // "clock-frequency" cells, omitted when empty
  bool chosen = true;
  const char* bootargs = nullptr;
  bool vpl011 = false;
  bool vpl011_reg = true;
  Cells vpl011_irqs = {0, 0, 4};
  bool hypervisor = false;
  const char* hypervisor_compat = "xen,xen";
  bool hypervisor_reg = true;
  Cells hypervisor_irqs = {1, 15, 0xf08};
};

Blob Build(const Options& o) {
  auto reg = [&](const std::vector<Range>& ranges) {
    Cells c;
    for (auto [base, size] : ranges) {
      if (o.address_cells == 2) c.push_back(static_cast<uint32_t>(base >> 32));
      c.push_back(static_cast<uint32_t>(base));
      if (o.size_cells == 2) c.push_back(static_cast<uint32_t>(size >> 32));
      c.push_back(static_cast<uint32_t>(size));
    }
    return c;
  };
  Writer w;
  w.begin("").strs("compatible", {"xen,xenvm-4.19", "xen,xenvm"});
  if (o.interrupt_parent != 0) w.u32("interrupt-parent", o.interrupt_parent);
  w.u32("#address-cells", o.address_cells).u32("#size-cells", o.size_cells);
  if (o.chosen) {
    w.begin("chosen");
    if (o.bootargs != nullptr) w.str("bootargs", o.bootargs);
    w.end();
  }
  w.begin("cpus").u32("#address-cells", 1).u32("#size-cells", 0);
  w.begin("cpu@0").str("device_type", "cpu").str("compatible", "arm,armv8").u32("reg", 0).end();
  w.end();
  for (size_t i = 0; i < o.memory.size(); ++i) {
    std::string name = "memory@" + std::to_string(i);
    w.begin(name.c_str()).str("device_type", "memory");
    if (!o.memory[i].empty()) w.cells("reg", reg(o.memory[i]));
    w.end();
  }
  if (o.gic != Gic::kNone) {
    const bool v3 = o.gic == Gic::kV3;
    std::vector<Range> frames = o.gic_reg;
    if (frames.empty() && v3) frames = {{0x3001000, 0x10000}, {0x3020000, 0x1000000}};
    if (frames.empty()) frames = {{0x3001000, 0x1000}, {0x3002000, 0x2000}};
    w.begin("interrupt-controller@3001000");
    switch (o.gic) {
      case Gic::kV3:
        w.str("compatible", "arm,gic-v3");
        break;
      case Gic::kGic400:
        w.strs("compatible", {"arm,gic-400", "arm,cortex-a15-gic"});
        break;
      case Gic::kCortexA15:
        w.str("compatible", "arm,cortex-a15-gic");
        break;
      default:
        w.str("compatible", "arm,cortex-a9-gic");
        break;
    }
    if (o.interrupt_cells != 0) w.u32("#interrupt-cells", o.interrupt_cells);
    w.u32("#address-cells", 0).raw("interrupt-controller", "", 0).cells("reg", reg(frames));
    if (o.gic_phandle) w.u32("linux,phandle", 0xfde8).u32("phandle", 0xfde8);
    w.end();
  }
  if (o.timer) {
    w.begin("timer").str("compatible", o.timer_compat);
    if (!o.timer_irqs.empty()) w.cells("interrupts", o.timer_irqs);
    if (!o.timer_freq.empty()) w.cells("clock-frequency", o.timer_freq);
    w.end();
  }
  if (o.vpl011) {
    w.begin("sbsa-uart@22000000").str("compatible", "arm,sbsa-uart");
    if (o.vpl011_reg) w.cells("reg", reg({{0x22000000, 0x1000}}));
    if (!o.vpl011_irqs.empty()) w.cells("interrupts", o.vpl011_irqs);
    w.u32("current-speed", 115200).end();
  }
  if (o.hypervisor) {
    w.begin("hypervisor").strs("compatible", {"xen,xen-4.19", o.hypervisor_compat});
    if (o.hypervisor_reg) w.cells("reg", reg({{0x38000000, 0x1000000}}));
    if (!o.hypervisor_irqs.empty()) w.cells("interrupts", o.hypervisor_irqs);
    w.end();
  }
  w.end();
  return w.finish();
}

// Keeps the blob alive (exactly sized) while the BoardInfo points into it.
struct Parsed {
  explicit Parsed(const Options& o) : blob(Build(o)), bytes(new uint8_t[blob.size()]) {
    memcpy(bytes.get(), blob.data(), blob.size());
    auto fdt = Fdt::open(bytes.get(), blob.size());
    EXPECT_TRUE(fdt.ok()) << fdt.error().message;
    if (fdt.ok()) tree = *fdt;
  }
  Result<BoardInfo> board() const { return parse_board(tree); }
  Blob blob;
  std::unique_ptr<uint8_t[]> bytes;
  Fdt tree;
};

BoardInfo ParseOk(const Options& o) {
  Parsed p(o);
  auto board = p.board();
  EXPECT_TRUE(board.ok()) << board.error().message;
  if (!board.ok()) return BoardInfo{};
  BoardInfo info = *board;
  info.bootargs = "<points into a freed blob>";
  return info;
}

void ExpectError(const Options& o, Errc code, const char* message_part) {
  Parsed p(o);
  auto board = p.board();
  ASSERT_FALSE(board.ok()) << "expected: " << message_part;
  EXPECT_EQ(board.error().code, code) << board.error().message;
  EXPECT_NE(strstr(board.error().message, message_part), nullptr)
      << "message: " << board.error().message << "\nexpected to contain: " << message_part;
}

void ExpectRange(const MemRange& r, uint64_t base, uint64_t size) {
  EXPECT_EQ(r.base, base);
  EXPECT_EQ(r.size, size);
}

TEST(Board, XenGicV3Guest) {
  Options o;
  o.bootargs = "console=hvc0 root=/dev/xvda";
  o.vpl011 = true;
  o.hypervisor = true;
  Parsed p(o);
  auto b = p.board();
  ASSERT_TRUE(b.ok()) << b.error().message;
  ASSERT_EQ(b->memory_count, 1u);
  ExpectRange(b->memory[0], 0x40000000, 0x4000000);
  EXPECT_EQ(b->memory_total, 0x4000000u);
  EXPECT_EQ(b->gic_version, GicVersion::kV3);
  ExpectRange(b->gicd, 0x3001000, 0x10000);
  ExpectRange(b->gicr, 0x3020000, 0x1000000);
  ExpectRange(b->gicc, 0, 0);
  EXPECT_EQ(b->timer_virt_irq, 27u);
  EXPECT_EQ(b->timer_phys_irq, 30u);
  EXPECT_EQ(b->timer_frequency, 0u);
  EXPECT_STREQ(b->bootargs, "console=hvc0 root=/dev/xvda");
  const auto* args = reinterpret_cast<const uint8_t*>(b->bootargs);
  EXPECT_TRUE(args > p.bytes.get() && args < p.bytes.get() + p.blob.size());
  EXPECT_TRUE(b->has_vpl011);
  ExpectRange(b->vpl011, 0x22000000, 0x1000);
  EXPECT_EQ(b->vpl011_irq, 32u);
  EXPECT_TRUE(b->has_hypervisor);
  ExpectRange(b->grant_table, 0x38000000, 0x1000000);
  EXPECT_EQ(b->evtchn_irq, 31u);
}

TEST(Board, XenGicV2GuestWithoutExtras) {
  Options o;
  o.gic = Gic::kGic400;
  BoardInfo b = ParseOk(o);
  EXPECT_EQ(b.gic_version, GicVersion::kV2);
  ExpectRange(b.gicd, 0x3001000, 0x1000);
  ExpectRange(b.gicc, 0x3002000, 0x2000);
  ExpectRange(b.gicr, 0, 0);
  EXPECT_EQ(b.timer_virt_irq, 27u);
  EXPECT_FALSE(b.has_vpl011);
  EXPECT_EQ(b.vpl011_irq, 0u);
  EXPECT_FALSE(b.has_hypervisor);
  EXPECT_EQ(b.evtchn_irq, 0u);
  ExpectRange(b.grant_table, 0, 0);
}

TEST(Board, OtherGicV2Compatibles) {
  for (Gic g : {Gic::kCortexA15, Gic::kCortexA9}) {
    Options o;
    o.gic = g;
    BoardInfo b = ParseOk(o);
    EXPECT_EQ(b.gic_version, GicVersion::kV2);
    ExpectRange(b.gicc, 0x3002000, 0x2000);
  }
}

TEST(Board, BootargsAbsentIsEmpty) {
  Options o;  // /chosen without bootargs
  Parsed p(o);
  EXPECT_STREQ(p.board()->bootargs, "");
  o.chosen = false;
  Parsed q(o);
  EXPECT_STREQ(q.board()->bootargs, "");
  o.chosen = true;
  o.bootargs = "";
  Parsed r(o);
  EXPECT_STREQ(r.board()->bootargs, "");
}

TEST(Board, UnterminatedBootargsRejected) {
  Writer w;
  w.begin("").u32("#address-cells", 1).u32("#size-cells", 1);
  w.begin("chosen").raw("bootargs", "abc", 3).end();
  w.begin("memory").str("device_type", "memory").cells("reg", {0, 0x1000}).end();
  w.begin("gic").str("compatible", "arm,gic-v3").cells("reg", {1, 1, 2, 2}).end().end();
  Blob blob = w.finish();
  auto fdt = Fdt::open(blob.data(), blob.size());
  ASSERT_TRUE(fdt.ok());
  auto b = parse_board(*fdt);
  ASSERT_FALSE(b.ok());
  EXPECT_STREQ(b.error().message, "board: /chosen/bootargs is not a NUL-terminated string");
}

TEST(Board, MemoryFromEveryRangeOfEveryNode) {
  Options o;
  o.memory = {{{0x40000000, 0x1000000}, {0x50000000, 0}, {0x60000000, 0x2000000}},
              {{0x8'0000'0000, 0x1'0000'0000}}};
  BoardInfo b = ParseOk(o);
  ASSERT_EQ(b.memory_count, 3u);
  ExpectRange(b.memory[0], 0x40000000, 0x1000000);
  ExpectRange(b.memory[1], 0x60000000, 0x2000000);  // the empty range is skipped
  ExpectRange(b.memory[2], 0x8'0000'0000, 0x1'0000'0000);
  EXPECT_EQ(b.memory_total, 0x1'0300'0000u);
}

TEST(Board, MemoryRangesBeyondTheLimitAreIgnored) {
  Options o;
  o.memory.clear();
  for (uint64_t i = 0; i < 6; ++i) o.memory.push_back({{0x40000000 + i * 0x10000000, 0x1000}});
  BoardInfo b = ParseOk(o);
  EXPECT_EQ(b.memory_count, BoardInfo::kMaxMemoryRanges);
  EXPECT_EQ(b.memory_total, 0x1000u * BoardInfo::kMaxMemoryRanges);
  ExpectRange(b.memory[3], 0x70000000, 0x1000);
}

TEST(Board, OneCellAddressesAndSizes) {
  Options o;
  o.address_cells = 1;
  o.size_cells = 1;
  o.memory = {{{0x80000000, 0x20000000}}};
  o.gic = Gic::kGic400;
  o.vpl011 = true;
  o.hypervisor = true;
  BoardInfo b = ParseOk(o);
  ExpectRange(b.memory[0], 0x80000000, 0x20000000);
  ExpectRange(b.gicd, 0x3001000, 0x1000);
  ExpectRange(b.gicc, 0x3002000, 0x2000);
  ExpectRange(b.vpl011, 0x22000000, 0x1000);
  ExpectRange(b.grant_table, 0x38000000, 0x1000000);
}

TEST(Board, MemoryErrors) {
  Options o;
  o.memory.clear();
  ExpectError(o, Errc::kNotFound, "board: no memory");
  o.memory = {{}};  // device_type = "memory" but no reg
  ExpectError(o, Errc::kInvalid, "memory node without reg entries");
  o.memory = {{{0x1000, 0}}};  // only empty ranges
  ExpectError(o, Errc::kNotFound, "board: no memory");
  o.memory = {{{0xffff'ffff'ffff'f000, 0x2000}}};
  ExpectError(o, Errc::kInvalid, "wraps around");
  o.memory = {{{0, 0x8000'0000'0000'0000}}, {{0, 0x8000'0000'0000'0000}}};
  ExpectError(o, Errc::kInvalid, "overflows");
}

TEST(Board, MalformedMemoryRegRejected) {
  Writer w;
  w.begin("").u32("#address-cells", 2).u32("#size-cells", 2);
  w.begin("memory@0").str("device_type", "memory").cells("reg", {0, 0x1000, 0}).end();
  w.begin("gic").str("compatible", "arm,gic-v3").cells("reg", {0, 1, 0, 1, 0, 2, 0, 2}).end();
  w.end();
  Blob blob = w.finish();
  auto fdt = Fdt::open(blob.data(), blob.size());
  ASSERT_TRUE(fdt.ok());
  auto b = parse_board(*fdt);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, Errc::kInvalid);
  EXPECT_NE(strstr(b.error().message, "reg length"), nullptr) << b.error().message;
}

TEST(Board, GicErrors) {
  Options o;
  o.gic = Gic::kNone;
  o.timer = false;
  ExpectError(o, Errc::kNotFound, "board: no GIC");
  o.gic = Gic::kV3;
  o.gic_reg = {{0x3001000, 0x10000}};
  ExpectError(o, Errc::kNotFound, "GICv3 node lacks the redistributor reg");
  o.gic = Gic::kGic400;
  ExpectError(o, Errc::kNotFound, "GICv2 node lacks the CPU interface reg");
}

TEST(Board, GicInterruptCellsMustBeThree) {
  Options o;
  o.interrupt_cells = 2;
  ExpectError(o, Errc::kUnsupported, "#interrupt-cells");
  o.interrupt_cells = 0;  // missing
  ExpectError(o, Errc::kUnsupported, "#interrupt-cells");
  o.timer = false;  // nothing to decode: fine
  EXPECT_EQ(ParseOk(o).gic_version, GicVersion::kV3);
}

TEST(Board, TimerVariants) {
  Options o;
  o.timer_compat = "arm,armv7-timer";
  o.timer_freq = {62500000};
  BoardInfo b = ParseOk(o);
  EXPECT_EQ(b.timer_virt_irq, 27u);
  EXPECT_EQ(b.timer_phys_irq, 30u);
  EXPECT_EQ(b.timer_frequency, 62500000u);
  o.timer_irqs = {1, 13, 8, 1, 14, 8, 1, 11, 8, 1, 10, 8, 1, 12, 8};  // with hyp-virt: fine
  EXPECT_EQ(ParseOk(o).timer_virt_irq, 27u);
  o.timer_irqs = {1, 13, 8, 1, 14, 8, 1, 11, 8};  // as Xen gives domUs: fine
  EXPECT_EQ(ParseOk(o).timer_virt_irq, 27u);
  o.timer_irqs = {1, 13, 8, 0, 29, 4, 0, 30, 4, 1, 10, 8};  // SPIs
  b = ParseOk(o);
  EXPECT_EQ(b.timer_phys_irq, 61u);
  EXPECT_EQ(b.timer_virt_irq, 62u);
  o.timer = false;  // optional
  b = ParseOk(o);
  EXPECT_EQ(b.timer_virt_irq, 0u);
  EXPECT_EQ(b.timer_frequency, 0u);
}

TEST(Board, TimerErrors) {
  Options o;
  o.timer_irqs = {1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08, 1, 10};
  ExpectError(o, Errc::kInvalid, "interrupts length is not a multiple of 3 cells");
  o.timer_irqs = {1, 13, 0xf08, 1, 14, 0xf08};
  ExpectError(o, Errc::kInvalid, "timer needs at least 3 interrupts");
  o.timer_irqs = {};
  ExpectError(o, Errc::kInvalid, "timer node has no interrupts");
  o.timer_irqs = {1, 13, 0xf08, 1, 14, 0xf08, 2, 11, 0xf08, 1, 10, 0xf08};
  ExpectError(o, Errc::kUnsupported, "neither SPI (0) nor PPI (1)");
  o.timer_irqs = {1, 13, 0xf08, 1, 16, 0xf08, 1, 11, 0xf08, 1, 10, 0xf08};
  ExpectError(o, Errc::kInvalid, "PPI number above 15");
  o.timer_irqs = {1, 13, 0xf08, 0, 988, 4, 1, 11, 0xf08, 1, 10, 0xf08};
  ExpectError(o, Errc::kInvalid, "SPI number above 987");
  o.timer_irqs = {1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08, 1, 10, 0xf08};
  o.timer_freq = {0, 62500000};
  ExpectError(o, Errc::kInvalid, "clock-frequency");
}

TEST(Board, InterruptParentMustBeTheGic) {
  Options o;
  o.interrupt_parent = 0x1234;
  ExpectError(o, Errc::kUnsupported, "interrupt-parent is not the GIC");
  o.interrupt_parent = 0;  // no interrupt-parent at all: the GIC is assumed
  EXPECT_EQ(ParseOk(o).timer_virt_irq, 27u);
  o.interrupt_parent = 0xfde8;
  o.gic_phandle = false;
  ExpectError(o, Errc::kUnsupported, "interrupt-parent is not the GIC");
}

TEST(Board, Vpl011Variants) {
  Options o;
  o.vpl011 = true;
  o.vpl011_irqs = {};
  BoardInfo b = ParseOk(o);
  EXPECT_TRUE(b.has_vpl011);
  EXPECT_EQ(b.vpl011_irq, 0u);
  o.vpl011_irqs = {0, 5, 4};
  EXPECT_EQ(ParseOk(o).vpl011_irq, 37u);
  o.vpl011_irqs = {0, 5};
  ExpectError(o, Errc::kInvalid, "multiple of 3 cells");
  o.vpl011_irqs = {0, 5, 4};
  o.vpl011_reg = false;
  ExpectError(o, Errc::kNotFound, "vpl011 (arm,sbsa-uart) node has no reg");
}

TEST(Board, HypervisorVariants) {
  Options o;
  o.hypervisor = true;
  o.hypervisor_compat = "xen,xen-but-not-really";
  EXPECT_FALSE(ParseOk(o).has_hypervisor);
  o.hypervisor_compat = "xen,xen";
  o.hypervisor_reg = false;
  o.hypervisor_irqs = {};
  BoardInfo b = ParseOk(o);
  EXPECT_TRUE(b.has_hypervisor);
  ExpectRange(b.grant_table, 0, 0);
  EXPECT_EQ(b.evtchn_irq, 0u);
  o.hypervisor_irqs = {1, 15};
  ExpectError(o, Errc::kInvalid, "multiple of 3 cells");
  o.hypervisor_irqs = {3, 15, 0xf08};
  ExpectError(o, Errc::kUnsupported, "neither SPI (0) nor PPI (1)");
}

// ---------------------------------------------------------------------------
// What the one pass keeps from the lookups it replaced: preference orders
// whatever the tree order, inherited interrupt-parent, reg read with the
// parent's cells, find()'s first match by name.

// Opens a copy of a blob (exactly sized) and keeps it alive with the Fdt.
struct Opened {
  explicit Opened(Blob b) : blob(std::move(b)), bytes(new uint8_t[blob.size()]) {
    memcpy(bytes.get(), blob.data(), blob.size());
    auto f = Fdt::open(bytes.get(), blob.size());
    EXPECT_TRUE(f.ok()) << f.error().message;
    if (f.ok()) fdt = *f;
  }
  Blob blob;
  std::unique_ptr<uint8_t[]> bytes;
  Fdt fdt;
};

// The root (1 address cell, 1 size cell) and a memory node; the caller adds
// the rest and ends the root.
Writer& Root(Writer& w) {
  w.begin("").u32("#address-cells", 1).u32("#size-cells", 1);
  return w.begin("memory").str("device_type", "memory").cells("reg", {0x40000000, 0x1000}).end();
}

// A GIC node with phandle 1, for a parent with 1 address and 1 size cell.
Writer& GicNode(Writer& w, const char* name, std::initializer_list<const char*> compat,
                uint32_t base) {
  w.begin(name).strs("compatible", compat).u32("#interrupt-cells", 3).u32("phandle", 1);
  return w.cells("reg", {base, 0x1000, base + 0x10000, 0x2000}).end();
}

Writer& Timer(Writer& w, const char* compat, uint32_t virt_ppi) {
  w.begin("timer").str("compatible", compat);
  return w.cells("interrupts", {1, 13, 8, 1, 14, 8, 1, virt_ppi, 8}).end();
}

TEST(BoardOnePass, GicPreferenceOrderWhateverTheTreeOrder) {
  Writer a;  // GICv2 nodes first, GICv3 last: GICv3 wins
  Root(a);
  GicNode(a, "gic-a9", {"arm,cortex-a9-gic"}, 0x1000000);
  GicNode(a, "gic-400", {"arm,gic-400"}, 0x2000000);
  a.begin("soc").u32("#address-cells", 1).u32("#size-cells", 1);
  GicNode(a, "gic-v3", {"arm,gic-v3"}, 0x3000000);
  a.end().end();
  Opened oa(a.finish());
  auto b = parse_board(oa.fdt);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->gic_version, GicVersion::kV3);
  ExpectRange(b->gicd, 0x3000000, 0x1000);
  ExpectRange(b->gicr, 0x3010000, 0x2000);

  Writer c;  // GICv2 strings: gic-400, then cortex-a15, then cortex-a9
  Root(c);
  GicNode(c, "gic-a9", {"arm,cortex-a9-gic"}, 0x1000000);
  GicNode(c, "gic-a15", {"vendor,other", "arm,cortex-a15-gic"}, 0x2000000);
  GicNode(c, "gic-400", {"arm,cortex-a9-gic", "arm,gic-400"}, 0x4000000);
  c.end();
  Opened oc(c.finish());
  b = parse_board(oc.fdt);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->gic_version, GicVersion::kV2);
  ExpectRange(b->gicd, 0x4000000, 0x1000);
  ExpectRange(b->gicc, 0x4010000, 0x2000);

  Writer d;  // two nodes with the same string: the first in document order
  Root(d);
  GicNode(d, "gic-first", {"arm,cortex-a15-gic"}, 0x1000000);
  GicNode(d, "gic-second", {"arm,cortex-a15-gic"}, 0x2000000);
  d.end();
  Opened od(d.finish());
  b = parse_board(od.fdt);
  ASSERT_TRUE(b.ok()) << b.error().message;
  ExpectRange(b->gicd, 0x1000000, 0x1000);
}

TEST(BoardOnePass, TimerPreferenceOrderWhateverTheTreeOrder) {
  Writer a;
  Root(a);
  Timer(a, "arm,armv7-timer", 7);  // before the GIC, and before the armv8 one
  GicNode(a, "gic", {"arm,gic-v3"}, 0x3000000);
  a.begin("soc");
  Timer(a, "arm,armv8-timer", 11);
  a.end().end();
  Opened oa(a.finish());
  auto b = parse_board(oa.fdt);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->timer_virt_irq, 27u);

  Writer c;
  Root(c);
  Timer(c, "arm,armv7-timer", 7);
  GicNode(c, "gic", {"arm,gic-v3"}, 0x3000000);
  c.end();
  Opened oc(c.finish());
  b = parse_board(oc.fdt);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->timer_virt_irq, 23u);
}

// The timer is /bus/inner/timer; each argument is the interrupt-parent of
// the root, of /bus and of the timer (0: none). The GIC's phandle is 1.
Result<BoardInfo> ParseWithInterruptParents(uint32_t root, uint32_t bus, uint32_t timer) {
  Writer w;
  w.begin("").u32("#address-cells", 1).u32("#size-cells", 1);
  if (root != 0) w.u32("interrupt-parent", root);
  w.begin("memory").str("device_type", "memory").cells("reg", {0, 0x1000}).end();
  GicNode(w, "gic", {"arm,gic-v3"}, 0x3000000);
  w.begin("bus");
  if (bus != 0) w.u32("interrupt-parent", bus);
  w.begin("inner").begin("timer").str("compatible", "arm,armv8-timer");
  if (timer != 0) w.u32("interrupt-parent", timer);
  w.cells("interrupts", {1, 13, 8, 1, 14, 8, 1, 11, 8}).end();
  w.end().end().end();
  Opened o(w.finish());
  return parse_board(o.fdt);
}

TEST(BoardOnePass, InterruptParentFromTheNearestAncestorThatHasOne) {
  EXPECT_TRUE(ParseWithInterruptParents(0, 0, 0).ok());  // none anywhere: the GIC
  EXPECT_TRUE(ParseWithInterruptParents(1, 0, 0).ok());  // the root's, two levels up
  EXPECT_EQ(ParseWithInterruptParents(9, 0, 0).error().code, Errc::kUnsupported);
  EXPECT_TRUE(ParseWithInterruptParents(9, 1, 0).ok());  // the bus's, not the root's
  EXPECT_EQ(ParseWithInterruptParents(1, 9, 0).error().code, Errc::kUnsupported);
  EXPECT_TRUE(ParseWithInterruptParents(9, 9, 1).ok());  // the node's own
  auto b = ParseWithInterruptParents(1, 1, 9);
  ASSERT_FALSE(b.ok());
  EXPECT_STREQ(b.error().message, "board: interrupt-parent is not the GIC");
}

TEST(BoardOnePass, MalformedInterruptParentOfAnAncestor) {
  Writer w;
  Root(w);
  GicNode(w, "gic", {"arm,gic-v3"}, 0x3000000);
  w.begin("bus").cells("interrupt-parent", {1, 1});
  Timer(w, "arm,armv8-timer", 11);
  w.end().end();
  Opened o(w.finish());
  auto b = parse_board(o.fdt);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, Errc::kInvalid);
  EXPECT_STREQ(b.error().message, "board: interrupt-parent is not a single phandle cell");
}

TEST(BoardOnePass, RegDecodedWithItsParentsCells) {
  Writer w;
  w.begin("").u32("#address-cells", 2).u32("#size-cells", 2);
  w.begin("memory@800000000").str("device_type", "memory").cells("reg", {0x8, 0, 0, 0x1000}).end();
  w.begin("soc").u32("#address-cells", 1).u32("#size-cells", 1);
  w.begin("memory@80000000").str("device_type", "memory").cells("reg", {0x80000000, 0x2000});
  w.end();
  w.begin("bus").u32("#address-cells", 2).u32("#size-cells", 1);
  w.begin("gic").str("compatible", "arm,gic-v3").u32("#interrupt-cells", 3);
  w.cells("reg", {0x1, 0x3001000, 0x10000, 0x1, 0x3020000, 0x100000}).end();
  w.begin("uart").str("compatible", "arm,sbsa-uart").cells("reg", {0x1, 0x22000000, 0x1000});
  w.end();
  w.end();                                                                        // bus
  w.begin("plain").begin("hypervisor").str("compatible", "xen,xen").end().end();  // not /hypervisor
  w.end();                                                                        // soc
  w.begin("hypervisor").str("compatible", "xen,xen").cells("reg", {0, 0x38000000, 0, 0x100});
  w.end().end();
  Opened o(w.finish());
  auto b = parse_board(o.fdt);
  ASSERT_TRUE(b.ok()) << b.error().message;
  ASSERT_EQ(b->memory_count, 2u);
  ExpectRange(b->memory[0], 0x8'0000'0000, 0x1000);
  ExpectRange(b->memory[1], 0x80000000, 0x2000);
  ExpectRange(b->gicd, 0x1'0300'1000, 0x10000);
  ExpectRange(b->gicr, 0x1'0302'0000, 0x100000);
  ExpectRange(b->vpl011, 0x1'2200'0000, 0x1000);
  EXPECT_TRUE(b->has_hypervisor);
  ExpectRange(b->grant_table, 0x38000000, 0x100);

  Writer bad;  // the parent's cells are checked as read_reg() checks them
  bad.begin("").u32("#address-cells", 1).u32("#size-cells", 1);
  bad.begin("bus").u32("#address-cells", 3).u32("#size-cells", 1);
  bad.begin("memory").str("device_type", "memory").cells("reg", {0, 0, 0, 1}).end();
  bad.end().end();
  Opened ob(bad.finish());
  auto e = parse_board(ob.fdt);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, Errc::kUnsupported);
  EXPECT_STREQ(e.error().message, "device tree: more than 2 address or size cells");
}

TEST(BoardOnePass, ChosenAndHypervisorAreTheFirstChildrenOfTheRootByThatName) {
  Writer w;
  Root(w);
  GicNode(w, "gic", {"arm,gic-v3"}, 0x3000000);
  w.begin("soc").begin("chosen").str("bootargs", "nested: not /chosen").end().end();
  w.begin("chosen@0").str("bootargs", "first").end();
  w.begin("chosen").str("bootargs", "second").end();
  w.begin("hypervisor@1").str("compatible", "xen,xen-but-not-really").end();
  w.begin("hypervisor").str("compatible", "xen,xen").end();
  w.end();
  Opened o(w.finish());
  auto b = parse_board(o.fdt);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_STREQ(b->bootargs, "first");
  EXPECT_FALSE(b->has_hypervisor);  // find("/hypervisor") gave hypervisor@1
}

TEST(BoardOnePass, ARepeatedPropertyCountsOnce) {
  Writer w;
  Root(w);  // as Fdt::property() does, the first of two "reg" counts
  w.begin("gic").str("compatible", "arm,gic-v3").cells("reg", {1, 2, 3, 4});
  w.cells("reg", {5, 6, 7, 8}).end().end();
  Opened o(w.finish());
  auto b = parse_board(o.fdt);
  ASSERT_TRUE(b.ok()) << b.error().message;
  ExpectRange(b->gicd, 1, 2);
}

TEST(BoardOnePass, MemoryErrorsComeFirstInDocumentOrder) {
  Writer w;  // a broken GIC before broken memory nodes: the first memory error
  Root(w);
  w.begin("gic").str("compatible", "arm,gic-v3").end();
  w.begin("memory@2").str("device_type", "memory").end();
  w.begin("memory@3").str("device_type", "memory").cells("reg", {1, 2, 3}).end();
  w.end();
  Opened o(w.finish());
  auto b = parse_board(o.fdt);
  ASSERT_FALSE(b.ok());
  EXPECT_STREQ(b.error().message, "board: memory node without reg entries");
}

TEST(BoardOnePass, WalksTheStructureBlockOnce) {
  Options o;
  o.vpl011 = true;
  o.hypervisor = true;
  Parsed p(o);
  const Fdt::Reads opened = p.tree.reads();
  EXPECT_EQ(opened.passes, 1u);  // open()'s validation
  EXPECT_EQ(opened.lookup_tokens, 0u);
  ASSERT_TRUE(p.board().ok());
  const Fdt::Reads parsed = p.tree.reads();
  EXPECT_EQ(parsed.passes, 2u);         // and parse_board()'s one pass
  EXPECT_EQ(parsed.lookup_tokens, 0u);  // no lookup (find, parent, property, ...)
  // The lookups are counted: the lookup-based reference decodes the tree's
  // tokens many times over.
  uint32_t tokens = 0;
  Fdt::Cursor c(p.tree);
  for (auto item = c.next(); item.ok() && item->kind != Fdt::Item::Kind::kEnd; item = c.next()) {
    ++tokens;
  }
  ASSERT_TRUE(reference::parse_board(p.tree).ok());
  EXPECT_GT(p.tree.reads().lookup_tokens, 10 * tokens);
}

// ---------------------------------------------------------------------------
// Robustness: truncated and mutated blobs, forged node offsets.

Blob FullTree() {
  Options o;
  o.bootargs = "console=hvc0";
  o.vpl011 = true;
  o.hypervisor = true;
  return Build(o);
}

struct Exact {
  Exact(const Blob& b, size_t len) : size(len), bytes(new uint8_t[len == 0 ? 1 : len]) {
    memcpy(bytes.get(), b.data(), len);
  }
  explicit Exact(const Blob& b) : Exact(b, b.size()) {}
  Result<Fdt> open() const { return Fdt::open(bytes.get(), size); }
  size_t size;
  std::unique_ptr<uint8_t[]> bytes;
};

constexpr size_t kTotalSize = 4, kOffStruct = 8, kSizeStruct = 36;

uint32_t Get32(const Blob& b, size_t off) {
  return uint32_t{b[off]} << 24 | uint32_t{b[off + 1]} << 16 | uint32_t{b[off + 2]} << 8 |
         b[off + 3];
}
void Set32(Blob& b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

bool InBlob(const void* p, size_t len, const uint8_t* base, size_t size) {
  auto* q = static_cast<const uint8_t*>(p);
  return q >= base && len <= size && q - base <= static_cast<ptrdiff_t>(size - len);
}

// A C string from the tree: either a static "" or NUL-terminated inside the blob.
void ExpectTreeString(const char* s, const uint8_t* base, size_t size) {
  if (!InBlob(s, 0, base, size)) {
    EXPECT_STREQ(s, "");
    return;
  }
  const size_t room = size - static_cast<size_t>(reinterpret_cast<const uint8_t*>(s) - base);
  EXPECT_NE(memchr(s, 0, room), nullptr);
}

// Calls every accessor on every node and parse_board(); checks the structural
// invariants and that everything handed out lies inside the blob.
void Exercise(const Fdt& fdt, const uint8_t* base, size_t size) {
  static const char* const kProps[] = {"compatible",  "reg",      "#address-cells",
                                       "#size-cells", "bootargs", "interrupts",
                                       "device_type", "phandle",  "no-such-property"};
  size_t nodes = 0;
  fdt.for_each_node([&](Fdt::Node n) {
    ++nodes;
    ExpectTreeString(fdt.name(n), base, size);
    for (const char* name : kProps) {
      auto p = fdt.property(n, name);
      if (p.ok()) {
        EXPECT_TRUE(InBlob(p->data, p->size, base, size));
        volatile unsigned sum = 0;  // touch every byte
        for (uint32_t i = 0; i < p->size; ++i) sum = sum + p->data[i];
      }
      (void)fdt.read_u32(n, name);
      auto s = fdt.read_string(n, name);
      if (s.ok()) ExpectTreeString(*s, base, size);
    }
    (void)fdt.is_compatible(n, "arm,gic-v3");
    (void)fdt.is_compatible(n, "xen,xen");
    for (size_t i = 0; i < 4; ++i) (void)fdt.read_reg(n, i);
    auto child = fdt.first_child(n);
    if (child.ok()) {
      auto up = fdt.parent(*child);
      ASSERT_TRUE(up.ok());
      EXPECT_EQ(up->offset, n.offset);
    }
    auto sib = fdt.next_sibling(n);
    if (sib.ok()) {
      auto a = fdt.parent(n);
      auto b = fdt.parent(*sib);
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_EQ(a->offset, b->offset);
    }
  });
  EXPECT_GE(nodes, 1u);
  for (const char* path : {"/", "/chosen", "/cpus/cpu@0", "/cpus/cpu", "/hypervisor", "/a/b/c"}) {
    auto n = fdt.find(path);
    if (n.ok()) ExpectTreeString(fdt.name(*n), base, size);
  }
  for (const char* c : {"arm,gic-v3", "arm,armv8-timer", "xen,xen", "nothing"}) {
    (void)fdt.find_compatible(c);
  }
  auto board = parse_board(fdt);
  if (board.ok()) {
    ExpectTreeString(board->bootargs, base, size);
    EXPECT_GE(board->memory_count, 1u);
    EXPECT_LE(board->memory_count, BoardInfo::kMaxMemoryRanges);
  }
}

TEST(FdtRobust, ValidTreeSurvivesExercise) {
  const Blob good = FullTree();
  Exact e(good);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok());
  Exercise(*fdt, e.bytes.get(), e.size);
}

TEST(FdtRobust, EveryTruncationIsRejected) {
  const Blob good = FullTree();
  for (size_t len = 0; len < good.size(); ++len) {
    Exact e(good, len);
    EXPECT_FALSE(e.open().ok()) << "len " << len;
  }
  EXPECT_TRUE(Exact(good).open().ok());
}

// Truncated copies whose totalsize is rewritten to fit: the blocks now run
// past the end, which must be caught; any that pass must be safe to use.
TEST(FdtRobust, TruncationWithMatchingTotalSize) {
  const Blob good = FullTree();
  size_t accepted = 0;
  for (size_t len = 8; len <= good.size(); ++len) {
    Blob b(good.begin(), good.begin() + static_cast<ptrdiff_t>(len));
    Set32(b, kTotalSize, static_cast<uint32_t>(len));
    Exact e(b);
    auto fdt = e.open();
    if (!fdt.ok()) continue;
    ++accepted;
    Exercise(*fdt, e.bytes.get(), e.size);
  }
  EXPECT_EQ(accepted, 1u);  // only the untruncated blob
}

TEST(FdtRobust, RandomMutations) {
  const Blob good = FullTree();
  const uint32_t off_struct = Get32(good, kOffStruct), size_struct = Get32(good, kSizeStruct);
  std::mt19937 rng(20240611);
  size_t accepted = 0, rejected = 0, boards = 0;
  for (int iter = 0; iter < 5000; ++iter) {
    Blob b = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) {
      switch (rng() % 5) {
        case 0:  // flip one bit anywhere
          b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;
        case 1:  // random byte anywhere
          b[rng() % b.size()] = static_cast<uint8_t>(rng());
          break;
        case 2:  // a header field gets a plausible size or offset
          Set32(b, 4 * (1 + rng() % 9), static_cast<uint32_t>(rng() % (good.size() + 64)));
          break;
        case 3: {  // a structure word becomes a token or a small number
          static const uint32_t kWords[] = {1, 2, 3, 4, 9, 0, 8, 12, 0xffffffff};
          Set32(b, off_struct + 4 * (rng() % (size_struct / 4)), kWords[rng() % 9]);
          break;
        }
        default:  // a structure byte cleared (ends names early, shrinks lengths)
          b[off_struct + rng() % size_struct] = 0;
          break;
      }
    }
    Exact e(b);
    auto fdt = e.open();
    if (!fdt.ok()) {
      ++rejected;
      EXPECT_EQ(strncmp(fdt.error().message, "device tree: ", 13), 0) << fdt.error().message;
      continue;
    }
    ++accepted;
    boards += parse_board(*fdt).ok();
    Exercise(*fdt, e.bytes.get(), e.size);
    if (HasFailure()) {
      ADD_FAILURE() << "mutation " << iter << " broke an invariant";
      break;
    }
  }
  EXPECT_GT(accepted, 500u);
  EXPECT_GT(rejected, 500u);
  EXPECT_GT(boards, 100u);
  RecordProperty("accepted", static_cast<int>(accepted));
  RecordProperty("boards", static_cast<int>(boards));
}

// Nodes with made-up offsets (misaligned, inside names or values, past the
// end) must be refused or at least never lead to a read outside the blob.
TEST(FdtRobust, ForgedNodeOffsetsStayInBounds) {
  const Blob good = FullTree();
  Exact e(good);
  auto fdt = e.open();
  ASSERT_TRUE(fdt.ok());
  const uint32_t struct_size = Get32(good, kSizeStruct);
  for (uint32_t off = 0; off < struct_size + 16; ++off) {
    Fdt::Node n{off};
    ExpectTreeString(fdt->name(n), e.bytes.get(), e.size);
    auto p = fdt->property(n, "compatible");
    if (p.ok()) {
      EXPECT_TRUE(InBlob(p->data, p->size, e.bytes.get(), e.size));
    }
    (void)fdt->first_child(n);
    (void)fdt->next_sibling(n);
    (void)fdt->parent(n);
    (void)fdt->read_reg(n, 0);
    (void)fdt->is_compatible(n, "xen,xen");
    if (off % 4 != 0) {
      EXPECT_FALSE(fdt->first_child(n).ok());
    }
  }
  EXPECT_FALSE(fdt->next_sibling(Fdt::Node{0xfffffffc}).ok());
}

// ---------------------------------------------------------------------------
// parse_board() against the lookup-based reference (board_reference.h): the
// same BoardInfo, or the same error code and message, on random trees.

void ExpectSameBoard(const Result<BoardInfo>& got, const Result<BoardInfo>& want, const char* what,
                     int iter) {
  ASSERT_EQ(got.ok(), want.ok()) << what << " " << iter << ": "
                                 << (got.ok() ? want.error().message : got.error().message);
  if (!want.ok()) {
    EXPECT_EQ(got.error().code, want.error().code) << what << " " << iter;
    EXPECT_STREQ(got.error().message, want.error().message) << what << " " << iter;
    return;
  }
  const BoardInfo& a = *got;
  const BoardInfo& b = *want;
  auto same = [&](const MemRange& x, const MemRange& y) {
    EXPECT_TRUE(x.base == y.base && x.size == y.size) << what << " " << iter;
  };
  ASSERT_EQ(a.memory_count, b.memory_count) << what << " " << iter;
  for (size_t i = 0; i < a.memory_count; ++i) same(a.memory[i], b.memory[i]);
  EXPECT_EQ(a.memory_total, b.memory_total) << what << " " << iter;
  EXPECT_EQ(a.gic_version, b.gic_version) << what << " " << iter;
  same(a.gicd, b.gicd);
  same(a.gicc, b.gicc);
  same(a.gicr, b.gicr);
  EXPECT_EQ(a.timer_virt_irq, b.timer_virt_irq) << what << " " << iter;
  EXPECT_EQ(a.timer_phys_irq, b.timer_phys_irq) << what << " " << iter;
  EXPECT_EQ(a.timer_frequency, b.timer_frequency) << what << " " << iter;
  EXPECT_STREQ(a.bootargs, b.bootargs) << what << " " << iter;
  if (a.bootargs[0] != '\0') {  // then it is in the blob: the same bytes
    EXPECT_EQ(a.bootargs, b.bootargs) << what << " " << iter;
  }
  EXPECT_EQ(a.has_vpl011, b.has_vpl011) << what << " " << iter;
  same(a.vpl011, b.vpl011);
  EXPECT_EQ(a.vpl011_irq, b.vpl011_irq) << what << " " << iter;
  EXPECT_EQ(a.has_hypervisor, b.has_hypervisor) << what << " " << iter;
  same(a.grant_table, b.grant_table);
  EXPECT_EQ(a.evtchn_irq, b.evtchn_irq) << what << " " << iter;
}

void ExpectSameAsReference(const Fdt& fdt, const char* what, int iter) {
  ExpectSameBoard(parse_board(fdt), reference::parse_board(fdt), what, iter);
}

// parse_board(blob, size), one pass over the blob, against open() and then
// parse_board(fdt): the same board or the same first error.
void ExpectOnePassSameAsTwo(const Blob& b, const char* what, int iter) {
  Exact e(b);
  auto one = parse_board(e.bytes.get(), e.size);
  auto fdt = e.open();
  if (!fdt.ok()) {
    ASSERT_FALSE(one.ok()) << what << " " << iter;
    EXPECT_EQ(one.error().code, fdt.error().code) << what << " " << iter;
    EXPECT_STREQ(one.error().message, fdt.error().message) << what << " " << iter;
    return;
  }
  ExpectSameBoard(one, parse_board(*fdt), what, iter);
}

// A random tree: nodes up to 6 deep with random names from the ones
// parse_board looks for, each with a random choice of the properties it
// reads, mostly well-formed, sometimes not (wrong sizes, missing NULs,
// repeated properties).
class RandomTree {
 public:
  explicit RandomTree(uint32_t seed) : rng_(seed) {}

  // Most trees get what a board needs (memory, a GIC: in a bus of their own,
  // so that the rest cannot break their reg) among the random nodes.
  Blob build() {
    Writer w;
    nodes_ = 0;
    skeleton_ = chance(75);
    w.begin("");
    node(w, 1);
    if (skeleton_) add_skeleton(w);
    w.end();
    return w.finish();
  }

 private:
  uint32_t pick(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  bool chance(uint32_t percent) { return pick(100) < percent; }

  void node(Writer& w, int depth) {
    static const char* const kCompat[] = {
        "arm,gic-v3",      "arm,gic-400",     "arm,cortex-a15-gic", "arm,cortex-a9-gic",
        "arm,armv8-timer", "arm,armv7-timer", "arm,sbsa-uart",      "xen,xen",
        "xen,xen-4.19",    "arm,gic",         "vendor,device"};
    static const char* const kNames[] = {"chosen", "chosen@0",  "hypervisor", "hypervisor@1",
                                         "memory", "memory@1",  "gic",        "timer",
                                         "soc",    "uart@9000", "n"};
    if (chance(40)) {  // compatible: 1 to 3 strings, sometimes with an unterminated tail
      std::string list;
      for (uint32_t i = 0, n = 1 + pick(3); i < n; ++i) {
        const char* c = kCompat[pick(std::size(kCompat))];
        list.append(c, strlen(c) + 1);
      }
      if (chance(5)) list.pop_back();
      w.raw("compatible", list.data(), list.size());
    }
    bool memory = false;
    if (chance(15)) {
      static const char* const kTypes[] = {"memory", "cpu", "memory\0x", "memor"};
      const uint32_t t = pick(4);
      const size_t len = t == 2 ? 9 : t == 3 ? 5 : strlen(kTypes[t]) + 1;
      w.raw("device_type", kTypes[t], len);
      memory = t == 0 || t == 2;
    }
    cell_count(w, "#address-cells", 2);
    cell_count(w, "#size-cells", 1);
    if (chance(memory ? 90 : 35)) reg(w);
    if (chance(10)) reg(w);  // maybe a second "reg": the first counts
    if (chance(25)) interrupts(w);
    if (chance(15)) one_cell(w, "interrupt-parent", 1 + pick(2));
    if (chance(15)) one_cell(w, "phandle", 1 + pick(2));
    if (chance(10)) one_cell(w, "linux,phandle", 1 + pick(2));
    if (chance(25)) one_cell(w, "#interrupt-cells", chance(85) ? 3 : 2);
    if (chance(10)) one_cell(w, "clock-frequency", 62500000);
    if (chance(10)) {
      if (chance(85)) {
        w.str("bootargs", chance(50) ? "console=hvc0" : "");
      } else {
        w.raw("bootargs", "abc", 3);
      }
    }
    while (depth < 6 && nodes_ < 40 && chance(depth == 1 ? 85 : 45)) {
      ++nodes_;
      if (skeleton_ && chance(15)) add_skeleton(w);
      w.begin(kNames[pick(std::size(kNames))]);
      node(w, depth + 1);
      w.end();
    }
  }

  void add_skeleton(Writer& w) {
    static const char* const kGics[] = {"arm,gic-v3", "arm,gic-400", "arm,cortex-a15-gic",
                                        "arm,cortex-a9-gic"};
    skeleton_ = false;
    w.begin("board").u32("#address-cells", 1).u32("#size-cells", 1);
    w.begin("memory@1").str("device_type", "memory");
    w.cells("reg", {0x40000000, 0x1000000 * (1 + pick(4))}).end();
    w.begin("gic").str("compatible", kGics[pick(4)]).u32("#interrupt-cells", 3);
    w.u32("phandle", 1).cells("reg", {0x3000000, 0x10000, 0x3010000, 0x20000}).end();
    w.end();
  }

  void one_cell(Writer& w, const char* name, uint32_t v) {
    if (chance(92)) {
      w.u32(name, v);
    } else {
      w.cells(name, {v, v});
    }
  }

  void cell_count(Writer& w, const char* name, uint32_t usual) {
    if (!chance(30)) return;
    if (chance(90)) {
      w.u32(name, chance(70) ? usual : pick(4));
    } else {
      w.raw(name, "\0\0", 2);
    }
  }

  void reg(Writer& w) {
    static const uint32_t kCells[] = {0, 2, 3, 4, 4, 6, 6, 8, 5};
    Cells c;
    for (uint32_t i = 0, n = kCells[pick(std::size(kCells))]; i < n; ++i) {
      c.push_back(chance(10) ? 0xffffffffu : chance(50) ? 0 : pick(0x10) << 24 | pick(0x100) << 12);
    }
    w.cells("reg", c);
  }

  void interrupts(Writer& w) {
    Cells c;
    for (uint32_t i = 0, n = pick(5); i < n; ++i) {
      c.push_back(chance(95) ? pick(2) : 2);                 // SPI, PPI or neither
      c.push_back(chance(95) ? pick(16) : 900 + pick(200));  // sometimes out of range
      c.push_back(4);
    }
    if (chance(5)) c.push_back(1);
    w.cells("interrupts", c);
  }

  std::mt19937 rng_;
  int nodes_ = 0;
  bool skeleton_ = false;  // still to be added
};

TEST(BoardSameAsReference, OnRandomTrees) {
  size_t ok = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const Blob b = RandomTree(static_cast<uint32_t>(iter)).build();
    Exact e(b);
    auto fdt = e.open();
    ASSERT_TRUE(fdt.ok()) << iter << ": " << fdt.error().message;
    ExpectSameAsReference(*fdt, "random tree", iter);
    ok += parse_board(*fdt).ok();
    if (HasFailure()) break;
  }
  EXPECT_GT(ok, 100u);  // enough trees get through to the end, not only to an early error
  RecordProperty("ok", static_cast<int>(ok));
}

TEST(BoardSameAsReference, OnOptionVariants) {
  int iter = 0;
  for (Gic g : {Gic::kNone, Gic::kV3, Gic::kGic400, Gic::kCortexA15, Gic::kCortexA9}) {
    for (uint32_t cells : {1u, 2u}) {
      for (uint32_t ip : {0u, 0xfde8u, 0x1234u}) {
        for (int extras = 0; extras < 4; ++extras) {
          Options o;
          o.gic = g;
          o.address_cells = o.size_cells = cells;
          o.interrupt_parent = ip;
          o.vpl011 = (extras & 1) != 0;
          o.hypervisor = (extras & 2) != 0;
          o.bootargs = "x";
          Parsed p(o);
          ExpectSameAsReference(p.tree, "options", iter++);
        }
      }
    }
  }
}

TEST(BoardSameAsReference, OnMutatedTrees) {
  const Blob good = FullTree();
  const uint32_t off_struct = Get32(good, kOffStruct), size_struct = Get32(good, kSizeStruct);
  std::mt19937 rng(7);
  size_t opened = 0;
  for (int iter = 0; iter < 5000; ++iter) {
    Blob b = good;
    for (int k = 0, flips = 1 + static_cast<int>(rng() % 3); k < flips; ++k) {
      const size_t at = off_struct + rng() % size_struct;
      if (rng() % 2 == 0) {
        b[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
      } else {
        b[at] = static_cast<uint8_t>(rng() % 4);
      }
    }
    Exact e(b);
    auto fdt = e.open();
    if (!fdt.ok()) continue;
    ++opened;
    ExpectSameAsReference(*fdt, "mutation", iter);
    if (HasFailure()) break;
  }
  EXPECT_GT(opened, 1000u);
}

// ---------------------------------------------------------------------------
// The one pass on a blob changed after open() (which the Fdt contract
// forbids, but memory handed over by another domain may do): the Cursor
// re-checks the structure block as it reads, so parse_board() gives an error
// or a BoardInfo, never a read outside the blob (AddressSanitizer watches)
// and never an endless loop.

TEST(BoardOnePass, StructureBlockChangedAfterOpen) {
  const Blob good = FullTree();
  const uint32_t off_struct = Get32(good, kOffStruct), size_struct = Get32(good, kSizeStruct);
  std::mt19937 rng(11);
  size_t errors = 0;
  for (int iter = 0; iter < 5000; ++iter) {
    Exact e(good);
    auto fdt = e.open();
    ASSERT_TRUE(fdt.ok());
    for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k) {
      uint8_t* at = e.bytes.get() + off_struct + 4 * (rng() % (size_struct / 4));
      static const uint32_t kWords[] = {1, 2, 3, 4, 9, 0, 0x7fffffff, 0xfffffff0, 0x100};
      const uint32_t v = rng() % 3 == 0 ? static_cast<uint32_t>(rng()) : kWords[rng() % 9];
      for (int i = 0; i < 4; ++i) at[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
    }
    auto b = parse_board(*fdt);
    if (!b.ok()) {
      ++errors;
      const char* m = b.error().message;
      EXPECT_TRUE(strncmp(m, "device tree: ", 13) == 0 || strncmp(m, "board: ", 7) == 0) << m;
    } else {
      ExpectTreeString(b->bootargs, e.bytes.get(), e.size);
    }
    Fdt::Cursor c(*fdt);  // and the Cursor alone ends, one way or the other
    int steps = 0;
    for (;; ++steps) {
      auto item = c.next();
      if (!item.ok() || item->kind == Fdt::Item::Kind::kEnd) break;
      ASSERT_GE(item->depth, 1u);
      ASSERT_LE(item->depth, Fdt::kMaxDepth);
      if (item->kind == Fdt::Item::Kind::kProperty) {
        EXPECT_TRUE(InBlob(item->value.data, item->value.size, e.bytes.get(), e.size));
      }
    }
    EXPECT_LE(steps, static_cast<int>(size_struct / 4));
  }
  EXPECT_GT(errors, 1000u);
}

TEST(BoardFromBlob, OnePassSameAsOpenThenParse) {
  for (int iter = 0; iter < 2000; ++iter) {
    ExpectOnePassSameAsTwo(RandomTree(static_cast<uint32_t>(iter)).build(), "random tree", iter);
    if (HasFailure()) return;
  }
  const Blob good = FullTree();
  std::mt19937 rng(11);
  size_t rejected = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    Blob b = good;
    for (int k = 0, flips = 1 + static_cast<int>(rng() % 3); k < flips; ++k) {
      b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    ExpectOnePassSameAsTwo(b, "mutation", iter);
    rejected += !Fdt::open(b.data(), b.size()).ok();
    if (HasFailure()) return;
  }
  EXPECT_GT(rejected, 300u);  // the blob's own errors are compared too, not only boards
  for (size_t len = 0; len < good.size(); len += 7) {
    ExpectOnePassSameAsTwo(Blob(good.begin(), good.begin() + static_cast<long>(len)), "truncation",
                           static_cast<int>(len));
  }
}

TEST(BoardFromBlob, ReadsTheStructureBlockOnce) {
  const Blob good = FullTree();
  Exact e(good);
  uint32_t passes = 0;
  auto fdt = Fdt::open_reading(e.bytes.get(), e.size, [&passes](const Fdt::Item& item) {
    passes += item.kind == Fdt::Item::Kind::kEnd;
    return ok();
  });
  ASSERT_TRUE(fdt.ok());
  EXPECT_EQ(passes, 1u);
  EXPECT_EQ(fdt->reads().passes, 1u) << "the reader saw the validation pass itself";
  EXPECT_EQ(fdt->reads().lookup_tokens, 0u);
  ASSERT_TRUE(parse_board(e.bytes.get(), e.size).ok());
}

// The boot's one-pass reader takes blobs where a boot protocol puts them
// (4-byte aligned at least); Fdt::open() still reads any.
TEST(BoardFromBlob, RefusesAnUnalignedBlobThatOpenReads) {
  const Blob good = FullTree();
  std::unique_ptr<uint8_t[]> buf(new uint8_t[good.size() + 1]);
  memcpy(buf.get() + 1, good.data(), good.size());
  auto board = parse_board(buf.get() + 1, good.size());
  ASSERT_FALSE(board.ok());
  EXPECT_STREQ(board.error().message, "device tree: structure block not 4-byte aligned in memory");
  auto fdt = Fdt::open(buf.get() + 1, good.size());
  ASSERT_TRUE(fdt.ok());
  EXPECT_TRUE(parse_board(*fdt).ok());
}

TEST(BoardFromBlob, AReaderErrorStopsThePass) {
  const Blob good = FullTree();
  Exact e(good);
  int items = 0;
  auto fdt = Fdt::open_reading(e.bytes.get(), e.size, [&items](const Fdt::Item&) -> Status {
    if (++items == 3) return Error{Errc::kBusy, "reader: enough"};
    return ok();
  });
  ASSERT_FALSE(fdt.ok());
  EXPECT_STREQ(fdt.error().message, "reader: enough");
  EXPECT_EQ(items, 3);
}
}  // namespace
}  // namespace petrel
