// GICv3 CPU interface registers for AArch32: the ICC_* registers are CP15
// registers with the same opc1/CRn/CRm/opc2 as their AArch64 encodings.
#pragma once

#include <stdint.h>

#include "arch/cp15.h"

namespace petrel::arch::icc {

inline uint64_t read_sre() {
  return PETREL_CP15_READ(0, c12, c12, 5);
}
inline void write_sre(uint64_t v) {
  PETREL_CP15_WRITE(0, c12, c12, 5, v);
  isb();
}
inline void write_pmr(uint64_t v) {
  PETREL_CP15_WRITE(0, c4, c6, 0, v);
}
inline void write_bpr1(uint64_t v) {
  PETREL_CP15_WRITE(0, c12, c12, 3, v);
}
inline void write_ctlr(uint64_t v) {
  PETREL_CP15_WRITE(0, c12, c12, 4, v);
}
inline void write_igrpen1(uint64_t v) {
  PETREL_CP15_WRITE(0, c12, c12, 7, v);
}
inline uint32_t read_iar1() {
  return PETREL_CP15_READ(0, c12, c12, 0);
}
inline void write_eoir1(uint32_t v) {
  PETREL_CP15_WRITE(0, c12, c12, 1, v);
}
inline uint64_t read_mpidr() {
  return PETREL_CP15_READ(0, c0, c0, 5);
}

}  // namespace petrel::arch::icc
