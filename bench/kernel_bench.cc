// Kernel benchmarks inside a guest on Xen. Run under QEMU's -icount
// shift=0 (`./petrel bench`), virtual time advances one nanosecond per guest
// instruction, so every figure below is an instruction count, repeatable on
// any host. The generic timer counter runs at 62.5 MHz (16 ns per tick):
// costs are averaged over many operations to see below that.
//
// Each benchmark runs with 2, 16 and 64 ready tasks: the extra tasks spin at
// the lowest application priority, so they are ready all the time but never
// run while the measured tasks do. A figure that does not change with them
// shows a cost independent of the number of tasks.
#include <arch/cpu.h>
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/kernel/config.h>
#include <petrel/kernel/notify.h>
#include <petrel/kernel/queue.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>
#include <petrel/kernel/task.h>
#include <petrel/kernel/trace.h>

#include "rows.h"

namespace {

using namespace petrel;
using namespace petrel::kernel;
using petrel::bench::ns_from_ticks;
using petrel::bench::print_hundredths;
using petrel::bench::row;
using petrel::bench::single_row;

constexpr unsigned kReadyCounts[] = {2, 16, 64};

// bootargs "quick": a tenth of the iterations (for the CI smoke test).
uint64_t g_scale = 1;
uint64_t scaled(uint64_t n) {
  return n / g_scale;
}
constexpr Priority kMeasured = 20;
constexpr Priority kSpinner = 1;

void spawn_spinners(unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    auto r = task_create(TaskConfig{"spinner", kSpinner, 2048,
                                    [](void*) {
                                      for (;;) {
                                      }
                                    },
                                    nullptr});
    if (!r) panic("bench: spinner: %s", r.error().message);
  }
}

template <typename F>
Task* spawn(const char* name, Priority prio, F* fn) {
  auto r = task_create(TaskConfig{name, prio, 8192, [](void* p) { (*static_cast<F*>(p))(); }, fn});
  if (!r) panic("bench: %s: %s", name, r.error().message);
  return *r;
}

// Runs the scheduler with `tasks_ready` tasks in all: the `measured` ones
// (created by `setup`) and spinners. The measured tasks end the scheduler
// when done.
template <typename Setup>
void run(unsigned tasks_ready, unsigned measured, Setup setup) {
  kernel_reset();
  setup();
  spawn_spinners(tasks_ready - measured);
  scheduler_start();
  kernel_reset();
}

// --- yield between two tasks of equal priority --------------------------
void bench_yield(unsigned ready) {
  const uint64_t kYields = scaled(20000);
  uint64_t start = 0, end = 0;
  int finished = 0;
  auto body = [&] {
    if (start == 0) start = arch::timer_now();
    for (uint64_t i = 0; i < kYields; ++i) task_yield();
    if (++finished == 2) {
      end = arch::timer_now();
      scheduler_end();
    }
  };
  run(ready, 2, [&] {
    spawn("a", kMeasured, &body);
    spawn("b", kMeasured, &body);
  });
  row("yield (one task switch)", ready, 2 * kYields, end - start);
}

// --- suspend/resume ping-pong: the bare switch path ----------------------
void bench_resume(unsigned ready) {
  const uint64_t kRounds = scaled(10000);
  uint64_t start = 0, end = 0;
  Task* high = nullptr;
  auto high_body = [&] {
    for (;;) task_suspend(nullptr);
  };
  auto low_body = [&] {
    start = arch::timer_now();
    for (uint64_t i = 0; i < kRounds; ++i) task_resume(high);  // switch there and back
    end = arch::timer_now();
    scheduler_end();
  };
  run(ready, 2, [&] {
    high = spawn("high", kMeasured + 1, &high_body);
    spawn("low", kMeasured, &low_body);
  });
  row("resume + suspend round trip", ready, kRounds, end - start);
}

// --- semaphore ping-pong: give one, take the other, between two tasks ----
void bench_semaphore(unsigned ready) {
  const uint64_t kRounds = scaled(10000);
  Semaphore* ping = *semaphore_create_binary();
  Semaphore* pong = *semaphore_create_binary();
  uint64_t start = 0, end = 0;
  auto a = [&] {
    start = arch::timer_now();
    for (uint64_t i = 0; i < kRounds; ++i) {
      (void)semaphore_give(ping);
      (void)semaphore_take(pong, kForever);
    }
    end = arch::timer_now();
    scheduler_end();
  };
  auto b = [&] {
    for (;;) {
      (void)semaphore_take(ping, kForever);
      (void)semaphore_give(pong);
    }
  };
  run(ready, 2, [&] {
    spawn("a", kMeasured, &a);
    spawn("b", kMeasured, &b);
  });
  semaphore_delete(ping);
  semaphore_delete(pong);
  row("semaphore ping-pong (round trip)", ready, kRounds, end - start);
}

// --- queue: one task sends, another receives ------------------------------
void bench_queue(unsigned ready) {
  const uint64_t kItems = scaled(10000);
  Queue* q = *queue_create(1, sizeof(uint32_t));
  uint64_t start = 0, end = 0;
  auto sender = [&] {
    start = arch::timer_now();
    for (uint32_t i = 0; i < kItems; ++i) (void)queue_send_back(q, &i, kForever);
  };
  auto receiver = [&] {
    uint32_t item = 0;
    for (uint64_t i = 0; i < kItems; ++i) (void)queue_receive(q, &item, kForever);
    end = arch::timer_now();
    scheduler_end();
  };
  run(ready, 2, [&] {
    spawn("sender", kMeasured, &sender);
    spawn("receiver", kMeasured, &receiver);
  });
  queue_delete(q);
  row("queue send + receive (two tasks)", ready, kItems, end - start);
}

// --- notification give (low) + take (high) --------------------------------
void bench_notify(unsigned ready) {
  const uint64_t kRounds = scaled(10000);
  Task* taker = nullptr;
  uint64_t start = 0, end = 0;
  auto take = [&] {
    for (;;) (void)notify_take(0, true, kForever);
  };
  auto give = [&] {
    start = arch::timer_now();
    for (uint64_t i = 0; i < kRounds; ++i) (void)notify_give(taker, 0);
    end = arch::timer_now();
    scheduler_end();
  };
  run(ready, 2, [&] {
    taker = spawn("taker", kMeasured + 1, &take);
    spawn("giver", kMeasured, &give);
  });
  row("notify give + take (with 2 switches)", ready, kRounds, end - start);
}

// --- interrupt to waiting task running ----------------------------------
// The EL1 physical timer (emulated by Xen) raises an interrupt at a known
// counter value; its handler gives a notification to a high-priority task
// blocked taking it, which reads the counter when it runs. A notification,
// not suspend/resume: an interrupt that comes before the task has blocked
// (Xen's emulation of the timer writes takes guest time too) is kept, not
// lost, so the benchmark cannot hang on a race.
Task* g_irq_waiter;
// The handler's own work: silencing the timer, a register of Xen's emulated
// physical timer, so the write traps into Xen. Not Petrel's cost: timed
// around it, and the sum taken out of Petrel's share.
uint64_t g_handler_work;
void on_phys_timer(uint32_t, void*) {
  const uint64_t before = arch::timer_now();
  arch::write_cntp_ctl(0);
  g_handler_work += arch::timer_now() - before;
  bool woken = false;
  (void)notify_give_from_isr(g_irq_waiter, 0, &woken);
}

// The physical counter minus the virtual one (timer_now(), which
// irq_entry_time() reads): both run at one rate, so the offset is constant;
// read where the virtual counter did not move in between.
uint64_t physical_minus_virtual() {
  for (;;) {
    const uint64_t v1 = arch::timer_now();
    const uint64_t p = arch::read_cntpct();
    if (arch::timer_now() == v1) return p - v1;
  }
}

void bench_irq_latency(unsigned ready) {
  const int kShots = static_cast<int>(scaled(2000));
  uint64_t min = ~0ull, max = 0, sum = 0;
  // The split at Petrel's interrupt entry (arch::irq_entry_time): before it
  // Xen takes the timer interrupt and injects it, after it Petrel runs.
  uint64_t sum_hypervisor = 0;
  g_handler_work = 0;
  const uint64_t offset = physical_minus_virtual();
  auto body = [&] {
    for (int i = 0; i < kShots; ++i) {
      const uint64_t at = arch::read_cntpct() + 200;  // 3.2 us from now
      arch::write_cntp_cval(at);
      arch::write_cntp_ctl(1);
      (void)notify_take(0, true, kForever);
      const uint64_t late = arch::read_cntpct() - at;
      sum += late;
      if (late < min) min = late;
      if (late > max) max = late;
      sum_hypervisor += arch::irq_entry_time() + offset - at;
    }
    scheduler_end();
  };
  run(ready, 1, [&] { g_irq_waiter = spawn("waiter", kMeasured, &body); });
  print("| %-34s | %5u | %8d | ", "interrupt -> task running (min)", ready, kShots);
  print("%" PETREL_PRI64 "u | %" PETREL_PRI64 "u |\n", min, ns_from_ticks(min));
  print("| %-34s | %5u | %8d | ", "interrupt -> task running (avg)", ready, kShots);
  print_hundredths(sum * 100 / kShots);
  print(" | ");
  print_hundredths(ns_from_ticks(sum) * 100 / kShots);
  print(" |\n");
  print("| %-34s | %5u | %8d | ", "interrupt -> task running (max)", ready, kShots);
  print("%" PETREL_PRI64 "u | %" PETREL_PRI64 "u |\n", max, ns_from_ticks(max));
  print("| %-34s | %5u | %8d | ", "interrupt -> Petrel's entry (avg)", ready, kShots);
  print_hundredths(sum_hypervisor * 100 / kShots);
  print(" | ");
  print_hundredths(ns_from_ticks(sum_hypervisor) * 100 / kShots);
  print(" |\n");
  const uint64_t sum_petrel = sum - sum_hypervisor - g_handler_work;
  print("| %-34s | %5u | %8d | ", "Petrel's entry -> task, less handler (avg)", ready, kShots);
  print_hundredths(sum_petrel * 100 / kShots);
  print(" | ");
  print_hundredths(ns_from_ticks(sum_petrel) * 100 / kShots);
  print(" |\n");
}

// --- periodic wake-up lateness -------------------------------------------
void bench_periodic(unsigned ready) {
  const int kPeriods = static_cast<int>(scaled(10000));
  const uint64_t per_tick = arch::timer_frequency() / config::kTickRateHz;
  uint64_t min = ~0ull, max = 0, sum = 0;
  auto body = [&] {
    Ticks wake = tick_count();
    for (int i = 0; i < kPeriods; ++i) {
      task_delay_until(&wake, Ticks{1});
      const uint64_t late = arch::timer_now() - wake.count * per_tick;
      sum += late;
      if (late < min) min = late;
      if (late > max) max = late;
    }
    scheduler_end();
  };
  run(ready, 1, [&] { spawn("periodic", kMeasured, &body); });
  print("| %-34s | %5u | %8d | %" PETREL_PRI64 "u | %" PETREL_PRI64 "u |\n",
        "periodic wake-up lateness (min)", ready, kPeriods, min, ns_from_ticks(min));
  print("| %-34s | %5u | %8d | ", "periodic wake-up lateness (avg)", ready, kPeriods);
  print_hundredths(sum * 100 / kPeriods);
  print(" | ");
  print_hundredths(ns_from_ticks(sum) * 100 / kPeriods);
  print(" |\n");
  print("| %-34s | %5u | %8d | %" PETREL_PRI64 "u | %" PETREL_PRI64 "u |\n",
        "periodic wake-up lateness (max)", ready, kPeriods, max, ns_from_ticks(max));
}

// --- one trace event (kernel/include/petrel/kernel/trace.h) --------------
// Only in a build with the trace on (build/ARCH-trace: `petrel trace bench
// --bootargs only=trace`, docs/debugging.md): 2000 marks (trace::mark, the
// application's trace point, the same ring write as the kernel's) in a
// loop, less the same loop without them. The ring's address stays in a
// register across the loop; a trace point elsewhere forms it. With the
// trace off (the bench preset) this benchmark is not compiled, so the image
// and every figure stay as they are: a trace point is then nothing at all.
void bench_trace() {
  if constexpr (config::kTrace) {
    constexpr uint64_t kEvents = 2000;
    if (trace::g_ring.claimed + kEvents > trace::kCapacity) {
      print("bench: the trace ring is too full to measure an event\n");
      return;
    }
    const uint64_t start = arch::timer_now();
    for (uint64_t i = 0; i < kEvents; ++i) {
      trace::mark(static_cast<uint32_t>(i));
      __asm__ volatile("" ::: "memory");
    }
    const uint64_t middle = arch::timer_now();
    for (uint64_t i = 0; i < kEvents; ++i) __asm__ volatile("" ::: "memory");
    const uint64_t end = arch::timer_now();
    const uint64_t traced = middle - start, bare = end - middle;
    row("trace event (trace on)", 1, kEvents, traced > bare ? traced - bare : 0);
  }
}

// --- guest entry to the first task --------------------------------------
// Measured first, before main prints anything: the figure is the platform's
// boot and the scheduler's start, not the application's output.
uint64_t g_first_task_at = 0;

void measure_boot() {
  auto body = [] { g_first_task_at = arch::timer_now(); };
  kernel_reset();
  spawn("first", kMeasured, &body);
  scheduler_start();
}

void report_boot() {
  const uint64_t entry = entry_counter();
  single_row("guest entry -> first task running", g_first_task_at - entry);
  single_row("domain creation -> guest entry", entry);
}

// bootargs "only=NAME" (trace, yield, resume, semaphore, queue, notify,
// irq, periodic): the boot figure and that benchmark alone, to profile one path.
bool selected(const char* name) {
  char only[16];
  if (!bootarg_value(board().bootargs, "only", only, sizeof only)) return true;
  return __builtin_strcmp(only, name) == 0;
}

}  // namespace

extern "C" int main() {
  // The first task must be measured before anything else runs.
  measure_boot();
  if (bootarg_present(board().bootargs, "quick")) g_scale = 10;
  print("bench: begin\n");
  print("| benchmark | ready tasks | operations | counter ticks per op | ns per op |\n");
  print("|---|---|---|---|---|\n");
  report_boot();
  if (!arch::irq_register(board().timer_phys_irq, on_phys_timer, nullptr))
    panic("bench: cannot take the physical timer interrupt");
  if (selected("yield"))
    for (unsigned ready : kReadyCounts) bench_yield(ready);
  if (selected("resume"))
    for (unsigned ready : kReadyCounts) bench_resume(ready);
  if (selected("semaphore"))
    for (unsigned ready : kReadyCounts) bench_semaphore(ready);
  if (selected("queue"))
    for (unsigned ready : kReadyCounts) bench_queue(ready);
  if (selected("notify"))
    for (unsigned ready : kReadyCounts) bench_notify(ready);
  if (selected("irq")) {
    // 1: the waiter alone, so the guest idles in WFI when the interrupt
    // comes (Xen's wfi handling, e.g. vwfi=native, shows in this row).
    bench_irq_latency(1);
    for (unsigned ready : kReadyCounts) bench_irq_latency(ready);
  }
  if (selected("periodic"))
    for (unsigned ready : kReadyCounts) bench_periodic(ready);
  // Traced builds only; with only=trace, before the others fill the ring.
  if (selected("trace")) bench_trace();
  print("bench: end\n");
  return 0;
}
