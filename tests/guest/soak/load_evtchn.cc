// soak: event channels. Each epoch binds a loopback pair (a port of this
// domain bound to another of its ports); a task sends on one end and waits
// for the handler of the other to give a semaphore: every event sent must
// arrive (none lost). Now and then the receiving end is masked first: no
// event may arrive while it is, and the pending one must come on unmask.
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>
#include <petrel/xen/evtchn.h>

#include "soak.h"

namespace soak {
namespace {

using namespace petrel;
using namespace petrel::kernel;
using namespace petrel::xen;

struct EvtchnState {
  EvtchnPort a, b;  // a receives, b sends
  Semaphore* arrived;
  uint64_t seed;
  bool open;
} e;

void on_event(EvtchnPort, void* sem) {
  bool woken = false;
  (void)semaphore_give_from_isr(static_cast<Semaphore*>(sem), &woken);
}

// The sending end's events (Xen marks it pending when it is bound).
void ignore(EvtchnPort, void*) {}

void sender(void*) {
  Rng rng(e.seed);
  while (!stopping()) {
    const bool masked = rng.one_in(8);
    if (masked) evtchn::mask(e.a);
    if (!evtchn::send(e.b)) {
      fail("evtchn: send failed");
      return;
    }
    if (masked) {
      if (semaphore_take(e.arrived, Ticks{1})) fail("evtchn: an event came through a masked port");
      if (!evtchn::unmask(e.a)) fail("evtchn: unmask failed");
    }
    if (!semaphore_take(e.arrived, Ticks{20})) {
      fail("evtchn: an event sent was not delivered within 20 ticks");
      return;
    }
    count(Op::kEvtchn);
    task_delay(Ticks{rng.below(2)});
  }
}

void begin(Rng& rng) {
  e = EvtchnState{};
  auto sem = semaphore_create_binary();
  auto a = evtchn::alloc_unbound(kDomainSelf);
  if (!sem || !a) {
    fail("evtchn: allocating failed");
    if (sem) semaphore_delete(*sem);
    return;
  }
  e.arrived = *sem;
  e.a = *a;
  Result<EvtchnPort> b = Error{Errc::kInvalid, "not bound"};
  bool bound = false;
  {
    // Xen marks the new end pending at once: its handler must be there
    // before the upcall comes.
    petrel::kernel::CriticalSection cs;
    b = evtchn::bind_interdomain(kDomainSelf, e.a);
    bound = b && evtchn::bind(e.a, on_event, e.arrived) && evtchn::bind(*b, ignore, nullptr);
  }
  if (!bound) {
    fail("evtchn: binding the loopback pair failed");
    return;
  }
  e.b = *b;
  e.open = true;
  e.seed = rng.next();
  spawn("evt-sender", static_cast<Priority>(rng.between(5, 20)), 4096, sender, nullptr);
}

void end() {
  if (e.arrived == nullptr) return;
  const unsigned bound = evtchn::stats().bound;
  if (!evtchn::close(e.a) || (e.open && !evtchn::close(e.b))) fail("evtchn: closing failed");
  // Both handlers gone (other loads, vchan's, may hold ports of their own).
  const unsigned released = bound - evtchn::stats().bound;
  if (released != (e.open ? 2u : 1u))
    fail("evtchn: closing the pair released %u handlers", released);
  semaphore_delete(e.arrived);
  e.arrived = nullptr;
}

}  // namespace

const Load kEvtchnLoad{"evtchn", begin, end, nullptr};

}  // namespace soak
