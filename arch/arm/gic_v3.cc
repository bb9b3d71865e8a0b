// GICv3: a memory-mapped distributor and per-CPU redistributors, and the CPU
// interface as system registers (arch/gic_cpuif.h). Petrel uses
// affinity routing and Non-secure Group 1 for every interrupt.
#include "arch/cpu.h"
#include "arch/gic.h"
#include "arch/gic_cpuif.h"
#include "arch/mmio.h"

namespace petrel::arch::gicv3 {
namespace {

constexpr uintptr_t kGicdCtlr = 0x0000;
constexpr uintptr_t kGicdTyper = 0x0004;
constexpr uintptr_t kGicdIgroupr = 0x0080;
constexpr uintptr_t kGicdIsenabler = 0x0100;
constexpr uintptr_t kGicdIcenabler = 0x0180;
constexpr uintptr_t kGicdIpriorityr = 0x0400;
constexpr uintptr_t kGicdIrouter = 0x6000;
constexpr uint32_t kCtlrRwp = 1u << 31;
constexpr uint32_t kCtlrAreNs = 1u << 4;
constexpr uint32_t kCtlrEnableGrp1A = 1u << 1;

constexpr uintptr_t kGicrTyper = 0x0008;
constexpr uintptr_t kGicrWaker = 0x0014;
constexpr uint32_t kWakerProcessorSleep = 1u << 1;
constexpr uint32_t kWakerChildrenAsleep = 1u << 2;
constexpr uint32_t kWakerAsleep = kWakerProcessorSleep | kWakerChildrenAsleep;
constexpr uintptr_t kGicrFrameSize = 0x20000;  // RD_base + SGI_base
constexpr uintptr_t kSgiBase = 0x10000;
constexpr uintptr_t kGicrIgroupr0 = kSgiBase + 0x0080;
constexpr uintptr_t kGicrIsenabler0 = kSgiBase + 0x0100;
constexpr uintptr_t kGicrIcenabler0 = kSgiBase + 0x0180;
constexpr uintptr_t kGicrIpriorityr = kSgiBase + 0x0400;
constexpr uint8_t kPriority = 0xa0;  // every interrupt's, above the PMR's 0xf0

uintptr_t g_gicd;
uintptr_t g_rdist;  // this CPU's redistributor frame
uint32_t g_lines;   // 0 until lines() reads it

// The interrupt lines GICD_TYPER gives, read when the first SPI is enabled or
// disabled: a distributor read is a trap into Xen, and most guests only ever
// use PPIs.
uint32_t lines() {
  if (g_lines == 0) {
    const uint32_t n = ((mmio_read32(g_gicd + kGicdTyper) & 0x1f) + 1) * 32;
    g_lines = n < kMaxIrq ? n : kMaxIrq;
  }
  return g_lines;
}

void wait_rwp() {
  for (int i = 0; i < 100000 && (mmio_read32(g_gicd + kGicdCtlr) & kCtlrRwp) != 0; ++i) {
  }
}

// Finds the redistributor whose GICR_TYPER affinity matches MPIDR.
Result<uintptr_t> find_redistributor(const BoardInfo& board) {
  uint64_t mpidr = icc::read_mpidr();
  uint32_t aff = static_cast<uint32_t>((mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24);
  for (uint64_t off = 0; off + kGicrFrameSize <= board.gicr.size; off += kGicrFrameSize) {
    uintptr_t frame = static_cast<uintptr_t>(board.gicr.base + off);
    // GICR_TYPER as two 32-bit halves, the affinity first: on Xen each
    // access is a trap, and the first frame is normally this CPU's.
    if (mmio_read32(frame + kGicrTyper + 4) == aff) return frame;
    if ((mmio_read32(frame + kGicrTyper) & (1u << 4)) != 0) break;  // Last
  }
  return Error{Errc::kNotFound, "gicv3: no redistributor for this CPU"};
}

}  // namespace

// Every register access below is a trap into Xen's emulation, several
// hundred instructions each, so the boot makes as few as it can. The
// distributor and redistributor Xen creates with the domain start reset,
// every interrupt disabled, and Petrel is entered once per domain: nothing is
// disabled here, and an interrupt's group is set when it is enabled.
Status init(const BoardInfo& board) {
  if (board.gicd.size < 0x10000 || board.gicr.size < kGicrFrameSize)
    return Error{Errc::kInvalid, "gicv3: distributor or redistributor region too small"};
  g_gicd = static_cast<uintptr_t>(board.gicd.base);
  auto rd = find_redistributor(board);
  if (!rd) return rd.error();
  g_rdist = *rd;

  mmio_write32(g_gicd + kGicdCtlr, kCtlrAreNs | kCtlrEnableGrp1A);
  wait_rwp();

  // Wake the redistributor if it sleeps (Xen's is always awake).
  if (const uint32_t waker = mmio_read32(g_rdist + kGicrWaker); (waker & kWakerAsleep) != 0) {
    mmio_write32(g_rdist + kGicrWaker, waker & ~kWakerProcessorSleep);
    for (int i = 0; i < 100000 && (mmio_read32(g_rdist + kGicrWaker) & kWakerChildrenAsleep) != 0;
         ++i) {
    }
  }
  mmio_write32(g_rdist + kGicrIgroupr0, 0xffffffffu);  // SGIs and PPIs: Group 1

  icc::write_sre(icc::read_sre() | 1);
  isb();
  icc::write_pmr(0xf0);
  icc::write_bpr1(0);
  icc::write_ctlr(0);  // EOImode 0: EOIR both drops priority and deactivates
  icc::write_igrpen1(1);
  isb();
  return ok();
}

MemRange redistributor() {
  return MemRange{g_rdist, g_rdist != 0 ? kGicrFrameSize : 0};
}

// Priorities are byte-accessible: one write, no read-modify-write.
void enable(uint32_t intid, bool on) {
  if (intid < 32) {
    if (on) mmio_write8(g_rdist + kGicrIpriorityr + intid, kPriority);
    mmio_write32(g_rdist + (on ? kGicrIsenabler0 : kGicrIcenabler0), 1u << intid);
    return;
  }
  if (intid >= lines()) return;
  uintptr_t bank = (intid / 32) * 4;
  if (on) {
    const uintptr_t group = g_gicd + kGicdIgroupr + bank;
    mmio_write32(group, mmio_read32(group) | (1u << (intid % 32)));  // Group 1
    mmio_write8(g_gicd + kGicdIpriorityr + intid, kPriority);
    mmio_write64(g_gicd + kGicdIrouter + intid * 8, 0);  // affinity 0.0.0.0: the boot CPU
    mmio_write32(g_gicd + kGicdIsenabler + bank, 1u << (intid % 32));
  } else {
    mmio_write32(g_gicd + kGicdIcenabler + bank, 1u << (intid % 32));
  }
}

uint32_t acknowledge() {
  return icc::read_iar1() & 0xffffff;
}

void end_of_interrupt(uint32_t intid) {
  icc::write_eoir1(intid);
  isb();
}

}  // namespace petrel::arch::gicv3
