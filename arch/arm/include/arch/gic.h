// GIC drivers (v2 and v3) shared by the ARM architectures. The version and
// register frames come from the device tree; gic_init() picks the driver.
#pragma once

#include <stdint.h>

#include "petrel/board.h"
#include "petrel/result.h"

namespace petrel::arch {

inline constexpr uint32_t kSpuriousIrq = 1020;  // IDs >= 1020 are special/spurious
inline constexpr uint32_t kMaxIrq = 256;        // IDs Petrel routes: SGIs, PPIs, SPIs < 256

void gic_enable_irq(uint32_t intid);
void gic_disable_irq(uint32_t intid);
// Returns the ID of the highest-priority pending interrupt and marks it active.
uint32_t gic_acknowledge();
void gic_end_of_interrupt(uint32_t intid);
GicVersion gic_version();

// The register frames the driver uses once gic_init() succeeded: the
// distributor, and the CPU interface (v2) or this CPU's redistributor (v3,
// one 128 KiB frame of a region Xen sizes for many vCPUs). The MMU maps
// these, not the whole regions of the device tree; empty before gic_init().
struct GicFrames {
  MemRange distributor;
  MemRange cpu;
};
GicFrames gic_frames();

namespace gicv2 {
Status init(const BoardInfo& board);
void enable(uint32_t intid, bool on);
uint32_t acknowledge();
void end_of_interrupt(uint32_t intid);
}  // namespace gicv2

namespace gicv3 {
Status init(const BoardInfo& board);
MemRange redistributor();  // this CPU's frame, found by init()
void enable(uint32_t intid, bool on);
uint32_t acknowledge();
void end_of_interrupt(uint32_t intid);
}  // namespace gicv3

// Called from the architecture's IRQ vector: acknowledges and dispatches
// every pending interrupt to its handler.
void irq_dispatch();

}  // namespace petrel::arch
