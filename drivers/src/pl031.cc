// The PL031 RTC driver (petrel/drivers/pl031.h).
#include "petrel/drivers/pl031.h"

#include "arch/mmio.h"

namespace petrel::drivers {
namespace {

constexpr uintptr_t kDr = 0x000;  // data: the current count of seconds
constexpr uintptr_t kCr = 0x00c;  // control: bit 0 starts the counter

}  // namespace

Result<Pl031> Pl031::open() {
  auto d = find_device("arm,pl031");
  if (!d) return d.error();
  if (Status s = check_primecell(*d, 0x031); !s) return s.error();
  Pl031 rtc;
  rtc.device_ = *d;
  arch::mmio_write32(d->base + kCr, 1);  // counting (it is after reset; harmless)
  return rtc;
}

uint32_t Pl031::seconds() const {
  return arch::mmio_read32(device_.base + kDr);
}

}  // namespace petrel::drivers
