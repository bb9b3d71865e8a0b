// soak: vchan to a peer in dom0 (bootargs "vchan": `petrel soak --dom0`).
// Each epoch serves a vchan at data/soak-vchan with rings of random sizes
// and says so on the console ("soak: vchan serving"); dom0's script
// (tests/system/dom0/soak-vchan.sh) connects Xen's vchan-socket-proxy with
// its output looped back to its input, so everything written comes back. A
// worker writes packets of random length whose bytes follow from their
// number and reads each back: the echo must equal the packet. At the
// epoch's end the channel is closed and its grants reaped once dom0 lets go.
#include <petrel/console.h>
#include <petrel/kernel/sched.h>
#include <petrel/xen/vchan.h>

#include "soak.h"

namespace soak {
namespace {

using namespace petrel;
using namespace petrel::kernel;
using namespace petrel::xen;

constexpr size_t kMaxPacket = 1024;
constexpr const char* kPath = "data/soak-vchan";

struct VchanState {
  Vchan* channel;
  uint64_t seed;
  unsigned epoch;
} v;

void make_packet(uint32_t number, size_t len, uint8_t* out) {
  for (size_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>(number * 13 + i * 7 + (i >> 8));
}

void echo_worker(void*) {
  Rng rng(v.seed);
  // dom0 starts its proxy once it has seen the line (in real time, that
  // takes a second or so): an epoch that ends first has no vchan traffic.
  for (unsigned ms = 0; !v.channel->wait_connected(Ticks{100}); ms += 100) {
    if (stopping()) return;
    if (ms >= 30'000) {
      fail("vchan: dom0 did not connect within 30 s");
      return;
    }
  }
  uint8_t out[kMaxPacket], back[kMaxPacket];
  const size_t largest =
      v.channel->write_capacity() < kMaxPacket ? v.channel->write_capacity() : kMaxPacket;
  for (uint32_t number = 0; !stopping(); ++number) {
    const size_t len = rng.between(1, static_cast<uint32_t>(largest));
    make_packet(number, len, out);
    if (!v.channel->write_all(out, len, Ticks{2000}) ||
        !v.channel->read_all(back, len, Ticks{2000})) {
      fail("vchan: packet %u of %zu bytes did not come back within 2 s", number, len);
      return;
    }
    if (__builtin_memcmp(out, back, len) != 0) {
      fail("vchan: packet %u of %zu bytes came back different", number, len);
      return;
    }
    count(Op::kVchan);
    if (rng.one_in(4)) task_delay(Ticks{rng.below(3)});
  }
}

void begin(Rng& rng) {
  v = VchanState{nullptr, rng.next(), v.epoch + 1};
  constexpr size_t kSizes[] = {1024, 2048, 4096, 16384, 65536};
  auto channel = vchan::server(kDomain0, kPath, kSizes[rng.below(5)], kSizes[rng.below(5)]);
  if (!channel) {
    fail("vchan: cannot serve at %s: %s", kPath, channel.error().message);
    return;
  }
  v.channel = *channel;
  print("soak: vchan serving (epoch %u)\n", v.epoch);
  spawn("vchan-echo", static_cast<Priority>(rng.between(5, 20)), 8192, echo_worker, nullptr);
}

void end() {
  if (v.channel == nullptr) return;
  v.channel->close();
  v.channel = nullptr;
  // Pages dom0 still maps are released once it has unmapped them.
  for (int i = 0; i < 200 && vchan::reap() != 0; ++i) task_delay(Ticks{10});
  const vchan::Stats s = vchan::stats();
  if (s.open != 0 || s.pending_grants != 0)
    fail("vchan: %u channels open, %u grants pending after the close", s.open, s.pending_grants);
}

}  // namespace

const Load kVchanLoad{"vchan", begin, end, nullptr};

}  // namespace soak
