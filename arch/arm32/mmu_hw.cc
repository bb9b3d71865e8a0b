// Turning the MMU on at PL1 in AArch32 (see arch/mmu_hw.h), with the
// long-descriptor (LPAE) translation format: the tables arch/arm/mmu.cc
// builds are the same as on AArch64.
#include "arch/mmu_hw.h"

#include "arch/cpu.h"
#include "arch/pte.h"

namespace petrel::arch {

void mmu_hw_enable(uintptr_t root) {
  const uint32_t ttbcr = (1u << 31)     // EAE: long-descriptor format
                         | (0u << 0)    // T0SZ = 0: TTBR0 covers all 4 GiB
                         | (1u << 8)    // IRGN0: WB RA WA
                         | (1u << 10)   // ORGN0: WB RA WA
                         | (3u << 12)   // SH0: inner shareable
                         | (1u << 23);  // EPD1: no TTBR1 walks
  PETREL_CP15_WRITE(0, c10, c2, 0, static_cast<uint32_t>(kMairValue));        // MAIR0
  PETREL_CP15_WRITE(0, c10, c2, 1, static_cast<uint32_t>(kMairValue >> 32));  // MAIR1
  PETREL_CP15_WRITE(0, c2, c0, 2, ttbcr);                                     // TTBCR
  PETREL_CP15_WRITE64(0, c2, static_cast<uint64_t>(root));                    // TTBR0
  isb();
  PETREL_CP15_WRITE(0, c8, c7, 0, 0);  // TLBIALL
  PETREL_CP15_WRITE(0, c7, c5, 0, 0);  // ICIALLU
  PETREL_CP15_WRITE(0, c7, c5, 6, 0);  // BPIALL
  dsb_sy();
  isb();

  uint32_t sctlr = PETREL_CP15_READ(0, c1, c0, 0);
  sctlr |= (1u << 0)         // M: MMU on
           | (1u << 2)       // C: data cache
           | (1u << 11)      // Z: branch prediction
           | (1u << 12);     // I: instruction cache
  sctlr &= ~((1u << 1)       // A: no alignment faults for normal memory
             | (1u << 19)    // WXN: permissions are exactly as mapped
             | (1u << 20)    // UWXN
             | (1u << 25)    // EE: little endian
             | (1u << 28)    // TRE: no TEX remap (ignored with LPAE)
             | (1u << 29));  // AFE: AP[0] is not an access flag (ignored with LPAE)
  PETREL_CP15_WRITE(0, c1, c0, 0, sctlr);
  isb();
}

}  // namespace petrel::arch
