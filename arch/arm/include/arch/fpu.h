// Lazy FP/SIMD switching on ARM (see arch/arm/fpu.cc).
#pragma once

#include "arch/context.h"
#include "arch/cpu.h"

namespace petrel::arch {

// Who has the FP/SIMD registers (fpu.cc). The owner's context also says so
// itself (ArchContext::fp_owner), which is what the inline switch path reads.
struct FpuOwnership {
  ArchContext* owner;  // whose state is in the registers
  // Whether FP/SIMD is enabled in hardware now (head.S enables it), kept
  // here so that a switch which leaves it as it is reads no system register.
  bool hw_on = true;
};
// (NOLINT: clang-tidy's dynamic-static-initializers check misfires on
// extern declarations under -fno-threadsafe-statics, llvm-project #145680.)
extern constinit FpuOwnership g_fpu;  // NOLINT(bugprone-dynamic-static-initializers)

// FP/SIMD on or off; the only writer of the hardware's enable bit after boot.
inline void fpu_enable(bool on) {
  if (on == g_fpu.hw_on) return;
  g_fpu.hw_on = on;
  fp_hw_enable(on);
}

// A switch from or to the owner of the registers: FP/SIMD on for the owner.
[[gnu::noinline]] void fpu_owner_switched(const ArchContext* to);

// The scheduler is about to switch from `from` to `to`: FP/SIMD on only for
// the owner of the registers. In task context FP/SIMD is on exactly while
// the owner runs (in an interrupt handler it is off), so it only changes
// when the owner is one of the two: otherwise it is off and stays off. The
// test reads the two contexts' flags, which the switch has at hand, and no
// global (the running context is the kernel's to know:
// kernel::running_context()).
// (The boot context owns the registers from boot on, fpu_boot: no switch is
// a special case.)
inline void fpu_switch(const ArchContext* from, const ArchContext* to) {
  if ((from->fp_owner | to->fp_owner) != 0) [[unlikely]]
    fpu_owner_switched(to);
}
// At boot (boot_context_init): the boot context's FP/SIMD state is the one in
// the registers.
void fpu_boot();
// An FP/SIMD access trapped in task context: make the running context the
// owner of the registers. Returns false if FP should not have trapped.
bool fpu_trap();
// An FP/SIMD instruction trapped: fpu_trap() in task context (true: retry
// the instruction); in an interrupt handler a clear message and false (the
// caller reports the fault).
bool fpu_handle_trap();
// `ctx` goes away (task deleted): never save into it again.
void fpu_forget(ArchContext* ctx);
// FP/SIMD off while an interrupt handler runs; back as it was after.
void fpu_irq_enter();
void fpu_irq_exit();

}  // namespace petrel::arch
