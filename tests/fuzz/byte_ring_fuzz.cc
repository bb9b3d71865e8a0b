// Fuzz target: one direction of a shared byte ring (xen/src/byte_ring.cc)
// against a hostile peer. The input is a script: the ring's size and the
// page's starting indices, then operations, each either ours (write, read,
// pending, available) or the peer's (set its index to any value, move it by
// any amount). Whatever the peer does, no access leaves the ring's buffer
// (an exactly sized heap array) and every count stays within the ring.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "fuzz_check.h"
#include "petrel/xen/byte_ring.h"

using petrel::fuzz::expect;
using petrel::xen::RingConsumer;
using petrel::xen::RingProducer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const uint32_t ring_size = 1u << in.ConsumeIntegralInRange<uint32_t>(0, 12);
  auto buf = std::make_unique<char[]>(ring_size);
  // One index pair shared by both ends: our producer writes prod, our
  // consumer reads it (a loopback), and the peer scribbles on either.
  uint32_t prod = in.ConsumeIntegral<uint32_t>();
  uint32_t cons = in.ConsumeBool() ? prod - in.ConsumeIntegral<uint32_t>() : prod;
  RingProducer producer(buf.get(), ring_size, &prod, &cons);
  RingConsumer consumer(buf.get(), ring_size, &prod, &cons);
  const bool producer_ok = producer.attach().ok();
  const bool consumer_ok = consumer.attach().ok();
  expect(producer_ok == consumer_ok, "both ends agree on the starting indices");
  if (!producer_ok) return 0;

  std::vector<char> out(ring_size + 1);
  const std::vector<char> src(2 * ring_size + 1, 'd');
  while (in.remaining_bytes() > 0) {
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
      case 0: {
        const size_t len = in.ConsumeIntegralInRange<size_t>(0, src.size());
        auto n = producer.write(src.data(), len);
        if (n) expect(*n <= len && *n <= ring_size, "write takes at most len and the ring");
        break;
      }
      case 1: {
        const size_t len = in.ConsumeIntegralInRange<size_t>(0, out.size());
        auto n = consumer.read(out.data(), len);
        if (n) expect(*n <= len && *n <= ring_size, "read gives at most len and the ring");
        break;
      }
      case 2:
        if (auto n = producer.pending()) expect(*n <= ring_size, "pending within the ring");
        break;
      case 3:
        if (auto n = consumer.available()) expect(*n <= ring_size, "available within the ring");
        break;
      case 4:
        prod = in.ConsumeIntegral<uint32_t>();  // the peer's producer index, anything
        break;
      case 5:
        cons = in.ConsumeIntegral<uint32_t>();  // the peer's consumer index, anything
        break;
      case 6:
        prod += in.ConsumeIntegralInRange<uint32_t>(0, 2 * ring_size);
        break;
      default:
        cons += in.ConsumeIntegralInRange<uint32_t>(0, 2 * ring_size);
        break;
    }
  }
  return 0;
}
