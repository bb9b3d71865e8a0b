// soak: background computation at the lowest priorities, so the processor is
// busy nearly all the time (under icount an idle guest's time passes without
// instructions). Two or three tasks each compute the same floating-point
// series and a CRC-32 over a heap buffer again and again; every result must
// equal the task's first one bit for bit, which checks that FP/SIMD
// registers (switched lazily) and the buffer survive every preemption.
#include <petrel/kernel/heap.h>

#include "soak.h"

namespace soak {
namespace {

using namespace petrel::kernel;

constexpr size_t kBufferSize = 2048;

double series(uint32_t terms) {
  double sum = 0;
  for (uint32_t k = 1; k <= terms; ++k) sum += 1.0 / (static_cast<double>(k) * k);
  return sum;
}

uint32_t crc32(const uint8_t* data, size_t len) {
  uint32_t crc = ~0u;
  for (size_t i = 0; i < len; ++i) {
    crc ^= data[i];
    for (int b = 0; b < 8; ++b) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void cruncher(void* arg) {
  Rng rng(seed_of(arg));
  auto* buffer = static_cast<uint8_t*>(heap_alloc(kBufferSize));
  if (buffer == nullptr) {
    fail("crunch: no buffer");
    return;
  }
  count(Op::kHeap);
  for (size_t i = 0; i < kBufferSize; ++i) buffer[i] = static_cast<uint8_t>(rng.next());
  const uint32_t terms = rng.between(100, 400);
  const double first_sum = series(terms);
  const uint32_t first_crc = crc32(buffer, kBufferSize);
  uint64_t rounds = 0;
  while (!stopping()) {
    const double sum = series(terms);
    if (__builtin_memcmp(&sum, &first_sum, sizeof sum) != 0) {
      fail("crunch: the FP series came out different in round %llu",
           static_cast<unsigned long long>(rounds));
      break;
    }
    if (crc32(buffer, kBufferSize) != first_crc) {
      fail("crunch: the buffer's CRC changed in round %llu",
           static_cast<unsigned long long>(rounds));
      break;
    }
    ++rounds;
    // Now and then a tick of rest: the idle task runs then.
    if (rng.one_in(64)) task_delay(Ticks{1});
  }
  heap_free(buffer);
}

void begin(Rng& rng) {
  const unsigned tasks = rng.between(2, 3);
  for (unsigned i = 0; i < tasks; ++i)
    spawn("crunch", static_cast<Priority>(1 + i % 2), 4096, cruncher, seed_arg(rng));
}

void end() {}

}  // namespace

const Load kCrunchLoad{"crunch", begin, end, nullptr};

}  // namespace soak
