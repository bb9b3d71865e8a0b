// Output to an SBSA/PL011 UART: Xen's vpl011 in dom0less guests.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace petrel::arch::pl011 {

void init(uintptr_t base);
void write(const char* text, size_t len);

}  // namespace petrel::arch::pl011
