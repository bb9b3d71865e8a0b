// chan-rogue: chan-probe's peer (probe.c), which behaves as "mode=" in the
// bootargs says:
//   good     echoes on channel "a" until the probe closes it, then owns "b"
//            properly and greets the probe there;
//   garbage  echoes 3 messages, then moves a's producer index a gigabyte
//            ahead, and lays "b" out with rings far larger than the region;
//   silent   never opens anything (a peer that never starts);
//   quit     echoes 5 messages and exits without closing anything (the
//            shutdown hook must tell the probe).
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fdt.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>
#include <petrel/string.h>
#include <petrel/xen/evtchn.h>
#include <petrel/xen/static_channel.h>

namespace {

using namespace petrel;
using namespace petrel::kernel;
using namespace petrel::xen;

constexpr size_t kMessage = 32;  // probe.c's

[[noreturn]] void fail(const char* what, const Error& e) {
  print("chan-rogue: %s: %s\n", what, e.message);
  exit(1);
}

// Echoes up to `limit` messages (0: until the probe closes); how many.
unsigned echo(StaticChannel* a, unsigned limit) {
  char buf[kMessage];
  unsigned n = 0;
  while (limit == 0 || n < limit) {
    Status s = a->read_all(buf, sizeof buf, Ticks{5000});
    if (!s) {
      if (s.error().code == Errc::kNotFound) break;
      fail("reading a", s.error());
    }
    if (Status w = a->write_all(buf, sizeof buf, Ticks{5000}); !w) fail("echoing on a", w.error());
    ++n;
  }
  return n;
}

StaticChannel* open_a() {
  auto a = static_channel::open("a", Ticks{5000});
  if (!a) fail("opening a", a.error());
  return *a;
}

// Lays channel b's region out with rings of order 20 each way (2 x 1 MiB
// in 16 KiB) and rings the probe.
void hostile_layout_b() {
  auto fdt = Fdt::open(reinterpret_cast<const void*>(device_tree_address()), kMaxDeviceTreeSize);
  if (!fdt) fail("the device tree", fdt.error());
  auto region = find_static_region(*fdt, "b", board());
  if (!region) fail("finding b", region.error());
  const auto base = static_cast<uintptr_t>(region->base);
  if (Status s = arch::map_shared_memory(base, static_cast<size_t>(region->size)); !s)
    fail("mapping b", s.error());
  auto* sh = reinterpret_cast<VchanShared*>(base);
  sh->left_order = 20;
  sh->right_order = 20;
  sh->srv_live = 1;
  sh->cli_live = 2;
  *static_header(reinterpret_cast<void*>(base)) =
      StaticHeader{0, kStaticVersion, static_cast<uint32_t>(region->size / 4096), 0};
  __atomic_store_n(&static_header(reinterpret_cast<void*>(base))->magic, kStaticMagic,
                   __ATOMIC_RELEASE);
  (void)evtchn::send(EvtchnPort{static_channel::find("b")->port});
}

void rogue(void*) {
  char mode[16];
  if (!bootarg_value(board().bootargs, "mode", mode, sizeof mode)) str::copy(mode, "good", 5);
  print("chan-rogue: mode %s\n", mode);
  if (str::compare_strings(mode, "silent") == 0) {
    task_delay(Ticks{4000});  // beyond the probe's waits (2 s on a, 1.5 s on b)
    exit(0);
  }
  StaticChannel* a = open_a();
  if (str::compare_strings(mode, "quit") == 0) {
    print("chan-rogue: echoed %u, exiting without a word\n", echo(a, 5));
    exit(0);
  }
  if (str::compare_strings(mode, "garbage") == 0) {
    const unsigned n = echo(a, 3);
    auto* sh = reinterpret_cast<VchanShared*>(static_cast<uintptr_t>(a->region().base));
    __atomic_store_n(&sh->left.prod, sh->left.cons + 0x40000000u, __ATOMIC_RELEASE);
    (void)evtchn::send(EvtchnPort{static_channel::find("a")->port});
    print("chan-rogue: echoed %u, then moved a's producer index a gigabyte ahead\n", n);
    hostile_layout_b();
    print("chan-rogue: laid b out with 1 MiB rings in 16 KiB\n");
    task_delay(Ticks{2000});
    exit(0);
  }
  const unsigned n = echo(a, 0);
  a->close();
  auto b = static_channel::open("b", Ticks{5000});
  if (!b) fail("opening b", b.error());
  if (Status s = (*b)->write_all("b-hello", 8, Ticks{5000}); !s) fail("greeting on b", s.error());
  // The probe reads the greeting and closes: a read then ends.
  char c;
  auto r = (*b)->read(&c, 1, Ticks{5000});
  if (r || r.error().code != Errc::kNotFound) {
    print("chan-rogue: the probe did not close b\n");
    exit(1);
  }
  print("chan-rogue: echoed %u; the probe read b's greeting and closed\n", n);
  (*b)->close();
  exit(0);
}

}  // namespace

extern "C" int main() {
  auto t = task_create(TaskConfig{"rogue", 5, 16 * 1024, rogue, nullptr});
  if (!t) return 3;
  scheduler_start();
  return 0;
}
