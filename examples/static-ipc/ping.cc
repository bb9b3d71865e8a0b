// ipc-ping: one end of a static channel between two dom0less guests
// (docs/static-ipc.md). Run both with
//
//   ./petrel run --xen rt ipc-ping ipc-pong
//
// With Xen's static shared memory (the real-time Xen), ipc-ping owns the
// 64 KiB region of channel "ping": it sends `rounds` 64-byte frames that
// ipc-pong echoes, checking each, then streams `bulk` bytes in 4 KiB frames
// that ipc-pong checks, and prints the round trip's average and the
// throughput. On Debian's Xen (no static shared memory) the channel is a
// doorbell: it rings `rounds` times, each answered, and prints the round
// trip. Both guests exit 0 when all went as expected.
//
// Bootargs: "rounds=N" (default 1000), "bulk=BYTES" (default 1 MiB).
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>
#include <petrel/string.h>
#include <petrel/xen/static_channel.h>

#include "protocol.h"

namespace {

using namespace petrel;
using namespace petrel::kernel;
using namespace petrel::xen;

constexpr Ticks kTimeout{5000};

// The number "key=N" gives, `fallback` without it (or for 0).
uint64_t arg_u64(const char* key, uint64_t fallback) {
  uint64_t n = fallback;
  if (bootarg_number(board().bootargs, key, &n) == BootargNumber::kMalformed)
    panic("ipc-ping: %s= takes a number", key);
  return n != 0 ? n : fallback;
}

uint64_t ns_since(uint64_t start) {
  return (arch::timer_now() - start) * 1'000'000'000ull / arch::timer_frequency();
}

[[noreturn]] void fail(const char* what, const Error& e) {
  print("ipc-ping: %s: %s\n", what, e.message);
  exit(1);
}

uint8_t g_frame[sizeof(ipc::Frame) + ipc::kMaxPayload];
uint8_t g_back[sizeof(ipc::Frame) + ipc::kMaxPayload];

ipc::Frame* header(uint8_t* f) {
  return reinterpret_cast<ipc::Frame*>(f);
}

// A frame of `len` payload bytes; its whole size.
size_t make_frame(uint32_t seq, uint32_t kind, size_t len) {
  uint8_t* payload = g_frame + sizeof(ipc::Frame);
  for (size_t i = 0; i < len; ++i) payload[i] = ipc::pattern(seq, i);
  *header(g_frame) = ipc::Frame{seq, kind, static_cast<uint32_t>(len), 0};
  return sizeof(ipc::Frame) + len;
}

void round_trips(StaticChannel* ch, uint64_t rounds) {
  const uint64_t start = arch::timer_now();
  for (uint64_t r = 0; r < rounds; ++r) {
    const size_t size = make_frame(static_cast<uint32_t>(r), ipc::kEcho, 48);
    if (Status s = ch->write_all(g_frame, size, kTimeout); !s) fail("sending", s.error());
    if (Status s = ch->read_all(g_back, size, kTimeout); !s) fail("receiving the echo", s.error());
    if (str::compare(g_frame, g_back, size) != 0) {
      print("ipc-ping: round trip %llu came back changed\n", static_cast<unsigned long long>(r));
      exit(1);
    }
  }
  const uint64_t ns = ns_since(start);
  print("ipc-ping: %llu round trips of 64 bytes, all intact, average %llu ns\n",
        static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(ns / rounds));
}

void throughput(StaticChannel* ch, uint64_t bulk) {
  const uint64_t frames = (bulk + ipc::kMaxPayload - 1) / ipc::kMaxPayload;
  ipc::bulk_payload(g_frame + sizeof(ipc::Frame));
  const uint64_t start = arch::timer_now();
  for (uint64_t f = 0; f < frames; ++f) {
    *header(g_frame) = ipc::Frame{static_cast<uint32_t>(f), ipc::kSink, ipc::kMaxPayload, 0};
    if (Status s = ch->write_all(g_frame, sizeof(ipc::Frame) + ipc::kMaxPayload, kTimeout); !s)
      fail("streaming", s.error());
  }
  *header(g_frame) = ipc::Frame{0, ipc::kReport, 0, 0};
  if (Status s = ch->write_all(g_frame, sizeof(ipc::Frame), kTimeout); !s)
    fail("asking for the report", s.error());
  ipc::Frame report{};
  if (Status s = ch->read_all(&report, sizeof report, kTimeout); !s)
    fail("reading the report", s.error());
  const uint64_t ns = ns_since(start);
  const uint64_t bytes = frames * ipc::kMaxPayload;
  if ((report.kind & 0xffff) != ipc::kReport || report.seq != frames || (report.kind >> 16) != 0) {
    print("ipc-ping: ipc-pong took %u of %llu frames, %u of them damaged\n", report.seq,
          static_cast<unsigned long long>(frames), report.kind >> 16);
    exit(1);
  }
  const uint64_t kb_per_s = ns != 0 ? bytes * 1'000'000ull / ns : 0;  // bytes/ns * 10^6
  print("ipc-ping: throughput: %llu bytes in %llu us, %llu.%03llu MB/s, every frame intact\n",
        static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(ns / 1000),
        static_cast<unsigned long long>(kb_per_s / 1000),
        static_cast<unsigned long long>(kb_per_s % 1000));
}

void doorbell_round_trips(uint64_t rounds) {
  auto d = static_channel::doorbell(ipc::kChannel);
  if (!d) fail("the doorbell", d.error());
  Doorbell* bell = *d;
  (void)bell->wait(kNoWait);  // Xen marks a static port pending when it binds it
  // ipc-pong may not listen yet: ring until it answers, then let the
  // answers to the extra rings come and go.
  unsigned tries = 0;
  for (;;) {
    if (Status s = bell->ring(); !s) fail("ringing", s.error());
    if (bell->wait(Ticks{20})) break;
    if (++tries == 500) {
      print("ipc-ping: ipc-pong never answered the doorbell\n");
      exit(1);
    }
  }
  task_delay(Ticks{50});
  (void)bell->wait(kNoWait);
  const uint64_t start = arch::timer_now();
  for (uint64_t r = 0; r < rounds; ++r) {
    if (Status s = bell->ring(); !s) fail("ringing", s.error());
    if (Status s = bell->wait(Ticks{1000}); !s) fail("waiting for the answer", s.error());
  }
  const uint64_t ns = ns_since(start);
  print("ipc-ping: doorbell: %llu round trips, average %llu ns\n",
        static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(ns / rounds));
  bell->close();
}

void ping(void*) {
  const uint64_t rounds = arg_u64("rounds", 1000);
  const uint64_t bulk = arg_u64("bulk", 1 << 20);
  auto ch = static_channel::open(ipc::kChannel, kTimeout);
  if (!ch) {
    if (ch.error().code != Errc::kNotFound) fail("opening channel ping", ch.error());
    print("ipc-ping: no shared region (%s): the doorbell alone\n", ch.error().message);
    doorbell_round_trips(rounds);
    exit(0);
  }
  const StaticRegion& r = (*ch)->region();
  print("ipc-ping: channel ping: %llu KiB shared at %#llx, %zu-byte rings, this side owns it\n",
        static_cast<unsigned long long>(r.size >> 10), static_cast<unsigned long long>(r.base),
        (*ch)->write_capacity());
  if (Status s = (*ch)->wait_connected(Ticks{10'000}); !s) fail("waiting for ipc-pong", s.error());
  round_trips(*ch, rounds);
  throughput(*ch, bulk);
  (*ch)->close();
  exit(0);
}

}  // namespace

extern "C" int main() {
  auto t = task_create(TaskConfig{"ping", 5, 16 * 1024, ping, nullptr});
  if (!t) return 3;
  scheduler_start();
  return 0;
}
