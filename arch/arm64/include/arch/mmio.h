// MMIO accessors. Xen emulates the GIC and the vpl011 by trapping stage-2
// faults and decoding the syndrome, which only works for single loads and
// stores without writeback. Plain volatile accesses may be compiled into
// pairs or post-indexed forms, so every access is one explicit instruction.
#pragma once

#include <stdint.h>

namespace petrel::arch {

inline uint32_t mmio_read32(uintptr_t addr) {
  uint32_t v;
  __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
  return v;
}
inline void mmio_write32(uintptr_t addr, uint32_t v) {
  __asm__ volatile("str %w0, [%1]" ::"rZ"(v), "r"(addr) : "memory");
}
inline uint64_t mmio_read64(uintptr_t addr) {
  uint64_t v;
  __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
  return v;
}
inline void mmio_write64(uintptr_t addr, uint64_t v) {
  __asm__ volatile("str %x0, [%1]" ::"rZ"(v), "r"(addr) : "memory");
}
inline void mmio_write8(uintptr_t addr, uint8_t v) {
  __asm__ volatile("strb %w0, [%1]" ::"rZ"(v), "r"(addr) : "memory");
}

}  // namespace petrel::arch
