// Turning the MMU on at EL1 in AArch64 (see arch/mmu_hw.h).
#include "arch/mmu_hw.h"

#include "arch/cpu.h"
#include "arch/pte.h"

namespace petrel::arch {

void mmu_hw_enable(uintptr_t root) {
  uint64_t parange = PETREL_READ_SYSREG(id_aa64mmfr0_el1) & 0xf;
  if (parange > 5) parange = 5;
  const uint64_t tcr = (64 - kVaBits)      // T0SZ
                       | (1ull << 8)       // IRGN0: WB RA WA
                       | (1ull << 10)      // ORGN0: WB RA WA
                       | (3ull << 12)      // SH0: inner shareable
                       | (0ull << 14)      // TG0: 4 KiB
                       | (1ull << 23)      // EPD1: no TTBR1 walks
                       | (parange << 32);  // IPS
  PETREL_WRITE_SYSREG(mair_el1, kMairValue);
  PETREL_WRITE_SYSREG(tcr_el1, tcr);
  PETREL_WRITE_SYSREG(ttbr0_el1, root);
  isb();
  __asm__ volatile("tlbi vmalle1\n dsb nsh\n ic iallu\n dsb nsh\n isb" ::: "memory");

  uint64_t sctlr = PETREL_READ_SYSREG(sctlr_el1);
  sctlr |= (1ull << 0)         // M: MMU on
           | (1ull << 2)       // C: data cache
           | (1ull << 3)       // SA: SP alignment check at EL1
           | (1ull << 12);     // I: instruction cache
  sctlr &= ~((1ull << 1)       // A: no alignment faults for normal memory
             | (1ull << 19)    // WXN: permissions are exactly as mapped
             | (1ull << 25));  // EE: little endian
  PETREL_WRITE_SYSREG(sctlr_el1, sctlr);
  isb();
}

}  // namespace petrel::arch
