// Devices given to the guest: found in its own device tree at run time
// (Xen copies a passed-through device's node into the guest's tree under
// /passthrough), checked, and their registers mapped.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/result.h"

namespace petrel::drivers {

struct Device {
  uintptr_t base;  // its registers, mapped 1:1 as device memory
  size_t size;
  uint32_t intid;  // its first interrupt, GIC numbering (SPI n: 32 + n)
};

// The first node compatible with `compatible` in the guest's device tree:
// its first reg entry (page aligned, inside the guest's reach) and its
// first interrupt (a GIC SPI or PPI), the registers mapped. kNotFound when
// there is none (the device was not given to this guest).
Result<Device> find_device(const char* compatible);

// Checks an AMBA PrimeCell's identification registers (the last 32 bytes of
// its 4 KiB frame): the cell ID every PrimeCell has, and part number `part`
// (0x061 for a PL061) from its peripheral ID.
Status check_primecell(const Device& d, uint32_t part);

}  // namespace petrel::drivers
