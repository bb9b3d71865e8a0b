// Lazy FP/SIMD switching.
//
// Kernel code is built with -mgeneral-regs-only, so only application code
// touches FP/SIMD registers. The registers hold the state of one context,
// the owner. When the scheduler switches to a context that is not the owner,
// FP/SIMD is disabled (CPACR_EL1.FPEN = 0); the context's first FP/SIMD
// instruction traps (ESR class 0x07) and fpu_trap() saves the owner's
// registers, loads the new context's and makes it the owner. Tasks that
// never use FP/SIMD never pay anything; two FP tasks alternating pay one
// save and one load (1 KiB of memory traffic) per switch.
//
// Interrupt handlers run with FP/SIMD disabled: a handler that uses it is a
// fatal error with a clear report rather than silent corruption of the
// interrupted task's registers.
#include "arch/fpu.h"

#include <stddef.h>

#include "arch/sysreg.h"

extern "C" void petrel_fp_save(petrel::arch::FpState* to);
extern "C" void petrel_fp_load(const petrel::arch::FpState* from);

namespace petrel::arch {
namespace {

constexpr uint64_t kFpenMask = 3ull << 20;
ArchContext* g_owner = nullptr;    // whose state is in the registers
ArchContext* g_running = nullptr;  // the context running now (nullptr: boot thread)

void set_fp_enabled(bool on) {
  uint64_t cpacr = PETREL_READ_SYSREG(cpacr_el1);
  const uint64_t want = on ? (cpacr | kFpenMask) : (cpacr & ~kFpenMask);
  if (want != cpacr) {
    PETREL_WRITE_SYSREG(cpacr_el1, want);
    isb();
  }
}

}  // namespace

void fpu_switch(ArchContext* from, ArchContext* to) {
  // The first switch leaves the boot thread, which used FP freely: its
  // registers become `from`'s state.
  if (g_running == nullptr) {
    g_owner = from;
    from->fp_used = true;
  }
  g_running = to;
  set_fp_enabled(to == g_owner);
}

bool fpu_trap() {
  ArchContext* cur = g_running;
  if (cur == nullptr) return false;  // the boot thread always has FP on
  set_fp_enabled(true);
  if (g_owner != cur) {
    if (g_owner != nullptr) petrel_fp_save(&g_owner->fp);
    petrel_fp_load(&cur->fp);  // zeroed until the task first used FP
    g_owner = cur;
  }
  cur->fp_used = true;
  return true;
}

void fpu_forget(ArchContext* ctx) {
  if (g_owner == ctx) g_owner = nullptr;
}

void fpu_irq_enter() {
  set_fp_enabled(false);
}
void fpu_irq_exit() {
  set_fp_enabled(g_running == nullptr || g_running == g_owner);
}

}  // namespace petrel::arch

static_assert(offsetof(petrel::arch::FpState, fpcr) == 512, "fpu.S stores FPCR/FPSR at 512");
