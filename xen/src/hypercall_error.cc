// Naming Xen's error codes: the tables are generated from Xen's public
// <xen/errno.h> through its XEN_ERRNO() hook, not written out here.
#include <stddef.h>
#include <stdint.h>
#include <xen/errno.h>  // enum values XEN_EPERM, ...

#include "petrel/xen/hypercall.h"

namespace petrel::xen {
namespace {

// Every error Xen's <xen/errno.h> names, in its order (some values have two
// names: EWOULDBLOCK is EAGAIN; the first one listed wins): the values, and
// the names as one string of "Xen: NAME" entries, each NUL-terminated. The
// message of a hypercall error is an entry, the bare name the same entry
// past its "Xen: ". Small tables, not a switch: a switch over values up to
// 111 becomes a table of 112 pointers per lookup (1.8 KiB of the image for
// the two, the names twice over).
constexpr uint8_t kValues[] = {
#define XEN_ERRNO(name, value) value,
#include <xen/errno.h>
};
constexpr char kNames[] =
#define XEN_ERRNO(name, value) "Xen: " #name "\0"
#include <xen/errno.h>
    ;
constexpr size_t kPrefix = 5;  // "Xen: "
constexpr char kUnknown[] = "Xen: unknown error";

// The entry for -rc, or nullptr.
const char* entry_of(long rc) {
  const long e = -rc;
  const char* name = kNames;
  for (uint8_t value : kValues) {
    if (e == value) return name;
    while (*name != '\0') ++name;
    ++name;
  }
  return nullptr;
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
  const char* entry = entry_of(rc);
  return entry != nullptr ? entry + kPrefix : "E?";
}

Error hypercall_error(long rc) {
  const char* entry = entry_of(rc);
  return Error{errc_of(rc), entry != nullptr ? entry : kUnknown};
}

}  // namespace petrel::xen
