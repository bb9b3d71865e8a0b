// AArch32 system-register (CP15) access by encoding, as the ARM ARM lists
// each register: MRC/MCR p15, opc1, Rt, CRn, CRm, opc2 for 32-bit registers
// and MRRC/MCRR p15, opc1, Rt, Rt2, CRm for 64-bit ones.
#pragma once

#include <stdint.h>

#include "arch/barrier.h"

#define PETREL_CP15_READ(opc1, crn, crm, opc2)                            \
  ({                                                                      \
    uint32_t value_;                                                      \
    __asm__ volatile("mrc p15, " #opc1 ", %0, " #crn ", " #crm ", " #opc2 \
                     : "=r"(value_)::"memory");                           \
    value_;                                                               \
  })

#define PETREL_CP15_WRITE(opc1, crn, crm, opc2, value)              \
  do {                                                              \
    __asm__ volatile("mcr p15, " #opc1 ", %0, " #crn ", " #crm      \
                     ", " #opc2 ::"r"(static_cast<uint32_t>(value)) \
                     : "memory");                                   \
  } while (0)

#define PETREL_CP15_READ64(opc1, crm)                                                  \
  ({                                                                                   \
    uint64_t value_;                                                                   \
    __asm__ volatile("mrrc p15, " #opc1 ", %Q0, %R0, " #crm : "=r"(value_)::"memory"); \
    value_;                                                                            \
  })

#define PETREL_CP15_WRITE64(opc1, crm, value)                                                   \
  do {                                                                                          \
    __asm__ volatile("mcrr p15, " #opc1 ", %Q0, %R0, " #crm ::"r"(static_cast<uint64_t>(value)) \
                     : "memory");                                                               \
  } while (0)

namespace petrel::arch {

inline void irq_enable() {
  __asm__ volatile("cpsie i" ::: "memory");
}
inline void irq_disable() {
  __asm__ volatile("cpsid i" ::: "memory");
}
inline uint32_t read_cpsr() {
  uint32_t v;
  __asm__ volatile("mrs %0, cpsr" : "=r"(v)::"memory");
  return v;
}
inline constexpr uint32_t kCpsrIrqMask = 1u << 7;  // CPSR.I
inline bool irq_enabled() {
  return (read_cpsr() & kCpsrIrqMask) == 0;
}

}  // namespace petrel::arch
