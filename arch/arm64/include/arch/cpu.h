// The AArch64 side of the CPU operations the shared ARM code (arch/arm/)
// uses: barriers, interrupt masking, the generic timer, identification, the
// FP/SIMD enable and the MMU maintenance operations. arch/arm32 has a header
// of the same name and shape with the AArch32 (cp15) encodings.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/sysreg.h"

namespace petrel::arch {

inline constexpr const char* kArchName = "AArch64";
// Stage-1 address space: 39 bits, walks start at level 1 (TCR_EL1.T0SZ = 25).
inline constexpr unsigned kVaBits = 39;

// --- interrupt mask ---
inline uint64_t irq_flags_save() {
  const uint64_t daif = PETREL_READ_SYSREG(daif);
  irq_disable();
  return daif;
}
inline void irq_flags_restore(uint64_t saved) {
  PETREL_WRITE_SYSREG(daif, saved);
}

// --- the generic timer (EL1 virtual timer) ---
inline uint64_t read_cntfrq() {
  return PETREL_READ_SYSREG(cntfrq_el0);
}
inline uint64_t read_cntvct() {
  isb();  // no speculative early read of the counter
  return PETREL_READ_SYSREG(cntvct_el0);
}
inline uint64_t read_cntvct_unordered() {  // the ISB's cost saved where order does not matter
  return PETREL_READ_SYSREG(cntvct_el0);
}
inline void write_cntv_cval(uint64_t v) {
  PETREL_WRITE_SYSREG(cntv_cval_el0, v);
}
inline void write_cntv_ctl(uint64_t v) {
  PETREL_WRITE_SYSREG(cntv_ctl_el0, v);
}

// --- the EL1 physical timer (emulated by Xen): a second interrupt source
// for tests and benchmarks; the kernel itself never uses it ---
inline uint64_t read_cntpct() {
  isb();
  return PETREL_READ_SYSREG(cntpct_el0);
}
inline void write_cntp_cval(uint64_t v) {
  PETREL_WRITE_SYSREG(cntp_cval_el0, v);
}
inline void write_cntp_ctl(uint64_t v) {
  PETREL_WRITE_SYSREG(cntp_ctl_el0, v);
  isb();
}

// --- identification ---
inline uint64_t read_midr() {
  return PETREL_READ_SYSREG(midr_el1);
}
inline int current_el() {
  return static_cast<int>((PETREL_READ_SYSREG(currentel) >> 2) & 3);
}

// --- the thread pointer (TLS, arch/tls_layout.h): TPIDR_EL0 ---
inline constexpr size_t kTcbSize = 16;
inline void write_thread_pointer(uintptr_t tp) {
  PETREL_WRITE_SYSREG(tpidr_el0, tp);
}

// --- FP/SIMD: CPACR_EL1.FPEN traps every FP/SIMD instruction when off ---
inline void fp_hw_enable(bool on) {
  constexpr uint64_t kFpenMask = 3ull << 20;
  const uint64_t cpacr = PETREL_READ_SYSREG(cpacr_el1);
  const uint64_t want = on ? (cpacr | kFpenMask) : (cpacr & ~kFpenMask);
  if (want != cpacr) {
    PETREL_WRITE_SYSREG(cpacr_el1, want);
    isb();
  }
}

// --- MMU maintenance ---
// One 64-bit store: the walker never sees half an entry.
inline void pte_store(uint64_t* entry, uint64_t value) {
  *reinterpret_cast<volatile uint64_t*>(entry) = value;
}
// Replaces a live block entry with a table mapping the same memory the same
// way (break-before-make): invalid first, every TLB entry of this VM flushed
// (an implementation may have cached parts of the block), then the table.
// One asm statement, so no compiler-made memory access (a spill to a stack
// that may lie in that very block) falls in the window. Interrupts masked.
inline void pte_replace_live(uint64_t* entry, uint64_t table) {
  __asm__ volatile(
      "str xzr, [%0]\n"
      "dsb ishst\n"
      "tlbi vmalle1is\n"
      "dsb ish\n"
      "str %1, [%0]\n"
      "dsb ishst\n"
      "isb" ::"r"(entry),
      "r"(table)
      : "memory");
}
inline void tlb_invalidate_page(uintptr_t va) {
  __asm__ volatile("dsb ishst\n tlbi vaae1is, %0\n dsb ish\n isb" ::"r"(va >> 12) : "memory");
}
inline void dcache_clean_invalidate(uintptr_t start, uintptr_t end) {
  for (uintptr_t p = start & ~uintptr_t{63}; p < end; p += 64)
    __asm__ volatile("dc civac, %0" ::"r"(p) : "memory");
  dsb_sy();
}

}  // namespace petrel::arch
