// AArch64 task contexts (the arch seam, petrel/arch.h).
#include "arch/tls.h"
#include "petrel/arch.h"

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
  ctx.tp = tls_carve(top);  // the task's thread-local storage, from the top
  auto* frame = reinterpret_cast<SwitchFrame*>(top - sizeof(SwitchFrame));
  *frame = SwitchFrame{};
  frame->x19 = reinterpret_cast<uintptr_t>(entry);
  frame->x20 = reinterpret_cast<uintptr_t>(arg);
  frame->x30 = reinterpret_cast<uintptr_t>(&petrel_task_start);
  ctx.sp = reinterpret_cast<uintptr_t>(frame);
}

}  // namespace petrel::arch
