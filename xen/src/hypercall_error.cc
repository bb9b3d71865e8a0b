// Naming Xen's error codes: the tables are generated from Xen's public
// <xen/errno.h> through its XEN_ERRNO() hook, not written out here.
#include <xen/errno.h>  // enum values XEN_EPERM, ...

#include "petrel/xen/hypercall.h"

namespace petrel::xen {
namespace {

// An if-chain, not a switch: some values have two names (EWOULDBLOCK is
// EAGAIN); the first one listed wins.
const char* message_of(long rc) {
  const long e = -rc;
#define XEN_ERRNO(name, value) \
  if (e == (value)) return "Xen: " #name;
#include <xen/errno.h>
  return "Xen: unknown error";
}

Errc errc_of(long rc) {
  switch (-rc) {
    case XEN_EPERM:
    case XEN_EACCES:
      return Errc::kPermission;
    case XEN_ENOMEM:
    case XEN_ENOSPC:
      return Errc::kNoMemory;
    case XEN_EAGAIN:
    case XEN_EBUSY:
      return Errc::kBusy;
    case XEN_ENOENT:
    case XEN_ESRCH:
      return Errc::kNotFound;
    case XEN_EINVAL:
      return Errc::kInvalid;
    case XEN_ENOSYS:
    case XEN_EOPNOTSUPP:
      return Errc::kUnsupported;
    default:
      return Errc::kIo;
  }
}

}  // namespace

const char* xen_errno_name(long rc) {
  const long e = -rc;
#define XEN_ERRNO(name, value) \
  if (e == (value)) return #name;
#include <xen/errno.h>
  return "E?";
}

Error hypercall_error(long rc) {
  return Error{errc_of(rc), message_of(rc)};
}

}  // namespace petrel::xen
