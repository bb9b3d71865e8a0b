// Real-time latency inside a guest, for `./petrel bench --rt`: how late a
// task runs after the moment it should, measured over many samples, for
// one Xen scheduler and WFI setting at a time (the tool boots this guest
// once per configuration, docs/realtime.md). Under -icount shift=0 one ns
// is one instruction, Xen's included; the counter's resolution is 16.
//
// Four cases, each a distribution (min, average, p99, max):
//   - timer wake-up lateness: a task at the highest priority sleeps until
//     the next 1 ms tick boundary (task_delay_until) and reads the counter
//     when it runs: Xen's timer emulation, its injection, Petrel's interrupt
//     path and one switch;
//   - interrupt -> task: the EL1 physical timer (emulated by Xen) fires at a
//     known counter value and its handler gives a notification to the task
//     blocked on it, which reads the counter when it runs;
// each with the guest idle (the measured task alone: the vCPU is in WFI,
// so Xen's WFI handling, blocking the vCPU or not with vwfi=native, is part
// of it) and busy (a task at the lowest priority spins: the vCPU is running
// when the interrupt comes).
#include <arch/cpu.h>
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/kernel/config.h>
#include <petrel/kernel/notify.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>

namespace {

using namespace petrel;
using namespace petrel::kernel;

constexpr Priority kMeasured = 20;
constexpr Priority kSpinner = 1;
constexpr int kMaxSamples = 2000;

uint32_t g_samples[kMaxSamples];
int g_count;
uint32_t g_scale = 1;  // bootargs "quick": a tenth of the samples

void record(uint64_t late_ticks) {
  if (g_count < kMaxSamples) g_samples[g_count++] = static_cast<uint32_t>(late_ticks);
}

uint64_t ns(uint64_t ticks) {
  return ticks * 1'000'000'000ull / arch::timer_frequency();
}

// Prints the row of the samples taken: min, average, p99 (the smallest
// sample that 99% of the samples do not exceed) and max, in ns.
void report(const char* what, const char* load) {
  if (g_count == 0) panic("rt-bench: no samples for %s", what);
  // Insertion sort: at most 2000 samples, once per row.
  for (int i = 1; i < g_count; ++i)
    for (int j = i; j > 0 && g_samples[j] < g_samples[j - 1]; --j) {
      const uint32_t t = g_samples[j];
      g_samples[j] = g_samples[j - 1];
      g_samples[j - 1] = t;
    }
  uint64_t sum = 0;
  for (int i = 0; i < g_count; ++i) sum += g_samples[i];
  const int p99 = (g_count * 99 + 99) / 100 - 1;
  print("| %-22s | %-4s | %5d | %" PETREL_PRI64 "u | %" PETREL_PRI64 "u | %" PETREL_PRI64
        "u | %" PETREL_PRI64 "u |\n",
        what, load, g_count, ns(g_samples[0]), ns(sum) / static_cast<uint64_t>(g_count),
        ns(g_samples[p99]), ns(g_samples[g_count - 1]));
}

template <typename F>
void spawn(const char* name, Priority prio, F* fn) {
  auto r = task_create(TaskConfig{name, prio, 8192, [](void* p) { (*static_cast<F*>(p))(); }, fn});
  if (!r) panic("rt-bench: %s: %s", name, r.error().message);
}

// Runs `body` as the measured task, with a spinner beside it when busy;
// the body ends the scheduler.
template <typename F>
void run(bool busy, F* body) {
  kernel_reset();
  g_count = 0;
  spawn("measured", kMeasured, body);
  if (busy) {
    auto spin = [] {
      for (;;) {
      }
    };
    spawn("spinner", kSpinner, &spin);
  }
  scheduler_start();
  kernel_reset();
}

// --- timer wake-up lateness ---------------------------------------------
void timer_wakeup(bool busy) {
  const int periods = 1000 / static_cast<int>(g_scale);
  const uint64_t per_tick = arch::timer_frequency() / config::kTickRateHz;
  auto body = [&] {
    Ticks wake = tick_count();
    task_delay_until(&wake, Ticks{1});  // start on a tick boundary
    for (int i = 0; i < periods; ++i) {
      task_delay_until(&wake, Ticks{1});
      record(arch::timer_now() - wake.count * per_tick);
    }
    scheduler_end();
  };
  run(busy, &body);
  report("timer wake-up lateness", busy ? "busy" : "idle");
}

// --- interrupt to task -----------------------------------------------------
Task* g_waiter;
void on_phys_timer(uint32_t, void*) {
  arch::write_cntp_ctl(0);  // level-triggered: quiet until armed again
  bool woken = false;
  (void)notify_give_from_isr(g_waiter, 0, &woken);
}

void interrupt_to_task(bool busy) {
  const int shots = 1000 / static_cast<int>(g_scale);
  // 100 us ahead: long enough for the idle guest to be in WFI (Xen's
  // trap and block of the vCPU included) when the interrupt comes.
  const uint64_t lead = arch::timer_frequency() / 10000;
  auto body = [&] {
    g_waiter = task_current();
    for (int i = 0; i < shots; ++i) {
      const uint64_t at = arch::read_cntpct() + lead;
      arch::write_cntp_cval(at);
      arch::write_cntp_ctl(1);
      (void)notify_take(0, true, kForever);
      record(arch::read_cntpct() - at);
    }
    scheduler_end();
  };
  run(busy, &body);
  report("interrupt -> task", busy ? "busy" : "idle");
}

}  // namespace

extern "C" int main() {
  if (bootarg_present(board().bootargs, "quick")) g_scale = 10;
  if (!arch::irq_register(board().timer_phys_irq, on_phys_timer, nullptr))
    panic("rt-bench: cannot take the physical timer interrupt");
  print("bench: begin\n");
  print("| case | load | samples | min ns | avg ns | p99 ns | max ns |\n");
  print("|---|---|---|---|---|---|---|\n");
  for (bool busy : {false, true}) {
    timer_wakeup(busy);
    interrupt_to_task(busy);
  }
  print("bench: end\n");
  return 0;
}
