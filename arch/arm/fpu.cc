// Lazy FP/SIMD switching, for both ARM architectures.
//
// Kernel code is built with -mgeneral-regs-only, so only application code
// touches FP/SIMD registers. The registers hold the state of one context,
// the owner. When the scheduler switches to a context that is not the owner,
// FP/SIMD is disabled (AArch64: CPACR_EL1.FPEN = 0, AArch32: FPEXC.EN = 0);
// the context's first FP/SIMD instruction traps (AArch64: ESR class 0x07,
// AArch32: an undefined-instruction exception) and fpu_trap() saves the owner's
// registers, loads the new context's and makes it the owner. Tasks that
// never use FP/SIMD never pay anything; two FP tasks alternating pay one
// save and one load (AArch64: 1 KiB, AArch32: 528 bytes) per switch.
//
// Interrupt handlers run with FP/SIMD disabled: a handler that uses it is a
// fatal error with a clear report rather than silent corruption of the
// interrupted task's registers.
#include "arch/fpu.h"

#include "arch/cpu.h"
#include "petrel/console.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/kernel/sched.h"

extern "C" void petrel_fp_save(petrel::arch::FpState* to);
extern "C" void petrel_fp_load(const petrel::arch::FpState* from);

namespace petrel::arch {

// main()'s context, before the scheduler starts and after it stops. Its
// FP/SIMD state is in the registers at boot, so it starts as their owner
// (its own flag set by fpu_boot: all zeros, it stays in .bss).
constinit ArchContext g_boot_context;
constinit FpuOwnership g_fpu{&g_boot_context, true};

namespace {

// The context running now: the kernel's current task's, or main()'s before
// the scheduler starts and after it stops.
ArchContext* running() {
  ArchContext* ctx = kernel::running_context();
  return ctx != nullptr ? ctx : &g_boot_context;
}

void set_owner(ArchContext* ctx) {
  if (g_fpu.owner != nullptr) g_fpu.owner->fp_owner = false;
  g_fpu.owner = ctx;
  if (ctx != nullptr) ctx->fp_owner = true;
}

}  // namespace

ArchContext& boot_context() {
  return g_boot_context;
}

void fpu_boot() {
  g_boot_context.fp_owner = true;  // g_fpu.owner says so from the start
}

bool fpu_trap() {
  ArchContext* cur = running();
  // Straight to the hardware: the trap itself says FP is off there.
  g_fpu.hw_on = true;
  fp_hw_enable(true);
  if (g_fpu.owner != cur) {
    if (g_fpu.owner != nullptr) petrel_fp_save(&g_fpu.owner->fp);
    petrel_fp_load(&cur->fp);  // zeroed until the task first used FP
    set_owner(cur);
  }
  cur->fp_used = true;
  return true;
}

bool fpu_handle_trap() {
  if (kernel::in_isr()) {
    console_end_line();
    print(
        "*** PETREL: an interrupt handler used FP/SIMD registers; build handlers "
        "with -mgeneral-regs-only\n");
    return false;
  }
  return fpu_trap();
}

void fpu_owner_switched(const ArchContext* to) {
  fpu_enable(to->fp_owner);
}

void fpu_forget(ArchContext* ctx) {
  if (g_fpu.owner != ctx) return;
  set_owner(nullptr);
  // Off as for any context that is not the owner (fpu_switch relies on it):
  // `ctx` may be running, deleting itself.
  fpu_enable(false);
}

void fpu_irq_enter() {
  fpu_enable(false);
}
void fpu_irq_exit() {
  fpu_enable(running()->fp_owner);
}

}  // namespace petrel::arch
