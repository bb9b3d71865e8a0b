// Bringing a Petrel guest up on Xen, in order:
//   1. the boot context's thread-local storage, C++ static constructors;
//   2. console: HYPERVISOR_console_io, so any error from here on is seen;
//   3. the device tree Xen passed: validated and read into BoardInfo in one
//      pass;
//      the vpl011 UART replaces console_io when the tree has one;
//   4. GIC (arch), MMU and caches (arch), virtual timer (kernel time);
//   5. the PV console and xenstore when the domain has them (asked only when
//      the tree has a /hypervisor node; they bring up event channels), and
//      with them the trace's pump when asked (trace_stream.h); event
//      channels and the grant table are otherwise brought up by their first
//      user;
//   6. interrupts on.
// head.S then calls main() and petrel_exit() with its result.
#include "arch/pl011.h"
#include "petrel/arch.h"
#include "petrel/console.h"
#include "petrel/exit.h"
#include "petrel/fdt.h"
#include "petrel/guest.h"
#include "petrel/kernel/config.h"
#include "petrel/kernel/heap.h"
#include "petrel/time.h"
#include "petrel/xen/console.h"
#include "petrel/xen/control.h"
#include "petrel/xen/pv_console.h"
#include "petrel/xen/trace_stream.h"
#include "petrel/xen/xenstore.h"

extern "C" {
extern uint64_t petrel_entry_counter;  // head.S
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
}

namespace petrel {
namespace {

BoardInfo g_board;
uintptr_t g_dtb;

// The kernel heap: the RAM between the end of the image and the device tree
// (Xen puts it near the end of RAM), at most config::kHeapSize bytes when
// that is set.
void init_heap(uintptr_t start, uintptr_t dtb) {
  if (dtb > 0 && start > dtb) panic("no room for the heap below the device tree");
  uintptr_t end = static_cast<uintptr_t>(g_board.memory[0].base + g_board.memory[0].size);
  if (dtb > start && dtb < end) end = dtb & ~uintptr_t{0xfff};
  if (kernel::config::kHeapSize != 0 && end - start > kernel::config::kHeapSize)
    end = start + kernel::config::kHeapSize;
  kernel::heap_init(reinterpret_cast<void*>(start), end > start ? end - start : 0);
}

// A guest made by `xl create` has a PV console (and no console_io), xenstore
// and the toolstack's control protocol: use them when they are there.
void start_toolstack_services() {
  if (Status c = xen::pv_console::init(); c) {
    console_set_output(xen::pv_console::write, "xen pv console");
  } else if (c.error().code != Errc::kNotFound) {
    print("petrel: pv console unavailable: %s\n", c.error().message);
  }
  if (Status x = xen::xenstore::init(); x) {
    if (Status k = xen::control::init(); !k)
      print("petrel: shutdown control unavailable: %s\n", k.error().message);
    if (Status t = xen::trace_stream::start_if_asked(g_board.bootargs); !t)
      print("petrel: trace stream unavailable: %s\n", t.error().message);
  } else if (x.error().code != Errc::kNotFound) {
    print("petrel: xenstore unavailable: %s\n", x.error().message);
  }
}

void run_constructors() {
  for (auto* fn = __init_array_start; fn != __init_array_end; ++fn) (*fn)();
}

}  // namespace

const BoardInfo& board() {
  return g_board;
}
uint64_t entry_counter() {
  return petrel_entry_counter;
}

uintptr_t device_tree_address() {
  return g_dtb;
}

}  // namespace petrel

extern "C" void petrel_boot(uintptr_t dtb) {
  using namespace petrel;
  arch::boot_context_init();
  run_constructors();
  console_set_output(xen::console_io_write, "xen console_io");
  g_dtb = dtb;

  // Validated and read in one pass over the blob (Fdt::open_reading).
  auto board = parse_board(reinterpret_cast<const void*>(dtb), kMaxDeviceTreeSize);
  if (!board)
    panic("device tree at %p rejected: %s", reinterpret_cast<const void*>(dtb),
          board.error().message);
  g_board = *board;

  if (g_board.has_vpl011) {
    arch::pl011::init(static_cast<uintptr_t>(g_board.vpl011.base));
    console_set_output(arch::pl011::write, "vpl011");
  }

  // The GIC first (with the MMU off its registers are Device memory as
  // they will be mapped): the MMU then maps only the frames its driver uses.
  Status s = arch::gic_init(g_board);
  if (!s) panic("%s", s.error().message);
  auto free_start = arch::mmu_init(g_board);
  if (!free_start) panic("%s", free_start.error().message);
  init_heap(*free_start, dtb);
  arch::timer_init(g_board);
  time_init();
  // Event channels and the grant table come up on first use (evtchn::ready,
  // grant::ready): a guest that uses neither never pays for them, and a
  // failure goes to the first caller.
  // Xen announces itself to a guest in the /hypervisor node; a domain
  // without one (dom0less, not "xen,enhanced") has no toolstack behind it,
  // so no console page and no xenstore, and the boot does not ask Xen about
  // them (each question is a hypercall). Linux on ARM looks for Xen's
  // services nowhere else either.
  if (g_board.has_hypervisor) start_toolstack_services();
  arch::interrupts_enable();
}
