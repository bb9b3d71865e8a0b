// Lazy FP/SIMD switching on ARM (see arch/arm/fpu.cc).
#pragma once

#include "arch/context.h"

namespace petrel::arch {

// The scheduler is about to switch from `from` to `to`.
void fpu_switch(ArchContext* from, ArchContext* to);
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
