// MMIO accessors for AArch32. Xen emulates the GIC and the vpl011 by trapping
// stage-2 faults and decoding the syndrome, which only works for single
// loads and stores without writeback (LDRD/STRD and LDM/STM have no valid
// syndrome): every access is one explicit LDR/STR. 64-bit registers are
// accessed as two 32-bit halves, low word first, which the GIC architecture
// allows for its 64-bit registers (GICR_TYPER, GICD_IROUTER).
//
// The data and address live in r0/r1, never in SP or LR: on Xen 4.17 a
// trapped store from SVC mode whose data register was LR reached the
// emulated device with the wrong value (the compiler had picked LR for a
// GICv2 enable write; the interrupt stayed disabled). SP and LR are the
// registers AArch32 banks per mode, which the hypervisor must pick by the
// guest's mode; r0-r7 are the same in every mode. Thumb code uses the
// 32-bit encodings (LDR.W/STR.W) so the syndrome's instruction length is
// never in question either.
#pragma once

#include <stdint.h>

#if defined(__thumb__)
#define PETREL_MMIO_W ".w"
#else
#define PETREL_MMIO_W ""
#endif

namespace petrel::arch {

inline uint32_t mmio_read32(uintptr_t addr) {
  register uint32_t value __asm__("r0");
  register uintptr_t address __asm__("r1") = addr;
  __asm__ volatile("ldr" PETREL_MMIO_W " %0, [%1]" : "=r"(value) : "r"(address) : "memory");
  return value;
}
inline void mmio_write32(uintptr_t addr, uint32_t v) {
  register uint32_t value __asm__("r0") = v;
  register uintptr_t address __asm__("r1") = addr;
  __asm__ volatile("str" PETREL_MMIO_W " %0, [%1]" ::"r"(value), "r"(address) : "memory");
}
inline uint64_t mmio_read64(uintptr_t addr) {
  const uint64_t lo = mmio_read32(addr);
  const uint64_t hi = mmio_read32(addr + 4);
  return lo | (hi << 32);
}
inline void mmio_write64(uintptr_t addr, uint64_t v) {
  mmio_write32(addr, static_cast<uint32_t>(v));
  mmio_write32(addr + 4, static_cast<uint32_t>(v >> 32));
}
inline void mmio_write8(uintptr_t addr, uint8_t v) {
  register uint32_t value __asm__("r0") = v;
  register uintptr_t address __asm__("r1") = addr;
  __asm__ volatile("strb" PETREL_MMIO_W " %0, [%1]" ::"r"(value), "r"(address) : "memory");
}

}  // namespace petrel::arch
