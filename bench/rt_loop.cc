// rt-loop: a 1 kHz periodic task that measures its own lateness, for
// `./petrel bench --rt --loaded` (docs/realtime.md): started by `xl create`
// from a Linux dom0 that runs a CPU, memory and I/O load beside it, on two
// pCPUs without icount, so the virtual counter follows the host's real time.
//
// The task, at the highest application priority, sleeps until each 1 ms
// tick boundary (task_delay_until) and reads the counter when it runs; its
// lateness goes into a histogram of 1 us buckets up to 20 ms and one bucket
// beyond, and the largest is kept exactly. At the
// end it prints, on lines the tool parses (tools/petrel/rt_loaded.h):
//   rt-loop: periods N period_us 1000
//   rt-loop: p50_ns A p99_ns B p999_ns C max_ns D misses M
//   rt-loop: hist LO_US HI_US COUNT     (1-2-5 buckets; HI_US 0: open)
// A miss is a lateness of a whole period or more: that period's work
// would have run into the next one.
//
// bootargs "periods=N" (default 100000, at least 100).
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/kernel/config.h>
#include <petrel/kernel/heap.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>

namespace {

using namespace petrel;
using namespace petrel::kernel;

constexpr uint32_t kBuckets = 20000;  // 1 us each; g_hist[kBuckets]: 20 ms and later
constexpr uint32_t kPeriodUs = 1000000 / config::kTickRateHz;
static_assert(kPeriodUs == 1000, "rt-loop's period is one 1 kHz tick");

uint32_t* g_hist;  // kBuckets + 1 counts, from the heap
uint64_t g_max_ns;
uint32_t g_misses;

uint64_t periods_asked() {
  uint64_t n = 100000;
  if (bootarg_number(board().bootargs, "periods", &n) == BootargNumber::kMalformed || n < 100 ||
      n > 100'000'000)
    panic("rt-loop: periods= takes a count from 100 to 10^8");
  return n;
}

// The smallest lateness (in ns, to its 1 us bucket's upper edge) that
// `per_mille` of the `n` samples do not exceed; the largest sample if that is
// in the open bucket.
uint64_t percentile_ns(uint64_t n, uint64_t per_mille) {
  const uint64_t rank = (n * per_mille + 999) / 1000;  // 1-based
  uint64_t seen = 0;
  for (uint32_t us = 0; us < kBuckets; ++us) {
    seen += g_hist[us];
    if (seen >= rank) return (us + 1) * 1000ull;
  }
  return g_max_ns;  // in the open bucket
}

void print_histogram() {
  // 1-2-5 buckets: [0,1) [1,2) [2,5) [5,10) ... [10000,20000) [20000,-).
  static constexpr uint32_t kEdges[] = {0,   1,   2,    5,    10,   20,    50,   100,
                                        200, 500, 1000, 2000, 5000, 10000, 20000};
  constexpr size_t kCount = sizeof kEdges / sizeof kEdges[0];
  for (size_t i = 0; i < kCount; ++i) {
    const uint32_t lo = kEdges[i];
    const uint32_t hi = i + 1 < kCount ? kEdges[i + 1] : 0;
    uint64_t count = 0;
    for (uint32_t us = lo; us < (hi == 0 ? kBuckets + 1 : hi); ++us) count += g_hist[us];
    print("rt-loop: hist %u %u %" PETREL_PRI64 "u\n", lo, hi, count);
  }
}

void loop(void* arg) {
  const uint64_t periods = *static_cast<uint64_t*>(arg);
  const uint64_t per_tick = arch::timer_frequency() / config::kTickRateHz;
  Ticks wake = tick_count();
  task_delay_until(&wake, Ticks{1});  // start on a tick boundary
  for (uint64_t i = 0; i < periods; ++i) {
    task_delay_until(&wake, Ticks{1});
    const uint64_t late = arch::timer_now() - wake.count * per_tick;
    const uint64_t late_ns = late * 1'000'000'000ull / arch::timer_frequency();
    const uint64_t us = late_ns / 1000;
    ++g_hist[us < kBuckets ? us : kBuckets];
    if (late_ns > g_max_ns) g_max_ns = late_ns;
    if (us >= kPeriodUs) ++g_misses;
  }
  print("rt-loop: periods %" PETREL_PRI64 "u period_us %u\n", periods, kPeriodUs);
  print("rt-loop: p50_ns %" PETREL_PRI64 "u p99_ns %" PETREL_PRI64 "u p999_ns %" PETREL_PRI64
        "u max_ns %" PETREL_PRI64 "u misses %u\n",
        percentile_ns(periods, 500), percentile_ns(periods, 990), percentile_ns(periods, 999),
        g_max_ns, g_misses);
  print_histogram();
  scheduler_end();
}

}  // namespace

extern "C" int main() {
  static uint64_t periods = periods_asked();
  g_hist = static_cast<uint32_t*>(heap_alloc((kBuckets + 1) * sizeof(uint32_t), alignof(uint32_t)));
  if (g_hist == nullptr) panic("rt-loop: no heap for the histogram");
  for (uint32_t i = 0; i <= kBuckets; ++i) g_hist[i] = 0;
  print("rt-loop: measuring %" PETREL_PRI64 "u periods of %u us\n", periods, kPeriodUs);
  auto t = task_create(
      TaskConfig{"loop", static_cast<Priority>(config::kPriorities - 1), 8192, loop, &periods});
  if (!t) panic("rt-loop: %s", t.error().message);
  scheduler_start();
  return 0;
}
