// vchan-echo: echoes every byte a vchan peer sends, one connection after
// another.
//
// As a server (the default) it publishes a vchan for dom0 at
// data/vchan-echo in its own xenstore directory; from dom0:
//
//   vchan-socket-proxy -m client DOMID /local/domain/DOMID/data/vchan-echo -
//
// connects stdin/stdout to it. With bootargs "role=client path=P" it
// connects instead to a server dom0 published at P (for example
// `vchan-socket-proxy -m server DOMID P -`) and echoes what that sends.
// "connections=N" ends after N connections (default: serve forever);
// "cycles=N" instead opens and closes N servers (1 KiB and 64 KiB rings,
// the second in pages) without a client and checks that no grant, event
// channel or heap memory is left behind.
// "close-after=N" closes connection number "close-connection=K" (default:
// every one) after echoing N bytes (to test a peer's detection of a close
// mid-stream).
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/kernel/heap.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>
#include <petrel/string.h>
#include <petrel/xen/evtchn.h>
#include <petrel/xen/grant.h>
#include <petrel/xen/vchan.h>
#include <petrel/xen/xenstore.h>
#include <petrel/xen/xs_protocol.h>

namespace {

using namespace petrel;
using namespace petrel::kernel;
using namespace petrel::xen;

// The value of "key=" in the bootargs, or `fallback`.
const char* arg(const char* key, char* out, size_t size, const char* fallback) {
  return bootarg_value(board().bootargs, key, out, size) ? out : fallback;
}

char g_buf[16384];

// Echoes until the peer closes (or `limit` bytes, 0: no limit); returns
// the bytes echoed.
uint64_t echo(Vchan* v, uint64_t limit) {
  uint64_t total = 0;
  for (;;) {
    if (limit != 0 && total >= limit) {
      print("vchan-echo: closing mid-stream after %llu bytes\n",
            static_cast<unsigned long long>(total));
      return total;
    }
    auto n = v->read(g_buf, sizeof g_buf, Ticks{60'000});
    if (!n) {
      if (n.error().code != Errc::kNotFound) print("vchan-echo: read: %s\n", n.error().message);
      return total;
    }
    if (*n == 0) {
      print("vchan-echo: idle for a minute, closing\n");
      return total;
    }
    size_t sent = 0;
    while (sent < *n) {
      auto w = v->write(g_buf + sent, *n - sent, Ticks{60'000});
      if (!w || *w == 0) {
        print("vchan-echo: write: %s\n", w ? "timed out" : w.error().message);
        return total;
      }
      sent += *w;
    }
    total += *n;
  }
}

// Opens and closes `n` servers; every resource count must come back.
void cycles(uint32_t n) {
  const grant::Stats g0 = grant::stats();
  const evtchn::Stats e0 = evtchn::stats();
  const HeapStats h0 = heap_stats();
  const uint64_t t0 = arch::timer_now();
  for (uint32_t i = 0; i < n; ++i) {
    auto v = vchan::server(kDomain0, "data/vchan-cycle", 1024, 65536);
    if (!v) {
      print("vchan-echo: cycle %u: %s\n", i, v.error().message);
      exit(1);
    }
    (*v)->close();
  }
  const uint64_t ms = (arch::timer_now() - t0) * 1000 / arch::timer_frequency();
  const grant::Stats g1 = grant::stats();
  const evtchn::Stats e1 = evtchn::stats();
  const HeapStats h1 = heap_stats();
  print("vchan-echo: %u open/close cycles in %llu ms\n", n, static_cast<unsigned long long>(ms));
  print("vchan-echo: grants %u -> %u, bound event channels %u -> %u, heap free %u -> %u, open %u\n",
        g0.granted, g1.granted, e0.bound, e1.bound, static_cast<unsigned>(h0.free),
        static_cast<unsigned>(h1.free), vchan::stats().open);
  const bool leak = g1.granted != g0.granted || e1.bound != e0.bound || h1.free != h0.free ||
                    vchan::stats().open != 0 || vchan::stats().pending_grants != 0;
  print("vchan-echo: %s\n", leak ? "LEAK" : "nothing leaked");
  exit(leak ? 1 : 0);
}

void serve(void*) {
  char cycles_buf[16];
  if (const char* c = arg("cycles", cycles_buf, sizeof cycles_buf, nullptr); c != nullptr)
    cycles(xs::parse_u32(c).value_or(1));
  char role_buf[16], path_buf[128], count_buf[16], limit_buf[16], which_buf[16];
  const char* role = arg("role", role_buf, sizeof role_buf, "server");
  const bool client = str::compare_strings(role, "client") == 0;
  const char* path = arg("path", path_buf, sizeof path_buf, "data/vchan-echo");
  const char* count_text = arg("connections", count_buf, sizeof count_buf, "0");
  const uint32_t connections = xs::parse_u32(count_text).value_or(0);
  const uint32_t limit =
      xs::parse_u32(arg("close-after", limit_buf, sizeof limit_buf, "0")).value_or(0);
  const uint32_t which =
      xs::parse_u32(arg("close-connection", which_buf, sizeof which_buf, "0")).value_or(0);
  for (uint32_t c = 0; connections == 0 || c < connections; ++c) {
    Result<Vchan*> v =
        client ? vchan::client(kDomain0, path) : vchan::server(kDomain0, path, 65536, 65536);
    // A client waits (up to a minute) for dom0's server to be there.
    for (int tries = 0; client && !v && tries < 1200; ++tries) {
      task_delay(Ticks{50});
      v = vchan::client(kDomain0, path);
    }
    if (!v) {
      print("vchan-echo: cannot %s at %s: %s\n", client ? "connect" : "serve", path,
            v.error().message);
      exit(1);
    }
    if (!client) {
      print("vchan-echo: serving at %s (rings %u and %u bytes)\n", path,
            static_cast<unsigned>((*v)->read_capacity()),
            static_cast<unsigned>((*v)->write_capacity()));
      if (Status s = (*v)->wait_connected(kForever); !s) {
        print("vchan-echo: no client: %s\n", s.error().message);
        (*v)->close();
        continue;
      }
    }
    print("vchan-echo: connection %u open\n", c + 1);
    const uint64_t bytes = echo(*v, which == 0 || which == c + 1 ? limit : 0);
    print("vchan-echo: connection %u ended after %llu bytes%s\n", c + 1,
          static_cast<unsigned long long>(bytes), (*v)->peer_closed() ? " (the peer closed)" : "");
    (*v)->close();
    if (client) {
      // The finished server's entries may linger until dom0 removes them:
      // wait for that (up to 5 s) so the next connect finds a new server.
      char key[160], ref[16];
      format_to(key, sizeof key, "%s/ring-ref", path);
      for (int i = 0; i < 100 && xenstore::read(key, ref, sizeof ref); ++i) task_delay(Ticks{50});
    }
  }
  task_delay(Ticks{200});
  const vchan::Stats s = vchan::stats();
  print("vchan-echo: done, %u channels open, %u grants pending, reap leaves %u\n", s.open,
        s.pending_grants, vchan::reap());
  exit(0);
}

}  // namespace

extern "C" int main() {
  if (!xenstore::available()) {
    print("vchan-echo: needs xenstore and a dom0: run it with petrel run --dom0\n");
    return 2;
  }
  auto t = task_create(TaskConfig{"vchan-echo", 5, 16 * 1024, serve, nullptr});
  if (!t) return 3;
  scheduler_start();
  return 0;
}
