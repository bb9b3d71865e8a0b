// The ARM PL031 real-time clock, as a passed-through device (QEMU's virt
// board: 0x9010000, SPI 2): a counter of seconds since 1970 (UTC) that
// QEMU starts from the host's clock.
#pragma once

#include <stdint.h>

#include "petrel/civil_time.h"
#include "petrel/drivers/device.h"
#include "petrel/result.h"

namespace petrel::drivers {

class Pl031 {
 public:
  // The guest's PL031, checked (PrimeCell part 0x031). kNotFound if the
  // guest was given none.
  static Result<Pl031> open();

  const Device& device() const { return device_; }
  // Seconds since 1970 (UTC).
  uint32_t seconds() const;

 private:
  Device device_{};
};

}  // namespace petrel::drivers
