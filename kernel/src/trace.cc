// The scheduler trace's ring and its drain (trace.h).
#include "petrel/kernel/trace.h"

#include "petrel/console.h"
#include "petrel/fmt.h"

namespace petrel::kernel::trace {

constinit Ring g_ring{};

namespace {

// The reader's side (take()): slots [0, g_taken) of this pass through the
// ring were handed out (and zeroed); g_streamed counts every event handed
// out since boot.
uint32_t g_taken = 0;
uint64_t g_streamed = 0;

}  // namespace

void ring_full() {
  // Back to the capacity, so 2^32 events cannot wrap `claimed` round to the
  // start of the ring; an interrupt's claim in between is above it too. Only
  // from above: if the reader (take()) started the ring again since this
  // claim, the ring is not full any more.
  uint32_t c = __atomic_load_n(&g_ring.claimed, __ATOMIC_RELAXED);
  while (c > kCapacity &&
         !__atomic_compare_exchange_n(&g_ring.claimed, &c, static_cast<uint32_t>(kCapacity), true,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
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

size_t take(Event* out, size_t max, uint32_t* dropped) {
  *dropped = 0;
  if constexpr (!config::kTrace) return 0;
  uint32_t claimed = __atomic_load_n(&g_ring.claimed, __ATOMIC_RELAXED);
  if (claimed > kCapacity) claimed = static_cast<uint32_t>(kCapacity);
  size_t n = 0;
  uint32_t k = g_taken;
  for (; n < max && k < claimed; ++k, ++n) {
    Event& e = g_ring.events[k];
    // Written once its head is (record()); a claimed slot not yet written
    // (its task preempted inside the trace point) ends the batch.
    const uint32_t head = __atomic_load_n(&e.head, __ATOMIC_ACQUIRE);
    if (head == 0) break;
    out[n] = Event{e.stamp, head, e.word};
    e.stamp = 0;
    e.word = 0;
    __atomic_store_n(&e.head, 0, __ATOMIC_RELAXED);
  }
  g_taken = k;
  g_streamed += n;
  // Every claimed slot handed out: the next claim starts at the first slot
  // again. No slot can be in flight then: one claimed before this point is
  // below g_taken, so it was written. Interrupts masked: no claim between
  // the look and the reset.
  const uint64_t saved = arch::irq_save();
  const uint32_t now_claimed = g_ring.claimed;
  if (now_claimed == k || (now_claimed >= kCapacity && k == kCapacity)) {
    g_ring.claimed = 0;
    g_taken = 0;
  }
  *dropped = g_ring.dropped;
  g_ring.dropped = 0;
  arch::irq_restore(saved);
  return n;
}

uint64_t streamed() {
  return g_streamed;
}

size_t stream_header(char* buf) {
  return format_to(buf, kStreamLineMax,
                   "@petrel-trace stream v=1 freq=%" PETREL_PRI64 "u capacity=%u\n",
                   arch::timer_frequency(), static_cast<unsigned>(kCapacity));
}

size_t batch_line(char* buf, uint64_t first, size_t events, uint32_t dropped) {
  return format_to(buf, kStreamLineMax,
                   "@petrel-trace batch first=%" PETREL_PRI64 "u events=%u dropped=%u\n", first,
                   static_cast<unsigned>(events), dropped);
}

size_t event_line(char* buf, const Event& e) {
  return format_to(buf, kStreamLineMax, "@petrel-trace e %016" PETREL_PRI64 "x %08x %08x\n",
                   e.stamp, e.head, e.word);
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
    // What a reader (take()) handed out already was streamed.
    const uint32_t first = g_taken < n ? g_taken : n;
    console_end_line();
    print("@petrel-trace begin v=1 freq=%" PETREL_PRI64
          "u events=%u dropped=%u capacity=%u streamed=%" PETREL_PRI64 "u\n",
          arch::timer_frequency(), n - first, dropped, static_cast<unsigned>(kCapacity),
          g_streamed);
    for (uint32_t i = first; i < n; ++i) {
      const Event& e = g_ring.events[i];
      print("@petrel-trace e %016" PETREL_PRI64 "x %08x %08x\n", e.stamp, e.head, e.word);
    }
    print("@petrel-trace end events=%u\n", n - first);
  }
}

void reset() {
  if constexpr (config::kTrace) {
    __atomic_store_n(&g_ring.dropped, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&g_ring.claimed, 0, __ATOMIC_RELAXED);
    for (Event& e : g_ring.events) e = Event{};
    g_taken = 0;
    g_streamed = 0;
  }
}

}  // namespace petrel::kernel::trace
