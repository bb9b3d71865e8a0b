// AArch64 system-register access. Names are spelled as the assembler knows
// them (S3_... for GICv3 registers, which need no special -march).
#pragma once

#include <stdint.h>

#include "arch/barrier.h"

#define PETREL_READ_SYSREG(name)                       \
  ({                                                   \
    uint64_t value_;                                   \
    __asm__ volatile("mrs %0, " #name : "=r"(value_)); \
    value_;                                            \
  })

#define PETREL_WRITE_SYSREG(name, value)                                                  \
  do {                                                                                    \
    __asm__ volatile("msr " #name ", %0" ::"r"(static_cast<uint64_t>(value)) : "memory"); \
  } while (0)

namespace petrel::arch {

inline void irq_enable() {
  __asm__ volatile("msr daifclr, #2" ::: "memory");
}
inline void irq_disable() {
  __asm__ volatile("msr daifset, #2" ::: "memory");
}
inline bool irq_enabled() {
  return (PETREL_READ_SYSREG(daif) & (1u << 7)) == 0;
}

}  // namespace petrel::arch
