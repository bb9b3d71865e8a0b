// AArch64 task context. context_switch (context.S) pushes the callee-saved
// registers x19-x30 on the task's own stack and keeps only the stack
// pointer here. FP/SIMD state is switched separately (fpu.cc).
#pragma once

#include <stdint.h>

namespace petrel::arch {

struct ArchContext {
  uint64_t sp = 0;
};

}  // namespace petrel::arch
