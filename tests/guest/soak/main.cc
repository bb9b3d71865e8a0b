// soak: a seeded pseudo-random mixed load over every kernel primitive, for
// as long as the bootargs say (`./petrel soak`, docs/reliability.md "Soak").
//
// bootargs (all optional):
//   length=N     run until the guest's clock reads N ns (default 10^9; under
//                icount a nanosecond is an instruction)
//   seed=S       the pseudo-random seed (default 1)
//   epoch=N      nanoseconds per epoch (default length/20, within 50 ms-20 s)
//   irq_us=N     mean microseconds between the load's own interrupts (200)
//   vchan        add the vchan load (a peer in dom0 serves it)
//   realtime     no icount (with dom0): lateness is measured, not checked
//   inject=leak  keep a heap block past an epoch's end (the heap check fails)
//   inject=late  overrun one period of the deadline task (a deadline miss)
//
// Prints a line per epoch, then "soak: summary ..." lines of key=value
// figures that `petrel soak` reads, then "soak: PASS" or "soak: FAIL", and
// exits with 0 only if every check held.
#include <arch/cpu.h>
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/kernel/heap.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/soft_timer.h>
#include <petrel/time.h>
#include <petrel/xen/evtchn.h>
#include <petrel/xen/vchan.h>

#include "control.h"
#include "soak.h"

namespace soak {
namespace {

using namespace petrel;
using namespace petrel::kernel;

struct Settings {
  uint64_t length_ns = 1'000'000'000;
  uint64_t seed = 1;
  uint64_t epoch_ns = 0;
  uint32_t irq_us = 200;
  bool vchan = false;
  bool inject_leak = false;
};
Settings g_settings;

const Load* const kLoads[] = {&kQueueLoad,  &kSemaphoreLoad, &kMutexLoad,   &kEventLoad,
                              &kNotifyLoad, &kStreamLoad,    &kMessageLoad, &kTimerLoad,
                              &kChurnLoad,  &kEvtchnLoad,    &kCrunchLoad,  &kVchanLoad};
constexpr size_t kLoadCount = sizeof kLoads / sizeof kLoads[0];

uint64_t number_arg(const char* key, uint64_t fallback) {
  uint64_t v = fallback;
  if (bootarg_number(board().bootargs, key, &v) == BootargNumber::kMalformed)
    panic("soak: %s= takes a number", key);
  return v;
}

void read_settings() {
  Settings& s = g_settings;
  s.length_ns = number_arg("length", s.length_ns);
  s.seed = number_arg("seed", s.seed);
  uint64_t epoch = s.length_ns / 20;
  if (epoch < 50'000'000) epoch = 50'000'000;
  if (epoch > 20'000'000'000) epoch = 20'000'000'000;
  s.vchan = bootarg_present(board().bootargs, "vchan");
  // dom0 takes a second or so to connect to each epoch's vchan.
  if (s.vchan && epoch < 2'000'000'000) epoch = 2'000'000'000;
  s.epoch_ns = number_arg("epoch", epoch);
  s.irq_us = static_cast<uint32_t>(number_arg("irq_us", s.irq_us));
  if (s.irq_us == 0) s.irq_us = 1;
  s.inject_leak = bootarg_present(board().bootargs, "inject=leak");
}

Ticks ticks_of_ns(uint64_t ns) {
  return Ticks{ns / (1'000'000'000u / config::kTickRateHz)};
}

bool load_enabled(const Load* load) {
  return load != &kVchanLoad || g_settings.vchan;
}

// Frees what the workers' self-deletion left to the idle task, then checks
// the heap against its value before the first epoch.
size_t check_heap(size_t start, unsigned epoch) {
  size_t free = heap_stats().free;
  for (int i = 0; i < 20 && free != start; ++i) {
    task_delay(Ticks{1});
    free = heap_stats().free;
  }
  if (free != start)
    fail("heap: %zu bytes free after epoch %u, %zu before the first", free, epoch, start);
  if (!heap_check()) fail("heap: heap_check found a damaged block or list after epoch %u", epoch);
  return free;
}

unsigned busy_percent() {
  const uint64_t total = scheduler_run_time();
  auto idle = task_info(task_find("idle"), false);
  if (total == 0 || !idle) return 0;
  return static_cast<unsigned>(100 - idle->run_time * 100 / total);
}

void print_summary(unsigned epochs, size_t heap_start, size_t heap_end) {
  ConsoleLock lock;
  const RealtimeFigures r = realtime_figures();
  const StackUse s = worst_stack();
  const HeapStats h = heap_stats();
  print("soak: summary ns=%" PETREL_PRIu64 " epochs=%u seed=%" PETREL_PRIu64 " busy_pct=%u\n",
        now_ns(), epochs, g_settings.seed, busy_percent());
  print("soak: summary heap_start=%zu heap_end=%zu heap_min=%zu heap_failures=%zu\n", heap_start,
        heap_end, h.min_free, h.failures);
  print("soak: summary stack_used=%zu stack_size=%zu stack_task=%s\n", s.used, s.size, s.name);
  print("soak: summary deadline_periods=%" PETREL_PRIu64 " deadline_misses=%" PETREL_PRIu64
        " worst_late_ns=%" PETREL_PRIu64 "\n",
        r.periods, r.deadline_misses, r.worst_late_ns);
  print("soak: summary timer_fires=%" PETREL_PRIu64 " timer_period_ticks=%" PETREL_PRIu64
        " worst_timer_late_ns=%" PETREL_PRIu64 " drift_ns=%" PETREL_PRId64 "\n",
        r.timer_fires, r.timer_period_ticks, r.worst_timer_late_ns, r.drift_ns);
  print("soak: summary worst_irq_late_ns=%" PETREL_PRIu64 " timing_checked=%d\n",
        r.worst_irq_late_ns, r.timing_checked ? 1 : 0);
  // The operations, a few to a line.
  for (size_t i = 0; i < static_cast<size_t>(Op::kCount); i += 4) {
    print("soak: summary");
    for (size_t j = i; j < i + 4 && j < static_cast<size_t>(Op::kCount); ++j)
      print(" ops_%s=%" PETREL_PRIu64, op_name(static_cast<Op>(j)), ops(static_cast<Op>(j)));
    print("\n");
  }
  print("soak: summary failures=%" PETREL_PRIu64 "\n", failures());
}

void controller(void*) {
  const Settings& s = g_settings;
  // Everything that lives through the run, and what the Xen glue sets up on
  // first use, before the heap's starting value is read.
  if (!xen::evtchn::ready()) fail("event channels: not available");
  if (s.vchan) {
    // The xenstore client and the grant table come up on first use.
    auto warm_up = xen::vchan::server(xen::kDomain0, "data/soak-vchan", 1024, 1024);
    if (warm_up) (*warm_up)->close();
  }
  realtime_start(s.irq_us, s.seed);
  task_delay(Ticks{2});
  const size_t heap_start = heap_stats().free;
  const unsigned bound_start = xen::evtchn::stats().bound;
  const Ticks epoch_ticks = ticks_of_ns(s.epoch_ns);
  const Ticks check_every = Ticks{epoch_ticks.count / 4 + 1};
  unsigned epoch = 0;
  size_t heap_end = heap_start;
  void* leak = nullptr;
  while (now_ns() < s.length_ns && failures() == 0) {
    Rng rng(s.seed * 0x100000001b3ull + epoch);
    workers_begin();
    for (const Load* load : kLoads)
      if (load_enabled(load)) load->begin(rng);
    interrupts_to_loads(kLoads, g_settings.vchan ? kLoadCount : kLoadCount - 1);
    const Ticks end = tick_count() + epoch_ticks;
    while (tick_count() < end && now_ns() < s.length_ns) {
      const Ticks left = end - tick_count();
      task_delay(left < check_every ? left : check_every);
      realtime_check();
    }
    interrupts_quiet();
    workers_stop();
    if (!workers_wait(Ticks{5000})) break;  // the loads' objects may still be in use
    for (const Load* load : kLoads)
      if (load_enabled(load)) load->end();
    if (s.inject_leak && epoch == 0) leak = heap_alloc(48);
    heap_end = check_heap(heap_start, epoch);
    if (xen::evtchn::stats().bound != bound_start)
      fail("evtchn: %u ports with handlers after epoch %u, %u before the first",
           xen::evtchn::stats().bound, epoch, bound_start);
    ++epoch;
    print("soak: epoch %u done at %" PETREL_PRIu64 " ms: %u workers, %" PETREL_PRIu64 " failures\n",
          epoch, now_ns() / 1'000'000, workers_started(), failures());
  }
  realtime_check();
  heap_free(leak);
  print_summary(epoch, heap_start, heap_end);
  if (failures() != 0) {
    print("soak: FAIL (%" PETREL_PRIu64 " checks did not hold)\n", failures());
    exit(1);
  }
  print("soak: PASS\n");
  exit(0);
}

Task g_controller;
alignas(16) uint8_t g_controller_stack[8192];

}  // namespace
}  // namespace soak

extern "C" int main() {
  using namespace petrel;
  using namespace petrel::kernel;
  soak::read_settings();
  const soak::Settings& s = soak::g_settings;
  print("soak: %s, seed %" PETREL_PRIu64 ", until %" PETREL_PRIu64 " ns, epochs of %" PETREL_PRIu64
        " ns, an interrupt every ~%u us%s\n",
        arch::name(), s.seed, s.length_ns, s.epoch_ns, s.irq_us, s.vchan ? ", vchan to dom0" : "");
  TimerServiceConfig service;
  service.priority = soak::kTimerServicePriority;
  // The stacks of the tasks that live through the run are scanned for their
  // high-water marks with interrupts masked: no bigger than they need be.
  service.stack_size = 4096;
  soft_timer_configure_service(service);
  auto t = task_create_static(
      TaskConfig{"controller", soak::kControllerPriority, sizeof soak::g_controller_stack,
                 soak::controller, nullptr},
      &soak::g_controller, soak::g_controller_stack, sizeof soak::g_controller_stack);
  if (!t) panic("soak: controller: %s", t.error().message);
  scheduler_start();
  return 1;
}
