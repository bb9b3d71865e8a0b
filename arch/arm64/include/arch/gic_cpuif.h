// GICv3 CPU interface registers (ICC_*_EL1) for AArch64, by encoding.
#pragma once

#include <stdint.h>

#include "arch/sysreg.h"

namespace petrel::arch::icc {

inline uint64_t read_sre() {
  return PETREL_READ_SYSREG(S3_0_C12_C12_5);
}
inline void write_sre(uint64_t v) {
  PETREL_WRITE_SYSREG(S3_0_C12_C12_5, v);
}
inline void write_pmr(uint64_t v) {
  PETREL_WRITE_SYSREG(S3_0_C4_C6_0, v);
}
inline void write_bpr1(uint64_t v) {
  PETREL_WRITE_SYSREG(S3_0_C12_C12_3, v);
}
inline void write_ctlr(uint64_t v) {
  PETREL_WRITE_SYSREG(S3_0_C12_C12_4, v);
}
inline void write_igrpen1(uint64_t v) {
  PETREL_WRITE_SYSREG(S3_0_C12_C12_7, v);
}
inline uint32_t read_iar1() {
  return static_cast<uint32_t>(PETREL_READ_SYSREG(S3_0_C12_C12_0));
}
inline void write_eoir1(uint32_t v) {
  PETREL_WRITE_SYSREG(S3_0_C12_C12_1, v);
}
inline uint64_t read_mpidr() {
  return PETREL_READ_SYSREG(mpidr_el1);
}

}  // namespace petrel::arch::icc
