// GIC front end: picks the v2 or v3 driver from the device tree and routes
// acknowledged interrupts to registered handlers.
#include "arch/gic.h"

#include "petrel/arch.h"
#include "petrel/console.h"
#include "petrel/kernel/trace.h"

namespace petrel::arch {
namespace {

struct Route {
  IrqHandler handler;
  void* ctx;
};

GicVersion g_version = GicVersion::kNone;
GicFrames g_frames;
Route g_routes[kMaxIrq];

}  // namespace

GicVersion gic_version() {
  return g_version;
}

Status gic_init(const BoardInfo& board) {
  Status s = Error{Errc::kUnsupported, "gic: the device tree describes no GICv2 or GICv3"};
  if (board.gic_version == GicVersion::kV2) s = gicv2::init(board);
  if (board.gic_version == GicVersion::kV3) s = gicv3::init(board);
  if (!s) return s;
  g_version = board.gic_version;
  g_frames.distributor = board.gicd;
  g_frames.cpu = g_version == GicVersion::kV3 ? gicv3::redistributor() : board.gicc;
  return s;
}

GicFrames gic_frames() {
  return g_frames;
}

void gic_enable_irq(uint32_t intid) {
  if (g_version == GicVersion::kV3) gicv3::enable(intid, true);
  if (g_version == GicVersion::kV2) gicv2::enable(intid, true);
}

void gic_disable_irq(uint32_t intid) {
  if (g_version == GicVersion::kV3) gicv3::enable(intid, false);
  if (g_version == GicVersion::kV2) gicv2::enable(intid, false);
}

uint32_t gic_acknowledge() {
  if (g_version == GicVersion::kV3) return gicv3::acknowledge();
  if (g_version == GicVersion::kV2) return gicv2::acknowledge();
  return kSpuriousIrq;
}

void gic_end_of_interrupt(uint32_t intid) {
  if (g_version == GicVersion::kV3) gicv3::end_of_interrupt(intid);
  if (g_version == GicVersion::kV2) gicv2::end_of_interrupt(intid);
}

Status irq_register(uint32_t intid, IrqHandler handler, void* ctx) {
  if (g_version == GicVersion::kNone) return Error{Errc::kBusy, "irq: the GIC is not initialized"};
  if (intid >= kMaxIrq || handler == nullptr)
    return Error{Errc::kOutOfRange, "irq: interrupt ID out of range"};
  if (g_routes[intid].handler != nullptr)
    return Error{Errc::kBusy, "irq: interrupt already has a handler"};
  g_routes[intid] = Route{handler, ctx};
  gic_enable_irq(intid);
  return ok();
}

void irq_unregister(uint32_t intid) {
  if (intid >= kMaxIrq) return;
  gic_disable_irq(intid);
  g_routes[intid] = Route{nullptr, nullptr};
}

void irq_dispatch() {
  // Bounded: a storm of pending interrupts cannot keep us here forever.
  for (int i = 0; i < 64; ++i) {
    uint32_t id = gic_acknowledge();
    if (id >= kSpuriousIrq) return;
    if (id < kMaxIrq && g_routes[id].handler != nullptr) {
      kernel::trace::interrupt_enter(id);
      g_routes[id].handler(id, g_routes[id].ctx);
      kernel::trace::interrupt_exit(id);
    } else {
      // Nobody asked for it: silence it rather than take it again forever.
      gic_disable_irq(id);
      print("petrel: unexpected interrupt %u disabled\n", id);
    }
    gic_end_of_interrupt(id);
  }
}

}  // namespace petrel::arch
