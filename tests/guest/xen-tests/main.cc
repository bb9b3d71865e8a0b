// xen-tests: Petrel's Xen services against the real hypervisor, in a
// dom0less guest (no dom0 needed): event channels over loopback pairs (a
// port bound to another port of the same domain), masking, closing, many
// ports at once, VIRQ binding and Xen's error names. Prints each check,
// then "xen-tests: N passed, M failed", and exits non-zero on a failure.
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>
#include <petrel/kernel/task.h>
#include <petrel/string.h>
#include <petrel/xen/evtchn.h>
#include <petrel/xen/grant.h>
#include <petrel/xen/hypercall.h>
#include <petrel/xen/pv_console.h>
#include <petrel/xen/xenstore.h>

namespace {

using namespace petrel;
using namespace petrel::kernel;
using namespace petrel::xen;

int g_passed = 0;
int g_failed = 0;

void check(bool ok, const char* what) {
  if (ok) {
    ++g_passed;
  } else {
    ++g_failed;
    print("xen-tests: FAILED: %s\n", what);
  }
}

struct Counter {
  Semaphore* sem;
  volatile unsigned count;
  volatile uint32_t last_port;
};

void count_event(EvtchnPort port, void* ctx) {
  auto* c = static_cast<Counter*>(ctx);
  c->count = c->count + 1;
  c->last_port = port.value;
  bool woken = false;
  (void)semaphore_give_from_isr(c->sem, &woken);
}

// A loopback pair: `a` allocated for ourselves, `b` bound to it.
struct Pair {
  EvtchnPort a, b;
};

Pair make_pair() {
  auto a = evtchn::alloc_unbound(kDomainSelf);
  check(a.ok(), "alloc_unbound(DOMID_SELF)");
  if (!a) return {};
  auto b = evtchn::bind_interdomain(kDomainSelf, *a);
  check(b.ok(), "bind_interdomain to our own unbound port");
  if (!b) return {};
  check(!(*a == *b), "the two ends are different ports");
  return Pair{*a, *b};
}

void loopback() {
  print("xen-tests: loopback delivery both ways\n");
  Counter ca{*semaphore_create_counting(100, 0), 0, 0};
  Counter cb{*semaphore_create_counting(100, 0), 0, 0};
  Pair p = make_pair();
  check(evtchn::bind(p.a, count_event, &ca).ok(), "bind handler to a");
  check(evtchn::bind(p.b, count_event, &cb).ok(), "bind handler to b");
  check(!evtchn::bind(p.a, count_event, &ca).ok(), "a second handler on a port is refused");
  check(evtchn::send(p.b).ok(), "send on b");
  check(semaphore_take(ca.sem, Ticks{100}).ok(), "send on b wakes a's handler");
  check(ca.count == 1 && ca.last_port == p.a.value, "a's handler saw port a once");
  check(cb.count == 0, "b's handler did not run");
  check(evtchn::send(p.a).ok(), "send on a");
  check(semaphore_take(cb.sem, Ticks{100}).ok(), "send on a wakes b's handler");

  print("xen-tests: masking keeps an event pending\n");
  evtchn::mask(p.a);
  check(evtchn::send(p.b).ok(), "send while masked");
  check(!semaphore_take(ca.sem, Ticks{5}).ok(), "no delivery while masked");
  check(evtchn::unmask(p.a).ok(), "unmask");
  check(semaphore_take(ca.sem, Ticks{100}).ok(), "delivered on unmask");
  check(ca.count == 2, "exactly once");

  print("xen-tests: closing\n");
  check(evtchn::close(p.b).ok(), "close b");
  auto bad = evtchn::send(p.b);
  check(!bad.ok(), "send on a closed port fails");
  if (!bad.ok()) print("xen-tests:   (Xen said %s)\n", bad.error().message);
  check(evtchn::close(p.a).ok(), "close a");
  check(evtchn::stats().bound == 0, "no handlers left");
  semaphore_delete(ca.sem);
  semaphore_delete(cb.sem);
}

void many_ports() {
  print("xen-tests: 30 loopback pairs at once\n");
  constexpr int kPairs = 30;
  Pair pairs[kPairs];
  Counter c{*semaphore_create_counting(1000, 0), 0, 0};
  for (Pair& p : pairs) {
    p = make_pair();
    check(evtchn::bind(p.a, count_event, &c).ok(), "bind");
  }
  for (Pair& p : pairs) check(evtchn::send(p.b).ok(), "send");
  int got = 0;
  while (got < kPairs && semaphore_take(c.sem, Ticks{100}).ok()) ++got;
  check(got == kPairs && c.count == kPairs, "every pair delivered once");
  for (Pair& p : pairs) {
    check(evtchn::close(p.a).ok() && evtchn::close(p.b).ok(), "close both ends");
  }
  check(evtchn::stats().bound == 0, "no handlers left");
  semaphore_delete(c.sem);
}

void errors() {
  print("xen-tests: errors come back with Xen's names\n");
  auto r = evtchn::bind_interdomain(kDomainSelf, EvtchnPort{4000});
  check(!r.ok(), "binding to a port that does not exist fails");
  if (!r.ok()) {
    print("xen-tests:   (Xen said %s)\n", r.error().message);
    check(str::compare_strings_n(r.error().message, "Xen: E", 6) == 0, "error named by Xen's name");
  }
  check(str::compare_strings_n(xen_errno_name(-1), "EPERM", 6) == 0, "-1 is EPERM");
  check(str::compare_strings_n(xen_errno_name(-11), "EAGAIN", 7) == 0,
        "-11 is EAGAIN (not EWOULDBLOCK)");
  check(hypercall_error(-12).code == Errc::kNoMemory, "ENOMEM maps to kNoMemory");
  check(!evtchn::bind(EvtchnPort{0}, count_event, nullptr).ok(), "port 0 is never bound");
}

void virq() {
  print("xen-tests: VIRQ binding\n");
  auto p = evtchn::bind_virq(VIRQ_TIMER);
  check(p.ok(), "bind VIRQ_TIMER");
  if (p.ok())
    check(evtchn::close(*p).ok(), "close the VIRQ port");
  else
    print("xen-tests:   (Xen said %s)\n", p.error().message);
}

// Grants to ourselves: the page is granted to our own domain ID (1: the
// first dom0less guest) and mapped back through the grant window when Xen
// allows it (Xen 4.17 answers a map of one's own grant with "undefined
// error"; mapping a peer's grant is exercised with a Linux dom0).
alignas(4096) uint8_t g_page[4096];

void grants() {
  print("xen-tests: grant tables\n");
  check(grant::ready(), "grant table mapped on first use");
  const grant::Stats before = grant::stats();
  check(before.capacity >= 500, "at least one frame of entries");
  auto ref = grant::grant_access(DomainId{1}, g_page, false);
  check(ref.ok(), "grant a page");
  if (!ref.ok()) return;
  check(!grant::grant_access(DomainId{1}, g_page + 1, false).ok(), "only whole pages");
  g_page[0] = 0x5a;
  auto m = grant::map(DomainId{1}, *ref, false);
  if (!m.ok()) {
    print("xen-tests:   (mapping our own grant: %s)\n", m.error().message);
  } else {
    auto* p = static_cast<volatile uint8_t*>(m->address);
    check(p[0] == 0x5a, "the mapping shows the granted page");
    p[1] = 0xa5;
    check(g_page[1] == 0xa5, "a write through the mapping lands in the page");
    auto busy = grant::end_access(*ref);
    check(!busy.ok() && busy.error().code == Errc::kBusy,
          "access cannot be ended while the page is mapped");
    check(grant::stats().mapped == before.mapped + 1, "one mapping counted");
    check(grant::unmap(*m).ok(), "unmap");
    check(!grant::unmap(*m).ok(), "a second unmap is refused");
  }
  check(grant::end_access(*ref).ok(), "end access once unmapped");
  check(!grant::end_access(*ref).ok(), "ending twice is refused");
  check(grant::stats().granted == before.granted, "nothing left granted");
  auto bad = grant::map(DomainId{1}, GrantRef{2000}, false);
  check(!bad.ok(), "mapping an entry nobody granted fails");
  if (!bad.ok()) print("xen-tests:   (%s)\n", bad.error().message);
}

// A dom0less guest has neither xenstore nor a PV console: calls fail at
// once with a clear error instead of waiting.
void no_xenstore() {
  print("xen-tests: no xenstore in a dom0less guest\n");
  check(!xenstore::available(), "xenstore not available");
  char buf[8];
  // None of them waits for the 5 s request timeout (the bound leaves room
  // for a busy host: virtual time follows real time here).
  const uint64_t before = tick_count().count;
  auto r = xenstore::read("domid", buf, sizeof buf);
  const bool write_failed = !xenstore::write("data/x", "1").ok();
  const bool watch_failed = !xenstore::watch(
                                 "data", [](const char*, void*) {}, nullptr)
                                 .ok();
  const uint64_t took = tick_count().count - before;
  check(!r.ok() && r.error().code == Errc::kNotFound, "read fails with kNotFound");
  if (!r.ok()) print("xen-tests:   (%s)\n", r.error().message);
  check(write_failed, "write fails");
  check(watch_failed, "watch fails");
  check(took < 100, "without waiting");
  check(!pv_console::available(), "no PV console either");
}

}  // namespace

extern "C" int main() {
  check(evtchn::ready(), "event channels initialized on first use");
  print("xen-tests: event channel ABI: %s\n", evtchn::abi_name());
  auto t = task_create(TaskConfig{"xen-tests", 10, 16 * 1024,
                                  [](void*) {
                                    loopback();
                                    many_ports();
                                    errors();
                                    virq();
                                    grants();
                                    no_xenstore();
                                  },
                                  nullptr});
  check(t.ok(), "task");
  scheduler_start();
  const evtchn::Stats s = evtchn::stats();
  print("xen-tests: %llu upcalls, %llu events dispatched, %llu on unbound ports\n",
        static_cast<unsigned long long>(s.upcalls), static_cast<unsigned long long>(s.dispatched),
        static_cast<unsigned long long>(s.unbound));
  print("xen-tests: %d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
