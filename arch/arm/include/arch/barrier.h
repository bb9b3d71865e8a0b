// Barriers and WFI: the same mnemonics in AArch64 and AArch32.
#pragma once

namespace petrel::arch {

inline void isb() {
  __asm__ volatile("isb" ::: "memory");
}
inline void dsb_sy() {
  __asm__ volatile("dsb sy" ::: "memory");
}
inline void dsb_ish() {
  __asm__ volatile("dsb ish" ::: "memory");
}
inline void wfi() {
  __asm__ volatile("wfi" ::: "memory");
}

}  // namespace petrel::arch
