// grant-peer: grant tables with a real Linux dom0 (its side:
// tests/system/dom0/grant.sh with the dom0 tool tools/dom0/gnt-peer.c).
//   1. The guest grants dom0 a page, dom0 maps it (gntdev), reads the
//      guest's text and writes its own; while dom0 holds the mapping the
//      guest cannot end the grant (kBusy), once dom0 unmapped it can.
//   2. dom0 grants the guest a page (gntalloc); the guest maps it into its
//      grant window, reads dom0's text, writes an answer, unmaps.
// Handshakes go through xenstore (data/grant/...). Every step prints a
// "grant-peer:" line; a failed one prints "FAILED" and exits 1.
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>
#include <petrel/string.h>
#include <petrel/xen/grant.h>
#include <petrel/xen/xenstore.h>
#include <petrel/xen/xs_protocol.h>

namespace {

using namespace petrel;
using namespace petrel::kernel;
using namespace petrel::xen;

alignas(4096) char g_page[4096];

[[noreturn]] void fail(const char* what, const Error& e) {
  print("grant-peer: FAILED %s: %s\n", what, e.message);
  exit(1);
}

// Waits (polling, up to 20 s) until `path` exists; returns its value.
void wait_key(const char* path, char* buf, size_t size) {
  for (int i = 0; i < 2000; ++i) {
    if (xenstore::read(path, buf, size)) return;
    task_delay(Ticks{10});
  }
  fail(path, Error{Errc::kTimeout, "never written by dom0"});
}

void peer(void*) {
  char text[32];

  // 1. A page of ours for dom0.
  str::copy(g_page, "hello from the guest's page", 28);
  auto ref = grant::grant_access(kDomain0, g_page, false);
  if (!ref) fail("grant_access", ref.error());
  format_to(text, sizeof text, "%u", ref->value);
  if (Status s = xenstore::write("data/grant/guest-ref", text); !s) fail("write", s.error());
  print("grant-peer: granted a page to dom0\n");
  wait_key("data/grant/mapped", text, sizeof text);
  auto busy = grant::end_access(*ref);
  print("grant-peer: ending the grant while dom0 has it mapped: %s\n",
        busy ? "ended?!" : busy.error().message);
  if (busy || busy.error().code != Errc::kBusy) exit(1);
  print("grant-peer: dom0 wrote \"%s\"\n", g_page + 2048);
  wait_key("data/grant/unmapped", text, sizeof text);
  if (Status s = grant::end_access(*ref); !s) fail("end_access after the unmap", s.error());
  print("grant-peer: grant ended after dom0 unmapped\n");

  // 2. A page of dom0's for us.
  wait_key("data/grant/dom0-ref", text, sizeof text);
  auto dom0_ref = xs::parse_u32(text);
  if (!dom0_ref) fail("dom0-ref", dom0_ref.error());
  auto m = grant::map(kDomain0, GrantRef{*dom0_ref}, false);
  if (!m) fail("map dom0's grant", m.error());
  auto* p = static_cast<char*>(m->address);
  print("grant-peer: dom0's page says \"%s\"\n", p);
  str::copy(p + 2048, "the guest read it", 18);
  if (Status s = grant::unmap(*m); !s) fail("unmap", s.error());
  print("grant-peer: unmapped dom0's page, %u granted, %u mapped\n", grant::stats().granted,
        grant::stats().mapped);
  (void)xenstore::write("data/grant/done", "1");
  exit(0);
}

}  // namespace

extern "C" int main() {
  if (!xenstore::available() || !grant::ready()) {
    print("grant-peer: needs xenstore and grant tables: run it with petrel run --dom0\n");
    return 2;
  }
  auto t = task_create(TaskConfig{"grant-peer", 5, 16 * 1024, peer, nullptr});
  if (!t) return 3;
  scheduler_start();
  return 0;
}
