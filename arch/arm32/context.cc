// AArch32 task contexts (the arch seam, petrel/arch.h).
#include "arch/tls.h"
#include "petrel/arch.h"

extern "C" void petrel_task_start();

namespace petrel::arch {
namespace {

// Must match the frame context.S pops: padding, r4..r11, lr.
struct SwitchFrame {
  uint32_t pad, r4, r5, r6, r7, r8, r9, r10, r11, lr;
};
static_assert(sizeof(SwitchFrame) == 40 && sizeof(SwitchFrame) % 8 == 0);

}  // namespace

void context_init(ArchContext& ctx, void* stack_base, size_t stack_size, void (*entry)(void*),
                  void* arg) {
  uintptr_t top = (reinterpret_cast<uintptr_t>(stack_base) + stack_size) & ~uintptr_t{15};
  ctx.tp = tls_carve(top);  // the task's thread-local storage, from the top
  auto* frame = reinterpret_cast<SwitchFrame*>(top - sizeof(SwitchFrame));
  *frame = SwitchFrame{};
  frame->r4 = reinterpret_cast<uintptr_t>(entry);
  frame->r5 = reinterpret_cast<uintptr_t>(arg);
  frame->lr = reinterpret_cast<uintptr_t>(&petrel_task_start);
  ctx.sp = reinterpret_cast<uintptr_t>(frame);
}

}  // namespace petrel::arch
