// The AArch32 side of the CPU operations the shared ARM code (arch/arm/)
// uses; the same shape as arch/arm64/include/arch/cpu.h, with the CP15
// encodings of the ARMv7-A/ARMv8 AArch32 registers.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/cp15.h"

namespace petrel::arch {

inline constexpr const char* kArchName = "AArch32";
// Stage-1 address space: 32 bits in the long-descriptor format (TTBCR.EAE =
// 1, T0SZ = 0), walks start at level 1.
inline constexpr unsigned kVaBits = 32;

// --- interrupt mask (CPSR.I) ---
inline uint64_t irq_flags_save() {
  const uint32_t cpsr = read_cpsr();
  irq_disable();
  return cpsr & kCpsrIrqMask;
}
inline void irq_flags_restore(uint64_t saved) {
  if ((saved & kCpsrIrqMask) == 0) irq_enable();
}

// --- the generic timer (PL1 virtual timer) ---
inline uint64_t read_cntfrq() {
  return PETREL_CP15_READ(0, c14, c0, 0);  // CNTFRQ
}
inline uint64_t read_cntvct() {
  isb();                              // no speculative early read of the counter
  return PETREL_CP15_READ64(1, c14);  // CNTVCT
}
inline uint64_t read_cntvct_unordered() {  // the ISB's cost saved where order does not matter
  return PETREL_CP15_READ64(1, c14);       // CNTVCT
}
inline void write_cntv_cval(uint64_t v) {
  PETREL_CP15_WRITE64(3, c14, v);  // CNTV_CVAL
}
inline void write_cntv_ctl(uint64_t v) {
  PETREL_CP15_WRITE(0, c14, c3, 1, v);  // CNTV_CTL
}

// --- the PL1 physical timer (emulated by Xen): a second interrupt source
// for tests and benchmarks; the kernel itself never uses it ---
inline uint64_t read_cntpct() {
  isb();
  return PETREL_CP15_READ64(0, c14);  // CNTPCT
}
inline void write_cntp_cval(uint64_t v) {
  PETREL_CP15_WRITE64(2, c14, v);  // CNTP_CVAL
}
inline void write_cntp_ctl(uint64_t v) {
  PETREL_CP15_WRITE(0, c14, c2, 1, v);  // CNTP_CTL
  isb();
}

// --- identification ---
inline uint64_t read_midr() {
  return PETREL_CP15_READ(0, c0, c0, 0);
}
// Tasks and the kernel run in SVC mode: PL1, which ARMv8 calls EL1.
inline int current_el() {
  return 1;
}

// --- the thread pointer (TLS, arch/tls_layout.h): TPIDRURO, which the
// compiler's local-exec code and the C library's __aeabi_read_tp read ---
inline constexpr size_t kTcbSize = 8;
inline void write_thread_pointer(uintptr_t tp) {
  PETREL_CP15_WRITE(0, c13, c0, 3, static_cast<uint32_t>(tp));
}

// --- FP/SIMD: FPEXC.EN off makes every VFP/NEON instruction undefined ---
inline constexpr uint32_t kFpexcEnable = 1u << 30;
inline uint32_t read_fpexc() {
  uint32_t v;
  __asm__ volatile("vmrs %0, fpexc" : "=r"(v)::"memory");
  return v;
}
inline void fp_hw_enable(bool on) {
  const uint32_t fpexc = read_fpexc();
  const uint32_t want = on ? (fpexc | kFpexcEnable) : (fpexc & ~kFpexcEnable);
  if (want != fpexc) {
    __asm__ volatile("vmsr fpexc, %0" ::"r"(want) : "memory");
    isb();
  }
}

// --- MMU maintenance ---
// One 64-bit store (STRD: single-copy atomic with LPAE), so the walker never
// sees half an entry.
inline void pte_store(uint64_t* entry, uint64_t value) {
  __asm__ volatile("strd %Q1, %R1, [%0]" ::"r"(entry), "r"(value) : "memory");
}
// Replaces a live block entry with a table mapping the same memory the same
// way (break-before-make): invalid first, every TLB entry flushed
// (TLBIALLIS: an implementation may have cached parts of the block), then
// the table, each a single-copy-atomic STRD. One asm statement, so no
// compiler-made memory access (a spill to a stack that may lie in that very
// block) falls in the window. Interrupts masked.
inline void pte_replace_live(uint64_t* entry, uint64_t table) {
  const uint64_t invalid = 0;
  __asm__ volatile(
      "strd %Q2, %R2, [%0]\n"
      "dsb ishst\n"
      "mcr p15, 0, %Q2, c8, c3, 0\n"
      "dsb ish\n"
      "strd %Q1, %R1, [%0]\n"
      "dsb ishst\n"
      "isb" ::"r"(entry),
      "r"(table), "r"(invalid)
      : "memory");
}
inline void tlb_invalidate_page(uintptr_t va) {
  dsb_ish();
  PETREL_CP15_WRITE(0, c8, c3, 3, va & ~uintptr_t{0xfff});  // TLBIMVAAIS
  dsb_ish();
  isb();
}
inline void dcache_clean_invalidate(uintptr_t start, uintptr_t end) {
  for (uintptr_t p = start & ~uintptr_t{63}; p < end; p += 64)
    PETREL_CP15_WRITE(0, c7, c14, 1, p);  // DCCIMVAC
  dsb_sy();
}

}  // namespace petrel::arch
