// AArch32 task context. context_switch (context.S) pushes the callee-saved
// registers r4-r11 and lr on the task's own stack and keeps the stack
// pointer and the thread pointer here. VFP/NEON state (d0-d31, FPSCR) is switched lazily
// (arch/arm/fpu.cc): it lives in `fp` and is loaded only when the task first
// uses VFP/NEON after another task did.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace petrel::arch {

// Heap-allocated task stacks get an unmapped page below them.
inline constexpr size_t kStackGuardSize = 4096;

struct alignas(8) FpState {
  uint64_t d[32];
  uint32_t fpscr;
  uint32_t pad;
};
static_assert(__builtin_offsetof(FpState, fpscr) == 256, "fpu.S stores FPSCR at 256");

struct ArchContext {
  uint32_t sp = 0;
  uint32_t tp = 0;       // TPIDRURO: the task's thread-local storage (arch/tls_layout.h)
  bool fp_used = false;  // has used VFP/NEON: its state is in `fp` or the registers
  // Its state is the one in the registers (fpu.cc). False by default, so a
  // task's context is all zeros when it is created (one fill).
  bool fp_owner = false;
  FpState fp{};
};

// context.S stores and loads these two.
static_assert(__builtin_offsetof(ArchContext, sp) == 0 && __builtin_offsetof(ArchContext, tp) == 4);

}  // namespace petrel::arch
