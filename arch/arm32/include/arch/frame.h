// The register frame the AArch32 fault vectors save (vectors.S) and C++
// reads (exceptions.cc). Offsets are shared with the assembly through the
// PETREL_FRAME_* macros and checked against the struct with static_assert.
#pragma once

#define PETREL_FRAME_R(n) ((n)*4)
#define PETREL_FRAME_SP 52  // SP and LR of the interrupted mode
#define PETREL_FRAME_LR 56
#define PETREL_FRAME_PC 60  // the exception mode's LR on entry; C++ makes it the PC
#define PETREL_FRAME_CPSR 64
#define PETREL_FRAME_KIND 68
#define PETREL_FRAME_SIZE 72

// Vector kinds.
#define PETREL_VEC_RESET 0
#define PETREL_VEC_UNDEF 1
#define PETREL_VEC_SVC 2
#define PETREL_VEC_PABT 3
#define PETREL_VEC_DABT 4
#define PETREL_VEC_HYP 5
#define PETREL_VEC_FIQ 7

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

namespace petrel::arch {

struct ExceptionFrame {
  uint32_t r[13];
  uint32_t sp;
  uint32_t lr;
  uint32_t pc;
  uint32_t cpsr;
  uint32_t kind;
};

static_assert(offsetof(ExceptionFrame, r[12]) == PETREL_FRAME_R(12));
static_assert(offsetof(ExceptionFrame, sp) == PETREL_FRAME_SP);
static_assert(offsetof(ExceptionFrame, lr) == PETREL_FRAME_LR);
static_assert(offsetof(ExceptionFrame, pc) == PETREL_FRAME_PC);
static_assert(offsetof(ExceptionFrame, cpsr) == PETREL_FRAME_CPSR);
static_assert(offsetof(ExceptionFrame, kind) == PETREL_FRAME_KIND);
static_assert(sizeof(ExceptionFrame) == PETREL_FRAME_SIZE);
static_assert(PETREL_FRAME_SIZE % 8 == 0, "SP must stay 8-byte aligned");

}  // namespace petrel::arch
#endif
