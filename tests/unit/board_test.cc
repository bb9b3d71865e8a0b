// Unit tests for parse_board(), on Xen-style guest trees built with libfdt,
// and the robustness tests of Fdt and parse_board together: truncated and
// randomly mutated blobs, each copied into an exactly sized heap buffer so that
// AddressSanitizer reports any read past its end.
#include "petrel/board.h"

#include <gtest/gtest.h>
#include <libfdt.h>
#include <string.h>

#include <initializer_list>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace petrel {
namespace {

using Blob = std::vector<uint8_t>;
using Cells = std::vector<uint32_t>;
using Range = std::pair<uint64_t, uint64_t>;

// libfdt sequential-write wrapper.
class Writer {
 public:
  Writer() : buf_(64 * 1024) {
    Check(fdt_create(buf_.data(), static_cast<int>(buf_.size())));
    Check(fdt_finish_reservemap(buf_.data()));
  }
  Writer& begin(const char* name) { return Check(fdt_begin_node(buf_.data(), name)); }
  Writer& end() { return Check(fdt_end_node(buf_.data())); }
  Writer& u32(const char* name, uint32_t v) {
    return Check(fdt_property_u32(buf_.data(), name, v));
  }
  Writer& str(const char* name, const char* s) {
    return Check(fdt_property_string(buf_.data(), name, s));
  }
  Writer& raw(const char* name, const void* data, size_t len) {
    return Check(fdt_property(buf_.data(), name, data, static_cast<int>(len)));
  }
  Writer& cells(const char* name, const Cells& values) {
    std::vector<fdt32_t> be;
    for (uint32_t v : values) be.push_back(cpu_to_fdt32(v));
    return raw(name, be.data(), be.size() * 4);
  }
  Writer& strs(const char* name, std::initializer_list<const char*> list) {
    std::string all;
    for (const char* s : list) all.append(s, strlen(s) + 1);
    return raw(name, all.data(), all.size());
  }
  Blob finish() {
    Check(fdt_finish(buf_.data()));
    return Blob(buf_.begin(), buf_.begin() + fdt_totalsize(buf_.data()));
  }

 private:
  Writer& Check(int rc) {
    EXPECT_EQ(rc, 0) << fdt_strerror(rc);
    return *this;
  }
  Blob buf_;
};

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

}  // namespace
}  // namespace petrel
