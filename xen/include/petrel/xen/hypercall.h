// Xen hypercalls. The trap itself is per architecture (arch/*/hypercall.S);
// this header gives each hypercall Petrel uses a typed wrapper. Xen's ABI
// structures come from Debian's libxen-dev (<xen/...>), never copied.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/xen/abi.h"

// Arguments are register-sized: 64 bits on AArch64, 32 on AArch32.
extern "C" long petrel_hypercall(unsigned long a0, unsigned long a1, unsigned long a2,
                                 unsigned long a3, unsigned long a4, unsigned long op);

namespace petrel::xen {

inline unsigned long ptr_arg(const void* p) {
  return reinterpret_cast<uintptr_t>(p);
}

inline long console_io(int cmd, size_t len, const char* buf) {
  return petrel_hypercall(static_cast<unsigned long>(cmd), len, ptr_arg(buf), 0, 0,
                          __HYPERVISOR_console_io);
}

inline long sched_op(int cmd, void* arg) {
  return petrel_hypercall(static_cast<unsigned long>(cmd), ptr_arg(arg), 0, 0, 0,
                          __HYPERVISOR_sched_op);
}

}  // namespace petrel::xen
