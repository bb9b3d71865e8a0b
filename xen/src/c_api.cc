// The C API (petrel_xen.h) over the C++ one.
#include "c_api_internal.h"
#include "petrel/kernel/config.h"
#include "petrel/kernel/sched.h"
#include "petrel/xen/evtchn.h"
#include "petrel/xen/grant.h"
#include "petrel/xen/pv_console.h"
#include "petrel/xen/xenstore.h"
#include "petrel_xen.h"

namespace {

using namespace petrel;
using namespace petrel::xen;

const char* g_last = "no error";

static_assert(PETREL_XEN_EINVAL == -static_cast<int>(Errc::kInvalid));
static_assert(PETREL_XEN_ERANGE == -static_cast<int>(Errc::kOutOfRange));
static_assert(PETREL_XEN_ENOENT == -static_cast<int>(Errc::kNotFound));
static_assert(PETREL_XEN_ENOMEM == -static_cast<int>(Errc::kNoMemory));
static_assert(PETREL_XEN_ENOTSUP == -static_cast<int>(Errc::kUnsupported));
static_assert(PETREL_XEN_EBUSY == -static_cast<int>(Errc::kBusy));
static_assert(PETREL_XEN_ETIMEDOUT == -static_cast<int>(Errc::kTimeout));
static_assert(PETREL_XEN_EPERM == -static_cast<int>(Errc::kPermission));
static_assert(PETREL_XEN_EIO == -static_cast<int>(Errc::kIo));

// C handlers get the port as an integer: one trampoline slot per bound port.
struct Trampoline {
  uint32_t port;
  petrel_evtchn_handler fn;
  void* ctx;
};
Trampoline g_trampolines[evtchn::kMaxBound];

void trampoline(EvtchnPort p, void* c) {
  auto* t = static_cast<Trampoline*>(c);
  t->fn(p.value, t->ctx);
}

using c_api::status;
int code(const Error& e) {
  return c_api::fail(e);
}

}  // namespace

namespace petrel::xen::c_api {

int fail(const Error& e) {
  g_last = e.message;
  return -static_cast<int>(e.code);
}

kernel::Ticks ticks_from_ms(uint32_t ms) {
  if (ms == PETREL_XEN_FOREVER) return kernel::kForever;
  return kernel::Ticks{uint64_t{ms} * kernel::config::kTickRateHz / 1000};
}

}  // namespace petrel::xen::c_api

extern "C" {

const char* petrel_xen_strerror(int c) {
  return c >= 0 ? "no error" : errc_name(static_cast<Errc>(-c));
}
const char* petrel_xen_last_error(void) {
  return g_last;
}

int petrel_xenstore_available(void) {
  return xenstore::available() ? 1 : 0;
}
int petrel_xenstore_read(const char* path, char* buf, size_t size) {
  auto r = xenstore::read(path, buf, size);
  return r ? static_cast<int>(*r) : code(r.error());
}
int petrel_xenstore_write(const char* path, const char* value) {
  return status(xenstore::write(path, value));
}
int petrel_xenstore_mkdir(const char* path) {
  return status(xenstore::mkdir(path));
}
int petrel_xenstore_rm(const char* path) {
  return status(xenstore::remove(path));
}
int petrel_xenstore_watch(const char* path, petrel_xenstore_watch_fn fn, void* ctx) {
  auto w = xenstore::watch(path, fn, ctx);
  return w ? static_cast<int>(w->id) : code(w.error());
}
int petrel_xenstore_unwatch(int watch_id) {
  if (watch_id <= 0) return code(Error{Errc::kInvalid, "xenstore: bad watch id"});
  return status(xenstore::unwatch(xenstore::Watch{static_cast<uint32_t>(watch_id)}));
}

int petrel_evtchn_alloc_unbound(uint16_t remote_domid) {
  auto p = evtchn::alloc_unbound(DomainId{remote_domid});
  return p ? static_cast<int>(p->value) : code(p.error());
}
int petrel_evtchn_bind_interdomain(uint16_t remote_domid, uint32_t remote_port) {
  auto p = evtchn::bind_interdomain(DomainId{remote_domid}, EvtchnPort{remote_port});
  return p ? static_cast<int>(p->value) : code(p.error());
}
int petrel_evtchn_bind(uint32_t port, petrel_evtchn_handler handler, void* ctx) {
  if (handler == nullptr) return code(Error{Errc::kInvalid, "evtchn: null handler"});
  Trampoline* t = nullptr;
  {
    kernel::CriticalSection cs;
    for (Trampoline& slot : g_trampolines) {
      if (slot.fn == nullptr) {
        slot = Trampoline{port, handler, ctx};
        t = &slot;
        break;
      }
    }
  }
  if (t == nullptr) return code(Error{Errc::kNoMemory, "evtchn: too many bound ports"});
  Status s = evtchn::bind(EvtchnPort{port}, trampoline, t);
  if (!s) t->fn = nullptr;
  return status(s);
}
int petrel_evtchn_send(uint32_t port) {
  return status(evtchn::send(EvtchnPort{port}));
}
int petrel_evtchn_close(uint32_t port) {
  Status s = evtchn::close(EvtchnPort{port});  // no more calls into its slot
  kernel::CriticalSection cs;
  for (Trampoline& slot : g_trampolines) {
    if (slot.fn != nullptr && slot.port == port) slot.fn = nullptr;
  }
  return status(s);
}

int petrel_grant_access(uint16_t domid, const void* page, int readonly) {
  auto r = grant::grant_access(DomainId{domid}, page, readonly != 0);
  return r ? static_cast<int>(r->value) : code(r.error());
}
int petrel_grant_end_access(uint32_t ref) {
  return status(grant::end_access(GrantRef{ref}));
}

int petrel_console_read(char* buf, size_t size, uint32_t timeout_ms) {
  auto r = pv_console::read(buf, size, c_api::ticks_from_ms(timeout_ms));
  return r ? static_cast<int>(*r) : code(r.error());
}

}  // extern "C"
