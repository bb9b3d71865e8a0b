#include "petrel/xen/pv_console.h"

#include <xen/hvm/params.h>

#include <new>

#include "petrel/arch.h"
#include "petrel/console.h"
#include "petrel/fmt.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/semaphore.h"
#include "petrel/xen/console_ring.h"
#include "petrel/xen/evtchn.h"
#include "petrel/xen/hypercall.h"

namespace petrel::xen::pv_console {
namespace {

// The module's state: zero at boot (.bss), and what reset_module()
// restores.
struct PvConsoleState {
  ConsoleRing ring;
  EvtchnPort port;
  bool available = false;
  kernel::Semaphore input;  // given by the event channel: input may be there
  Stats stats{};
  bool final = false;     // the guest is going down (final_output())
  bool given_up = false;  // ... and the backend stalled: drop the rest at once
};
constinit PvConsoleState g_console;

// How long write() waits for the backend to make room while the guest runs:
// xenconsoled drains the ring as soon as it is notified, so this is only
// reached when dom0 is stuck (or starved of CPU, as under a loaded QEMU);
// then output is dropped rather than the guest's tasks stopped.
constexpr uint64_t kFullWaitNs = 200'000'000;
// Once the guest is going down: how long without progress it waits.
constexpr uint64_t kFinalStallNs = 5'000'000'000;

uint64_t counter_after(uint64_t ns) {
  return arch::timer_now() + ns * arch::timer_frequency() / 1'000'000'000;
}

}  // namespace

[[gnu::cold]] Status init() {
  // The page first: without one the port is not asked for (a hypercall).
  const Error none{Errc::kNotFound, "pv console: the domain has no console page"};
  auto pfn = hvm_param(HVM_PARAM_CONSOLE_PFN);
  if (!pfn || *pfn == 0) return none;
  auto port = hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
  if (!port || *port == 0) return none;
  if (!evtchn::ready()) return Error{Errc::kUnsupported, "pv console: no event channels"};
  const uintptr_t page = address_of(Gfn{*pfn});
  if (Status s = arch::map_shared_memory(page, kPageSize); !s) return s;
  if (Status s = g_console.ring.attach(reinterpret_cast<xencons_interface*>(page)); !s) return s;
  if (auto sem = kernel::semaphore_create_static(&g_console.input, 1, 0); !sem) return sem.error();
  g_console.port = EvtchnPort{static_cast<uint32_t>(*port)};
  if (Status s = evtchn::bind(g_console.port, evtchn::signal_semaphore, &g_console.input); !s)
    return s;
  g_console.available = true;
  return ok();
}

bool available() {
  return g_console.available;
}

void write(const char* text, size_t len) {
  if (!g_console.available) return;
  PvConsoleState& c = g_console;
  uint64_t deadline = 0;
  while (len > 0 && !c.given_up) {
    auto n = c.ring.write(text, len);
    if (!n) break;  // the backend corrupted the ring: drop
    c.stats.written += *n;
    text += *n;
    len -= *n;
    (void)evtchn::send(c.port);
    if (len == 0) return;
    if (*n > 0 && c.final) deadline = 0;  // progress: the stall clock restarts
    if (*n == 0) {
      // Full: wait (bounded) for xenconsoled to drain it.
      if (deadline == 0) deadline = counter_after(c.final ? kFinalStallNs : kFullWaitNs);
      if (arch::timer_now() >= deadline) {
        c.given_up = c.final;
        break;
      }
    }
  }
  c.stats.dropped += len;
}

void final_output() {
  PvConsoleState& c = g_console;
  if (c.final) return;
  c.final = true;
  // What the running guest lost, said now that the console waits for dom0:
  // dropped output is never silent.
  if (c.available && c.stats.dropped > 0)
    print("petrel: the PV console dropped %" PETREL_PRI64
          "u bytes while the guest ran: dom0's xenconsoled left its ring full for more "
          "than %" PETREL_PRI64 "u ms\n",
          c.stats.dropped, kFullWaitNs / 1'000'000);
}

void drain() {
  PvConsoleState& c = g_console;
  if (!c.available || c.given_up) return;
  (void)evtchn::send(c.port);
  size_t last = SIZE_MAX;
  uint64_t deadline = 0;
  for (;;) {
    auto pending = c.ring.out_pending();
    if (!pending || *pending == 0) return;
    if (*pending != last) {  // progress (or the first look): the stall clock restarts
      last = *pending;
      deadline = counter_after(kFinalStallNs);
    } else if (arch::timer_now() >= deadline) {
      c.given_up = true;
      return;
    }
  }
}

Result<size_t> read(char* buf, size_t size, kernel::Ticks timeout) {
  if (!g_console.available) return Error{Errc::kUnsupported, "pv console: not available"};
  for (;;) {
    auto n = g_console.ring.read(buf, size);
    if (!n) return n.error();
    if (*n > 0 || size == 0) {
      g_console.stats.read += *n;
      return *n;
    }
    Status s = kernel::semaphore_take_compact(&g_console.input, timeout);
    if (!s) {
      if (s.error().code == Errc::kTimeout) return size_t{0};
      return s.error();
    }
  }
}

Stats stats() {
  Stats s = g_console.stats;
  s.ring_errors = g_console.ring.errors();
  return s;
}

void reset_module() {
  g_console.~PvConsoleState();
  new (&g_console) PvConsoleState();
}

}  // namespace petrel::xen::pv_console
