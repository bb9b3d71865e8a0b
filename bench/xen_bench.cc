// Xen service benchmarks with a real Linux dom0 (`./petrel bench` runs them
// with `run --dom0`; dom0's side is bench/dom0-bench.sh and the dom0 tool
// tools/dom0/evtchn-echo.c):
//   - event-channel round trip: the guest notifies a port bound by dom0's
//     evtchn-echo, which notifies back; measured from the send to the guest
//     task running again (upcall, handler, semaphore, switch included);
//   - xenstore read latency: a read of this domain's "domid" key, request to
//     reply, through xenstored in dom0;
//   - vchan (the guest serves, dom0's Xen vchan-socket-proxy connects, one
//     connection per phase): Linux -> guest and guest -> Linux throughput
//     with 4 KiB and 64 KiB writes, and the 1-byte round trip through dom0
//     (the proxy and a `cat` loop echo it back).
// dom0 needs a second vCPU, and Xen stalls on two CPUs under -icount, so
// these run in real time: the figures depend on the host, unlike the
// kernel benchmarks. Prints a table between "bench: begin" and "bench: end"
// in the kernel benchmarks' format.
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>
#include <petrel/kernel/task.h>
#include <petrel/string.h>
#include <petrel/xen/evtchn.h>
#include <petrel/xen/vchan.h>
#include <petrel/xen/xenstore.h>

namespace {

using namespace petrel;
using namespace petrel::kernel;
using namespace petrel::xen;

uint64_t g_scale = 1;  // bootargs "quick": a tenth of the iterations

uint64_t ns_from_ticks(uint64_t ticks) {
  return ticks * 1'000'000'000ull / arch::timer_frequency();
}

[[noreturn]] void fail(const char* what, const Error& e) {
  print("xen-bench: FAILED %s: %s\n", what, e.message);
  exit(1);
}

struct Figures {
  uint64_t min = ~0ull, max = 0, sum = 0, n = 0;
  void add(uint64_t t) {
    if (t < min) min = t;
    if (t > max) max = t;
    sum += t;
    ++n;
  }
};

void rows(const char* name, const Figures& f) {
  if (f.n == 0) {  // a phase that measured nothing has no figure to give
    print("xen-bench: FAILED %s: no samples\n", name);
    exit(1);
  }
  char label[64];
  format_to(label, sizeof label, "%s (min)", name);
  print("| %-38s | %5d | %8" PETREL_PRI64 "u | %" PETREL_PRI64 "u | %" PETREL_PRI64 "u |\n", label,
        1, f.n, f.min, ns_from_ticks(f.min));
  format_to(label, sizeof label, "%s (avg)", name);
  const uint64_t avg100 = f.sum * 100 / f.n;
  const uint64_t ns100 = ns_from_ticks(f.sum) * 100 / f.n;
  print("| %-38s | %5d | %8" PETREL_PRI64 "u | %" PETREL_PRI64 "u.%02" PETREL_PRI64
        "u | %" PETREL_PRI64 "u.%02" PETREL_PRI64 "u |\n",
        label, 1, f.n, avg100 / 100, avg100 % 100, ns100 / 100, ns100 % 100);
  format_to(label, sizeof label, "%s (max)", name);
  print("| %-38s | %5d | %8" PETREL_PRI64 "u | %" PETREL_PRI64 "u | %" PETREL_PRI64 "u |\n", label,
        1, f.n, f.max, ns_from_ticks(f.max));
}

// One vchan connection from dom0 (the script starts a proxy per phase).
Vchan* accept(const char* phase) {
  auto v = vchan::server(kDomain0, "data/vchan-bench", 65536, 65536);
  if (!v) fail("vchan server", v.error());
  print("xen-bench: vchan ready for %s\n", phase);
  if (Status s = (*v)->wait_connected(Ticks{60'000}); !s) fail("vchan connect", s.error());
  return *v;
}

char g_buf[65536];

// Reads until dom0 closes; one "op" per `chunk` bytes.
void vchan_in(const char* name, size_t chunk, Figures* f) {
  Vchan* v = accept(name);
  uint64_t bytes = 0, start = 0;
  for (;;) {
    auto n = v->read(g_buf, sizeof g_buf, Ticks{60'000});
    if (!n || *n == 0) break;
    if (bytes == 0) start = arch::timer_now();
    bytes += *n;
  }
  const uint64_t ticks = arch::timer_now() - start;
  v->close();
  f->n = bytes / chunk;
  f->sum = ticks;
}

// Writes `total` bytes in `chunk`-byte packets, waits until dom0 took them.
void vchan_out(const char* name, size_t chunk, uint64_t total, Figures* f) {
  Vchan* v = accept(name);
  const uint64_t start = arch::timer_now();
  for (uint64_t sent = 0; sent < total; sent += chunk) {
    if (Status s = v->write_all(g_buf, chunk, Ticks{60'000}); !s) fail("vchan write", s.error());
  }
  (void)v->wait_drained(kForever);
  const uint64_t ticks = arch::timer_now() - start;
  v->close();
  f->n = total / chunk;
  f->sum = ticks;
}

void vchan_rtt(Figures* f, uint64_t rounds) {
  Vchan* v = accept("round trips");
  char c = 'x';
  for (uint64_t i = 0; i < rounds; ++i) {
    const uint64_t t0 = arch::timer_now();
    if (Status s = v->write_all(&c, 1, Ticks{10'000}); !s) fail("vchan write", s.error());
    if (Status s = v->read_all(&c, 1, Ticks{10'000}); !s) fail("vchan read", s.error());
    f->add(arch::timer_now() - t0);
  }
  v->close();
}

void throughput_row(const char* name, const Figures& f) {
  const uint64_t ns100 = f.n ? ns_from_ticks(f.sum) * 100 / f.n : 0;
  const uint64_t t100 = f.n ? f.sum * 100 / f.n : 0;
  print("| %-38s | %5d | %8" PETREL_PRI64 "u | %" PETREL_PRI64 "u.%02" PETREL_PRI64
        "u | %" PETREL_PRI64 "u.%02" PETREL_PRI64 "u |\n",
        name, 1, f.n, t100 / 100, t100 % 100, ns100 / 100, ns100 % 100);
}

void bench(void*) {
  Semaphore* echoed = *semaphore_create_counting(1000, 0);
  auto port = evtchn::alloc_unbound(kDomain0);
  if (!port) fail("alloc_unbound", port.error());
  if (Status s = evtchn::bind(*port, evtchn::signal_semaphore, echoed); !s) fail("bind", s.error());
  char text[16];
  format_to(text, sizeof text, "%u", port->value);
  if (Status s = xenstore::write("data/bench/port", text); !s) fail("write port", s.error());
  // dom0 starts evtchn-echo on the port, then writes data/bench/ready.
  for (int i = 0;; ++i) {
    if (xenstore::read("data/bench/ready", text, sizeof text)) break;
    if (i == 2000) fail("waiting for dom0", Error{Errc::kTimeout, "no data/bench/ready"});
    task_delay(Ticks{10});
  }
  task_delay(Ticks{20});
  while (semaphore_take(echoed, kNoWait)) {
  }  // the echo of the event Xen raises when dom0 binds

  Figures rt;
  const uint64_t rounds = 2000 / g_scale;
  for (uint64_t i = 0; i < rounds; ++i) {
    const uint64_t t0 = arch::timer_now();
    if (Status s = evtchn::send(*port); !s) fail("send", s.error());
    if (Status s = semaphore_take(echoed, Ticks{1000}); !s) fail("waiting for the echo", s.error());
    rt.add(arch::timer_now() - t0);
  }

  Figures xs;
  const uint64_t reads = 500 / g_scale;
  for (uint64_t i = 0; i < reads; ++i) {
    const uint64_t t0 = arch::timer_now();
    if (auto r = xenstore::read("domid", text, sizeof text); !r) fail("xenstore read", r.error());
    xs.add(arch::timer_now() - t0);
  }

  // vchan: dom0's script connects once per phase, in this order.
  Figures in4k, in64k, out4k, out64k, rtt;
  const uint64_t total = (4u << 20) / g_scale;
  format_to(text, sizeof text, "%u", static_cast<unsigned>(total));
  (void)xenstore::write("data/bench/bytes", text);  // how much dom0 sends
  vchan_in("Linux -> guest 4 KiB", 4096, &in4k);
  vchan_in("Linux -> guest 64 KiB", 65536, &in64k);
  vchan_out("guest -> Linux 4 KiB", 4096, total, &out4k);
  vchan_out("guest -> Linux 64 KiB", 65536, total, &out64k);
  vchan_rtt(&rtt, 1000 / g_scale);

  print("bench: begin\n");
  print("| benchmark | ready tasks | operations | counter ticks per op | ns per op |\n");
  print("|---|---|---|---|---|\n");
  rows("event channel round trip via dom0", rt);
  rows("xenstore read", xs);
  throughput_row("vchan Linux -> guest, per 4 KiB", in4k);
  throughput_row("vchan Linux -> guest, per 64 KiB", in64k);
  throughput_row("vchan guest -> Linux, per 4 KiB", out4k);
  throughput_row("vchan guest -> Linux, per 64 KiB", out64k);
  rows("vchan 1-byte round trip via dom0", rtt);
  print("bench: end\n");
  (void)xenstore::write("data/bench/done", "1");
  exit(0);
}

}  // namespace

extern "C" int main() {
  if (bootarg_present(board().bootargs, "quick")) g_scale = 10;
  if (!xenstore::available()) {
    print("xen-bench: needs xenstore and a dom0: run it with petrel run --dom0\n");
    return 2;
  }
  auto t = task_create(TaskConfig{"xen-bench", 10, 16 * 1024, bench, nullptr});
  if (!t) return 3;
  scheduler_start();
  return 0;
}
