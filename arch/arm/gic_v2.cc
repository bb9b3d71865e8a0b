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
uint32_t g_lines;

void set_priority(uint32_t intid, uint8_t prio) {
  uintptr_t reg = g_gicd + kGicdIpriorityr + (intid & ~3u);
  uint32_t shift = (intid & 3u) * 8;
  uint32_t v = mmio_read32(reg);
  v = (v & ~(0xffu << shift)) | (static_cast<uint32_t>(prio) << shift);
  mmio_write32(reg, v);
}

}  // namespace

Status init(const BoardInfo& board) {
  if (board.gicd.size < 0x1000 || board.gicc.size < 0x1000)
    return Error{Errc::kInvalid, "gicv2: distributor or CPU interface region too small"};
  g_gicd = static_cast<uintptr_t>(board.gicd.base);
  g_gicc = static_cast<uintptr_t>(board.gicc.base);
  g_lines = ((mmio_read32(g_gicd + kGicdTyper) & 0x1f) + 1) * 32;

  mmio_write32(g_gicd + kGicdCtlr, 0);
  for (uint32_t i = 0; i < g_lines; i += 32)
    mmio_write32(g_gicd + kGicdIcenabler + i / 8, 0xffffffffu);
  mmio_write32(g_gicd + kGicdCtlr, 1);

  mmio_write32(g_gicc + kGiccPmr, 0xf0);
  mmio_write32(g_gicc + kGiccBpr, 0);
  mmio_write32(g_gicc + kGiccCtlr, 1);
  return ok();
}

void enable(uint32_t intid, bool on) {
  if (intid >= g_lines) return;
  uintptr_t bank = (intid / 32) * 4;
  if (on) {
    set_priority(intid, 0xa0);
    if (intid >= 32) {  // route SPIs to CPU 0
      uintptr_t reg = g_gicd + kGicdItargetsr + (intid & ~3u);
      uint32_t shift = (intid & 3u) * 8;
      mmio_write32(reg, (mmio_read32(reg) & ~(0xffu << shift)) | (1u << shift));
    }
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
