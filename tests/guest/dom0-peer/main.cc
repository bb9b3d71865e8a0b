// dom0-peer: a guest that works with a real Linux dom0 through xenstore,
// watches, transactions, the PV console's input and the shutdown protocol.
// Its counterpart is the dom0 script tests/system/dom0/peer.sh (run with
// `petrel run --dom0 dom0-peer --dom0-script tests/system/dom0/peer.sh`).
//
// In order: print the domain ID read from xenstore; write
// data/petrel/from-guest; watch data/petrel/to-guest until dom0 writes it
// and print the value; read a line of console input; increment a counter in
// a transaction; list data/petrel; then wait for `xl shutdown`. Every step
// prints a "peer:" line; a failed step prints "peer: FAILED ..." and exits 1.
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>
#include <petrel/kernel/task.h>
#include <petrel/string.h>
#include <petrel/xen/pv_console.h>
#include <petrel/xen/xenstore.h>
#include <petrel/xen/xs_protocol.h>

namespace {

using namespace petrel;
using namespace petrel::kernel;
using namespace petrel::xen;

constexpr Ticks kStepTimeout{30'000};  // 30 s at 1000 Hz

[[noreturn]] void fail(const char* what, const Error& e) {
  print("peer: FAILED %s: %s\n", what, e.message);
  exit(1);
}

// Prints `heading` and the NUL-separated strings of a xenstore reply on one line.
void print_strings(const char* heading, const char* list, size_t len) {
  print("%s", heading);
  for (const char* e = xs::next_string(list, len, nullptr); e != nullptr;
       e = xs::next_string(list, len, e))
    print(" %s", e);
  print("\n");
}

void on_to_guest(const char*, void* ctx) {
  (void)semaphore_give(static_cast<Semaphore*>(ctx));
}

void peer(void*) {
  auto domid = xenstore::domain_id();
  if (!domid) fail("domain_id", domid.error());
  print("peer: domain id %u\n", static_cast<unsigned>(domid->value));

  if (Status s = xenstore::write("data/petrel/from-guest", "hello-dom0"); !s)
    fail("write", s.error());
  print("peer: wrote data/petrel/from-guest\n");

  char owner[16];
  format_to(owner, sizeof owner, "n%u", static_cast<unsigned>(domid->value));
  const char* perms[] = {owner, "r0"};
  if (Status s = xenstore::set_permissions("data/petrel/from-guest", perms, 2); !s)
    fail("set_permissions", s.error());
  char got[64];
  auto p = xenstore::get_permissions("data/petrel/from-guest", got, sizeof got);
  if (!p) fail("get_permissions", p.error());
  print_strings("peer: permissions of data/petrel/from-guest:", got, *p);

  Semaphore* changed = *semaphore_create_counting(100, 0);
  auto watch = xenstore::watch("data/petrel/to-guest", on_to_guest, changed);
  if (!watch) fail("watch", watch.error());
  char value[64];
  for (;;) {
    if (Status s = semaphore_take(changed, kStepTimeout); !s)
      fail("waiting for the watch", s.error());
    auto n = xenstore::read("data/petrel/to-guest", value, sizeof value);
    if (n && *n > 0) break;  // the first event comes when the watch is set
  }
  print("peer: watch fired, read to-guest=%s\n", value);
  (void)xenstore::unwatch(*watch);

  print("peer: waiting for console input\n");
  char line[64];
  size_t len = 0;
  while (len + 1 < sizeof line) {
    auto n = pv_console::read(line + len, sizeof line - 1 - len, kStepTimeout);
    if (!n) fail("console input", n.error());
    if (*n == 0) fail("console input", Error{Errc::kTimeout, "nothing typed"});
    len += *n;
    if (str::find_char(line, '\n') != nullptr || line[len - 1] == '\r') break;
    line[len] = '\0';
  }
  line[len] = '\0';
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
  print("peer: console input: %s\n", line);

  uint32_t count = 0;
  Status t = xenstore::transaction([&](xenstore::Transaction tx) -> Status {
    char buf[16];
    auto r = xenstore::read("data/petrel/counter", buf, sizeof buf, tx);
    uint32_t c = 0;
    if (r) {
      auto v = xs::parse_u32(buf);
      if (v) c = *v;
    } else if (r.error().code != Errc::kNotFound) {
      return r.error();
    }
    count = c + 1;
    char out[16];
    format_to(out, sizeof out, "%u", count);
    return xenstore::write("data/petrel/counter", out, tx);
  });
  if (!t) fail("transaction", t.error());
  print("peer: transaction committed, counter=%u\n", count);

  char names[256];
  auto d = xenstore::directory("data/petrel", names, sizeof names);
  if (!d) fail("directory", d.error());
  print_strings("peer: data/petrel has", names, *d);

  if (Status s = xenstore::mkdir("data/petrel/dir"); !s) fail("mkdir", s.error());
  if (Status s = xenstore::write("data/petrel/dir/leaf", "x"); !s) fail("write leaf", s.error());
  if (Status s = xenstore::remove("data/petrel/dir"); !s) fail("rm", s.error());
  auto gone = xenstore::read("data/petrel/dir/leaf", value, sizeof value);
  print("peer: mkdir, write below, rm: the leaf is %s\n",
        !gone && gone.error().code == Errc::kNotFound ? "gone" : "still there");

  auto missing = xenstore::read("data/petrel/no-such-key", value, sizeof value);
  print("peer: reading a missing key: %s\n", missing ? "found?" : missing.error().message);

  print("peer: waiting for xl shutdown\n");
  for (;;) task_delay(Ticks{1000});
}

}  // namespace

extern "C" int main() {
  print("dom0-peer: xenstore %s, PV console %s\n", xenstore::available() ? "connected" : "missing",
        pv_console::available() ? "connected" : "missing");
  if (!xenstore::available() || !pv_console::available()) return 2;
  auto t = task_create(TaskConfig{"peer", 5, 16 * 1024, peer, nullptr});
  if (!t) return 3;
  scheduler_start();
  return 0;
}
