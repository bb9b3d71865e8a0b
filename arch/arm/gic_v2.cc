// GICv2 (the guest view Xen gives of a gic-400): a memory-mapped distributor
// and CPU interface. All interrupts are Group 0 as far as the guest sees.
#include "arch/gic.h"
#include "arch/mmio.h"

namespace petrel::arch::gicv2 {
namespace {

constexpr uintptr_t kGicdCtlr = 0x000;
constexpr uintptr_t kGicdTyper = 0x004;
constexpr uintptr_t kGicdIsenabler = 0x100;
constexpr uintptr_t kGicdIcenabler = 0x180;
constexpr uintptr_t kGicdIpriorityr = 0x400;
constexpr uintptr_t kGicdItargetsr = 0x800;
constexpr uintptr_t kGiccCtlr = 0x000;
constexpr uintptr_t kGiccPmr = 0x004;
constexpr uintptr_t kGiccBpr = 0x008;
constexpr uintptr_t kGiccIar = 0x00c;
constexpr uintptr_t kGiccEoir = 0x010;

uintptr_t g_gicd;
uintptr_t g_gicc;
uint32_t g_lines;  // 0 until lines() reads it

// The interrupt lines GICD_TYPER gives, read when the first SPI is enabled or
// disabled: a distributor read is a trap into Xen, and most guests only ever
// use PPIs.
uint32_t lines() {
  if (g_lines == 0) g_lines = ((mmio_read32(g_gicd + kGicdTyper) & 0x1f) + 1) * 32;
  return g_lines;
}

constexpr uint8_t kPriority = 0xa0;  // every interrupt's, above the PMR's 0xf0

}  // namespace

Status init(const BoardInfo& board) {
  if (board.gicd.size < 0x1000 || board.gicc.size < 0x1000)
    return Error{Errc::kInvalid, "gicv2: distributor or CPU interface region too small"};
  g_gicd = static_cast<uintptr_t>(board.gicd.base);
  g_gicc = static_cast<uintptr_t>(board.gicc.base);
  // Each distributor access traps into Xen's emulation: the distributor Xen
  // creates with the domain starts with every interrupt disabled, and Petrel
  // is entered once per domain, so it is only switched on.
  mmio_write32(g_gicd + kGicdCtlr, 1);

  mmio_write32(g_gicc + kGiccPmr, 0xf0);
  mmio_write32(g_gicc + kGiccBpr, 0);
  mmio_write32(g_gicc + kGiccCtlr, 1);
  return ok();
}

void enable(uint32_t intid, bool on) {
  if (intid >= 32 && intid >= lines()) return;
  uintptr_t bank = (intid / 32) * 4;
  if (on) {
    // Priorities and targets are byte-accessible: one write each.
    mmio_write8(g_gicd + kGicdIpriorityr + intid, kPriority);
    if (intid >= 32) mmio_write8(g_gicd + kGicdItargetsr + intid, 1);  // route SPIs to CPU 0
    mmio_write32(g_gicd + kGicdIsenabler + bank, 1u << (intid % 32));
  } else {
    mmio_write32(g_gicd + kGicdIcenabler + bank, 1u << (intid % 32));
  }
}

uint32_t acknowledge() {
  return mmio_read32(g_gicc + kGiccIar) & 0x3ff;
}

void end_of_interrupt(uint32_t intid) {
  mmio_write32(g_gicc + kGiccEoir, intid);
}

}  // namespace petrel::arch::gicv2
