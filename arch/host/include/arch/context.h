// Host port: a task context is a ucontext (the kernel runs inside one Linux
// process; context switches are swapcontext).
#pragma once

#include <ucontext.h>

namespace petrel::arch {

// No guard pages on the host: stack canaries only.
inline constexpr size_t kStackGuardSize = 0;

struct ArchContext {
  ucontext_t uc{};
  void (*entry)(void*) = nullptr;
  void* arg = nullptr;
};

}  // namespace petrel::arch
