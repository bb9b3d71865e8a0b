// Xen hypercalls. The trap itself is per architecture (arch/*/hypercall.S);
// this header gives each hypercall Petrel uses a typed wrapper. Xen's ABI
// structures come from Debian's libxen-dev (<xen/...>), never copied.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/xen/abi.h"

extern "C" long petrel_hypercall(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                 uint64_t op);

namespace petrel::xen {

inline uint64_t ptr_arg(const void* p) {
  return reinterpret_cast<uintptr_t>(p);
}

inline long console_io(int cmd, size_t len, const char* buf) {
  return petrel_hypercall(static_cast<uint64_t>(cmd), len, ptr_arg(buf), 0, 0,
                          __HYPERVISOR_console_io);
}

inline long sched_op(int cmd, void* arg) {
  return petrel_hypercall(static_cast<uint64_t>(cmd), ptr_arg(arg), 0, 0, 0, __HYPERVISOR_sched_op);
}

}  // namespace petrel::xen
