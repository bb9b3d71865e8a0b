// The fake's console backend (xenconsoled in dom0): drains the guest's
// output ring into a string when notified, puts input into the input ring.
// It can stall (stop draining) and corrupt the ring's indices.
#include <stdint.h>
#include <xen/io/console.h>

#include <string>

#include "fake_internal.h"

namespace petrel::xen::fake {
namespace {

struct ConsoleBackend {
  xencons_interface* page = nullptr;
  std::string output;
  bool stalled = false;
  unsigned every = 1;  // drains at every `every`-th notification (slow())
  unsigned notified = 0;
};
ConsoleBackend* g_fake = nullptr;

ConsoleBackend& fake() {
  return *g_fake;
}

void drain() {
  if (fake().stalled) return;
  if (++fake().notified % fake().every != 0) return;
  xencons_interface* p = fake().page;
  const XENCONS_RING_IDX prod = __atomic_load_n(&p->out_prod, __ATOMIC_ACQUIRE);
  XENCONS_RING_IDX cons = p->out_cons;
  if (prod - cons > sizeof p->out) return;  // not the guest's doing: corrupt() was
  for (; cons != prod; ++cons) fake().output += p->out[MASK_XENCONS_IDX(cons, p->out)];
  __atomic_store_n(&p->out_cons, cons, __ATOMIC_RELEASE);
}

// The test's own look, or the backend woken: drains now, however slow.
void drain_now() {
  fake().notified = fake().every - 1;
  drain();
}

}  // namespace

namespace console {

std::string output() {
  drain_now();
  return fake().output;
}

void input(const std::string& text) {
  xencons_interface* p = fake().page;
  XENCONS_RING_IDX prod = p->in_prod;
  for (char c : text) {
    if (prod - p->in_cons == sizeof p->in) break;
    p->in[MASK_XENCONS_IDX(prod, p->in)] = c;
    ++prod;
  }
  __atomic_store_n(&p->in_prod, prod, __ATOMIC_RELEASE);
  internal::notify_guest(kConsolePort);
  deliver_upcalls();
}

void stall(bool stalled) {
  fake().stalled = stalled;
  if (!stalled) drain_now();
}

void slow(unsigned notifications) {
  fake().every = notifications == 0 ? 1 : notifications;
}

void corrupt() {
  xencons_interface* p = fake().page;
  __atomic_store_n(&p->out_cons, p->out_prod + 100, __ATOMIC_RELEASE);
}

}  // namespace console

namespace internal {

void console_reset() {
  delete g_fake;
  g_fake = new ConsoleBackend;
  fake().page = static_cast<xencons_interface*>(other_domain_page());
  if (config().console) bind_backend(kConsolePort, kBackend, drain);
}

void* console_page() {
  return fake().page;
}

}  // namespace internal
}  // namespace petrel::xen::fake
