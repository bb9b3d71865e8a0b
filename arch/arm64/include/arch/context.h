// AArch64 task context. context_switch (context.S) pushes the callee-saved
// registers x19-x30 on the task's own stack and keeps the stack pointer
// and the thread pointer here. FP/SIMD state is switched lazily (fpu.cc): it lives in
// `fp` and is loaded only when the task first uses FP/SIMD after another
// task did.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace petrel::arch {

// Heap-allocated task stacks get an unmapped page below them.
inline constexpr size_t kStackGuardSize = 4096;

struct alignas(16) FpState {
  __uint128_t q[32];
  uint64_t fpcr;
  uint64_t fpsr;
};

static_assert(__builtin_offsetof(FpState, fpcr) == 512, "fpu.S stores FPCR/FPSR at 512");

struct ArchContext {
  uint64_t sp = 0;
  uint64_t tp = 0;       // TPIDR_EL0: the task's thread-local storage (arch/tls_layout.h)
  bool fp_used = false;  // has used FP/SIMD: its state is in `fp` or the registers
  // Its state is the one in the registers (fpu.cc). False by default, so a
  // task's context is all zeros when it is created (one fill).
  bool fp_owner = false;
  FpState fp{};
};

// context.S stores and loads these two.
static_assert(__builtin_offsetof(ArchContext, sp) == 0 && __builtin_offsetof(ArchContext, tp) == 8);

}  // namespace petrel::arch
