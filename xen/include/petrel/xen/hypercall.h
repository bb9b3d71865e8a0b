// Xen hypercalls. The trap itself is per architecture (arch/*/hypercall.S);
// this header gives each hypercall Petrel uses a typed wrapper. Xen's ABI
// structures come from Debian's libxen-dev (<xen/...>), never copied.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/result.h"
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

// The Xen error a failed hypercall returned (rc < 0), with its name
// ("Xen: EPERM") and the closest Errc: EPERM/EACCES -> kPermission,
// ENOMEM/ENOSPC -> kNoMemory, EAGAIN/EBUSY -> kBusy, ENOENT/ESRCH ->
// kNotFound, EINVAL -> kInvalid, ENOSYS/EOPNOTSUPP -> kUnsupported, others
// kIo. Names come from Xen's own <xen/errno.h>.
Error hypercall_error(long rc);
const char* xen_errno_name(long rc);  // "EPERM", or "E?" for an unknown value
// ok() for rc >= 0, hypercall_error(rc) otherwise.
inline Status hypercall_status(long rc) {
  if (rc >= 0) return ok();
  return hypercall_error(rc);
}

// This domain's HVM parameter `index` (HVM_PARAM_* from <xen/hvm/params.h>).
Result<uint64_t> hvm_param(uint32_t index);

inline long sched_op(int cmd, void* arg) {
  return petrel_hypercall(static_cast<unsigned long>(cmd), ptr_arg(arg), 0, 0, 0,
                          __HYPERVISOR_sched_op);
}

inline long event_channel_op(int cmd, void* arg) {
  return petrel_hypercall(static_cast<unsigned long>(cmd), ptr_arg(arg), 0, 0, 0,
                          __HYPERVISOR_event_channel_op);
}

inline long hvm_op(int cmd, void* arg) {
  return petrel_hypercall(static_cast<unsigned long>(cmd), ptr_arg(arg), 0, 0, 0,
                          __HYPERVISOR_hvm_op);
}

inline long memory_op(int cmd, void* arg) {
  return petrel_hypercall(static_cast<unsigned long>(cmd), ptr_arg(arg), 0, 0, 0,
                          __HYPERVISOR_memory_op);
}

inline long vcpu_op(int cmd, unsigned vcpu, void* arg) {
  return petrel_hypercall(static_cast<unsigned long>(cmd), vcpu, ptr_arg(arg), 0, 0,
                          __HYPERVISOR_vcpu_op);
}

inline long grant_table_op(int cmd, void* args, unsigned count) {
  return petrel_hypercall(static_cast<unsigned long>(cmd), ptr_arg(args), count, 0, 0,
                          __HYPERVISOR_grant_table_op);
}

}  // namespace petrel::xen
