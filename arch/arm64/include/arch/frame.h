// The register frame the AArch64 exception vectors save (vectors.S) and C++
// reads (exceptions.cc). Offsets are shared with the assembly through the
// PETREL_FRAME_* macros and checked against the struct with static_assert.
#pragma once

#define PETREL_FRAME_X(n) ((n)*8)
#define PETREL_FRAME_SP_EL0 248
#define PETREL_FRAME_ELR 256
#define PETREL_FRAME_SPSR 264
#define PETREL_FRAME_ESR 272
#define PETREL_FRAME_FAR 280
#define PETREL_FRAME_SIZE 288

// Vector kinds: group * 4 + type. Groups: current EL with SP_EL0, current EL
// with SP_ELx, lower EL AArch64, lower EL AArch32. Types: sync, IRQ, FIQ, SError.
#define PETREL_VEC_SYNC 0
#define PETREL_VEC_IRQ 1
#define PETREL_VEC_FIQ 2
#define PETREL_VEC_SERROR 3

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

namespace petrel::arch {

struct ExceptionFrame {
  uint64_t x[31];
  uint64_t sp_el0;
  uint64_t elr;
  uint64_t spsr;
  uint64_t esr;
  uint64_t far;
};

static_assert(offsetof(ExceptionFrame, x[29]) == PETREL_FRAME_X(29));
static_assert(offsetof(ExceptionFrame, sp_el0) == PETREL_FRAME_SP_EL0);
static_assert(offsetof(ExceptionFrame, elr) == PETREL_FRAME_ELR);
static_assert(offsetof(ExceptionFrame, spsr) == PETREL_FRAME_SPSR);
static_assert(offsetof(ExceptionFrame, esr) == PETREL_FRAME_ESR);
static_assert(offsetof(ExceptionFrame, far) == PETREL_FRAME_FAR);
static_assert(sizeof(ExceptionFrame) == PETREL_FRAME_SIZE);
static_assert(PETREL_FRAME_SIZE % 16 == 0, "SP must stay 16-byte aligned");

}  // namespace petrel::arch
#endif
