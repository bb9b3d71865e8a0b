// ipc-pong: the other end of ipc-ping's static channel (ping.cc says what
// the two do). It borrows the region ipc-ping owns, answers every frame,
// and exits 0 when ipc-ping closes the channel; on Debian's Xen it answers
// the doorbell until ipc-ping has gone quiet.
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>
#include <petrel/string.h>
#include <petrel/xen/static_channel.h>

#include "protocol.h"

namespace {

using namespace petrel;
using namespace petrel::kernel;
using namespace petrel::xen;

uint8_t g_payload[ipc::kMaxPayload];
uint8_t g_bulk[ipc::kMaxPayload];  // what every kSink frame carries

[[noreturn]] void fail(const char* what, const Error& e) {
  print("ipc-pong: %s: %s\n", what, e.message);
  exit(1);
}

void answer_doorbell() {
  auto d = static_channel::doorbell(ipc::kChannel);
  if (!d) fail("the doorbell", d.error());
  unsigned rings = 0;
  // The first ring may take as long as ipc-ping's boot; then silence for
  // half a second means it is done.
  while ((*d)->wait(rings == 0 ? Ticks{10'000} : Ticks{500})) {
    if (Status s = (*d)->ring(); !s) fail("ringing", s.error());
    ++rings;
  }
  if (rings == 0) {
    print("ipc-pong: no ring from ipc-ping in 10 s\n");
    exit(1);
  }
  print("ipc-pong: doorbell: answered %u rings\n", rings);
  (*d)->close();
  exit(0);
}

void pong(void*) {
  auto opened = static_channel::open(ipc::kChannel, Ticks{10'000});
  if (!opened) {
    if (opened.error().code != Errc::kNotFound) fail("opening channel ping", opened.error());
    answer_doorbell();
  }
  StaticChannel* ch = *opened;
  ipc::bulk_payload(g_bulk);
  uint64_t echoed = 0, sunk = 0, bytes = 0;
  uint32_t damaged = 0;
  for (;;) {
    ipc::Frame f{};
    if (Status s = ch->read_all(&f, sizeof f, Ticks{10'000}); !s) {
      if (s.error().code != Errc::kNotFound) fail("reading", s.error());
      break;  // ipc-ping closed the channel: done
    }
    if (f.len > ipc::kMaxPayload || (f.kind == ipc::kReport && f.len != 0)) {
      print("ipc-pong: a frame of %u bytes: refused\n", f.len);
      exit(1);
    }
    if (Status s = ch->read_all(g_payload, f.len, Ticks{10'000}); !s) fail("reading", s.error());
    switch (f.kind) {
      case ipc::kEcho:
        if (Status s = ch->write_all(&f, sizeof f, Ticks{10'000}); !s) fail("echoing", s.error());
        if (Status s = ch->write_all(g_payload, f.len, Ticks{10'000}); !s)
          fail("echoing", s.error());
        ++echoed;
        break;
      case ipc::kSink:
        if (f.len != ipc::kMaxPayload || str::compare(g_payload, g_bulk, f.len) != 0) ++damaged;
        bytes += f.len;
        ++sunk;
        break;
      case ipc::kReport: {
        const ipc::Frame report{static_cast<uint32_t>(sunk), ipc::kReport | (damaged << 16), 0, 0};
        if (Status s = ch->write_all(&report, sizeof report, Ticks{10'000}); !s)
          fail("reporting", s.error());
        break;
      }
      default:
        print("ipc-pong: a frame of unknown kind %u: refused\n", f.kind);
        exit(1);
    }
  }
  print(
      "ipc-pong: echoed %llu frames, took %llu bytes in %llu frames, %u damaged; ipc-ping closed\n",
      static_cast<unsigned long long>(echoed), static_cast<unsigned long long>(bytes),
      static_cast<unsigned long long>(sunk), damaged);
  ch->close();
  exit(damaged == 0 ? 0 : 1);
}

}  // namespace

extern "C" int main() {
  auto t = task_create(TaskConfig{"pong", 5, 16 * 1024, pong, nullptr});
  if (!t) return 3;
  scheduler_start();
  return 0;
}
