// The PL061 GPIO driver (petrel/drivers/pl061.h).
#include "petrel/drivers/pl061.h"

#include "arch/mmio.h"
#include "petrel/arch.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/semaphore.h"

namespace petrel::drivers {
namespace {

// Register offsets (PL061 TRM). GPIODATA is address-masked: bits [9:2] of
// the offset select which pins a read returns, so 0x3fc reads all eight.
constexpr uintptr_t kData = 0x3fc;
constexpr uintptr_t kDir = 0x400;  // 1: output
constexpr uintptr_t kIs = 0x404;   // interrupt sense, 0: edge
constexpr uintptr_t kIbe = 0x408;  // both edges
constexpr uintptr_t kIev = 0x40c;  // 1: rising edge
constexpr uintptr_t kIe = 0x410;   // interrupt mask, 1: enabled
constexpr uintptr_t kMis = 0x418;  // masked interrupt status
constexpr uintptr_t kIc = 0x41c;   // interrupt clear

Pl061 g_pl061;
bool g_opened = false;

}  // namespace

Result<Pl061*> Pl061::open() {
  if (g_opened) return &g_pl061;
  auto d = find_device("arm,pl061");
  if (!d) return d.error();
  if (Status s = check_primecell(*d, 0x061); !s) return s.error();
  g_pl061.device_ = *d;
  arch::mmio_write32(d->base + kIe, 0);
  arch::mmio_write32(d->base + kDir, 0);
  arch::mmio_write32(d->base + kIs, 0);
  arch::mmio_write32(d->base + kIbe, 0);
  arch::mmio_write32(d->base + kIev, 0xff);
  g_opened = true;
  return &g_pl061;
}

uint8_t Pl061::read() const {
  return static_cast<uint8_t>(arch::mmio_read32(device_.base + kData));
}

Status Pl061::watch_rising(unsigned pin, kernel::Semaphore* sem) {
  if (pin >= 8 || sem == nullptr) return Error{Errc::kInvalid, "pl061: no such pin"};
  if (!irq_registered_) {
    if (Status s = arch::irq_register(device_.intid, on_interrupt, this); !s) return s;
    irq_registered_ = true;
  }
  {
    kernel::CriticalSection cs;
    watchers_[pin] = sem;
    const uint32_t ie = arch::mmio_read32(device_.base + kIe);
    arch::mmio_write32(device_.base + kIe, ie | (1u << pin));
  }
  return ok();
}

void Pl061::on_interrupt(uint32_t, void* self) {
  auto* g = static_cast<Pl061*>(self);
  const uint32_t mis = arch::mmio_read32(g->device_.base + kMis) & 0xff;
  arch::mmio_write32(g->device_.base + kIc, mis);  // before the GIC's end of interrupt
  for (unsigned pin = 0; pin < 8; ++pin) {
    if ((mis & (1u << pin)) == 0 || g->watchers_[pin] == nullptr) continue;
    g->edges_ = g->edges_ + 1;
    bool woken = false;
    (void)kernel::semaphore_give_from_isr(g->watchers_[pin], &woken);
  }
}

}  // namespace petrel::drivers
