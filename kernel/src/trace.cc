// The scheduler trace's ring and its drain (trace.h).
#include "petrel/kernel/trace.h"

#include "petrel/console.h"
#include "petrel/fmt.h"

namespace petrel::kernel::trace {

constinit Ring g_ring{};

void ring_full() {
  // Back to the capacity, so 2^32 events cannot wrap `claimed` round to the
  // start of the ring; an interrupt's claim in between is above it too.
  __atomic_store_n(&g_ring.claimed, static_cast<uint32_t>(kCapacity), __ATOMIC_RELAXED);
  __atomic_fetch_add(&g_ring.dropped, 1, __ATOMIC_RELAXED);
}

void task_named(uint32_t id, const char* name) {
  if constexpr (config::kTrace) {
    // Two chunks of 8 bytes in the stamp's place, NUL-padded (names are at
    // most 15 characters, config::kTaskNameLength); the second only for a
    // name longer than 8.
    uint64_t chunks[2] = {0, 0};
    for (uint32_t i = 0; i < 16 && name[i] != '\0'; ++i)
      chunks[i / 8] |= uint64_t{static_cast<uint8_t>(name[i])} << (8 * (i % 8));
    const uint32_t count = chunks[1] != 0 ? 2 : 1;
    for (uint32_t chunk = 0; chunk < count; ++chunk) {
      const uint32_t slot = __atomic_fetch_add(&g_ring.claimed, 1, __ATOMIC_RELAXED);
      if (slot >= kCapacity) {
        ring_full();
        return;
      }
      Event& e = g_ring.events[slot];
      e.stamp = chunks[chunk];
      e.head = static_cast<uint32_t>(Kind::kTaskName) | chunk << 8;
      e.word = id;
    }
  }
}

void drain() {
  if constexpr (config::kTrace) {
    // Recording stops here: later claims find the ring full.
    uint32_t n =
        __atomic_exchange_n(&g_ring.claimed, static_cast<uint32_t>(kCapacity), __ATOMIC_RELAXED);
    uint32_t dropped = __atomic_load_n(&g_ring.dropped, __ATOMIC_RELAXED);
    if (n > kCapacity) {
      dropped += n - static_cast<uint32_t>(kCapacity);
      n = static_cast<uint32_t>(kCapacity);
    }
    console_end_line();
    print("@petrel-trace begin v=1 freq=%" PETREL_PRI64 "u events=%u dropped=%u capacity=%u\n",
          arch::timer_frequency(), n, dropped, static_cast<unsigned>(kCapacity));
    for (uint32_t i = 0; i < n; ++i) {
      const Event& e = g_ring.events[i];
      print("@petrel-trace e %016" PETREL_PRI64 "x %08x %08x\n", e.stamp, e.head, e.word);
    }
    print("@petrel-trace end events=%u\n", n);
  }
}

void reset() {
  if constexpr (config::kTrace) {
    __atomic_store_n(&g_ring.dropped, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&g_ring.claimed, 0, __ATOMIC_RELAXED);
  }
}

}  // namespace petrel::kernel::trace
