// AArch64 task contexts and interrupt masking (the arch seam, petrel/arch.h).
#include "arch/fpu.h"
#include "arch/sysreg.h"
#include "petrel/arch.h"

extern "C" void petrel_context_switch(petrel::arch::ArchContext* from,
                                      petrel::arch::ArchContext* to);
extern "C" void petrel_task_start();

namespace petrel::arch {
namespace {

// Must match the frame context.S pops: x19..x30, 12 registers.
struct SwitchFrame {
  uint64_t x19, x20, x21, x22, x23, x24, x25, x26, x27, x28, x29, x30;
};
static_assert(sizeof(SwitchFrame) == 96);

}  // namespace

void context_init(ArchContext& ctx, void* stack_base, size_t stack_size, void (*entry)(void*),
                  void* arg) {
  uintptr_t top = (reinterpret_cast<uintptr_t>(stack_base) + stack_size) & ~uintptr_t{15};
  auto* frame = reinterpret_cast<SwitchFrame*>(top - sizeof(SwitchFrame));
  *frame = SwitchFrame{};
  frame->x19 = reinterpret_cast<uintptr_t>(entry);
  frame->x20 = reinterpret_cast<uintptr_t>(arg);
  frame->x30 = reinterpret_cast<uintptr_t>(&petrel_task_start);
  ctx.sp = reinterpret_cast<uintptr_t>(frame);
}

void context_switch(ArchContext& from, ArchContext& to) {
  fpu_switch(&from, &to);
  petrel_context_switch(&from, &to);
}

void context_destroy(ArchContext& ctx) {
  fpu_forget(&ctx);
}

uint64_t irq_save() {
  const uint64_t daif = PETREL_READ_SYSREG(daif);
  irq_disable();
  return daif;
}

void irq_restore(uint64_t saved) {
  PETREL_WRITE_SYSREG(daif, saved);
}

}  // namespace petrel::arch
