// soak: the parts that run through the whole soak and measure time.
//
// - The deadline task (highest priority) is released every tick by
//   task_delay_until; a period is missed when its work ends after the next
//   release, or when the release itself had already passed.
// - The drift timer, a periodic soft timer in static storage, checks each
//   callback against the grid its first expiry set: expiry n is first + n *
//   period ticks exactly (no accumulated drift), and the callback runs less
//   than one tick after its expiry tick begins.
// - The interrupt source is the EL1 physical timer, armed at pseudo-random
//   gaps; each interrupt measures its own lateness and, while an epoch runs,
//   hands work to a random load's from_isr (queue sends, semaphore gives,
//   notifications, event bits, stream bytes, pended timer calls).
#include <arch/cpu.h>
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/exit.h>
#include <petrel/guest.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/soft_timer.h>

#include "control.h"
#include "soak.h"

namespace soak {

using namespace petrel;
using namespace petrel::kernel;

namespace {

constexpr Ticks kDriftPeriod{7};

// --- the deadline task ---
Task g_deadline_task;
alignas(16) uint8_t g_deadline_stack[4096];
uint64_t g_periods;
uint64_t g_misses;
uint64_t g_worst_late;  // counter ticks
bool g_inject_late;     // bootargs inject=late: overrun one period on purpose
// bootargs "realtime" (with dom0, no icount): the host may stop the guest
// for milliseconds, so lateness is measured but fails nothing.
bool g_realtime;

// A timing check that did not hold: a failure under icount.
template <typename... Args>
void timing_failed(const char* fmt, Args... args) {
  if (!g_realtime) fail(fmt, args...);
}

void deadline_main(void*) {
  const uint64_t per_tick = counter_per_tick();
  Ticks wake = tick_count();
  Rng rng(0xdead11e);
  for (;;) {
    if (!task_delay_until(&wake, Ticks{1})) {
      ++g_misses;
      timing_failed("deadline task: release at tick %llu had already passed",
                    static_cast<unsigned long long>(wake.count));
      wake = tick_count();
      continue;
    }
    const uint64_t release = wake.count * per_tick;
    const uint64_t late = arch::timer_now() - release;
    if (late > g_worst_late) g_worst_late = late;
    // The work: a little arithmetic, now and then a longer stretch (up to
    // a tenth of the period).
    busy_ns(rng.one_in(50) ? rng.between(1000, 100'000) : 200);
    ++g_periods;
    if (g_inject_late && g_periods == 100) busy_ns(1'500'000);
    if (arch::timer_now() >= release + per_tick) {
      ++g_misses;
      timing_failed("deadline task: the period released at tick %llu ended %llu counter ticks late",
                    static_cast<unsigned long long>(wake.count),
                    static_cast<unsigned long long>(arch::timer_now() - release - per_tick));
    }
  }
}

// --- the drift timer ---
SoftTimer g_drift_timer;
uint64_t g_fires;
uint64_t g_first_expiry;  // tick
uint64_t g_last_expiry;   // tick
uint64_t g_worst_timer_late;
int64_t g_first_late;
int64_t g_last_late;

void drift_callback(SoftTimer* t) {
  const uint64_t now = arch::timer_now();
  // A periodic timer is re-armed before its callback runs: this call's
  // expiry is the next one less the period.
  const uint64_t expiry = soft_timer_expiry_time(t).count - kDriftPeriod.count;
  if (g_fires == 0) g_first_expiry = expiry;
  const uint64_t expected = g_first_expiry + g_fires * kDriftPeriod.count;
  if (expiry != expected)
    fail("drift timer: expiry %llu at fire %llu, expected %llu", (unsigned long long)expiry,
         (unsigned long long)g_fires, (unsigned long long)expected);
  const uint64_t late = now - expiry * counter_per_tick();
  if (late >= counter_per_tick())
    timing_failed(
        "drift timer: fire %llu ran %llu counter ticks after its expiry tick (a tick is %llu)",
        (unsigned long long)g_fires, (unsigned long long)late,
        (unsigned long long)counter_per_tick());
  if (late > g_worst_timer_late) g_worst_timer_late = late;
  if (g_fires == 0) g_first_late = static_cast<int64_t>(late);
  g_last_late = static_cast<int64_t>(late);
  g_last_expiry = expiry;
  ++g_fires;
  count(Op::kTimer);
}

// --- the interrupt source ---
const Load* const* g_loads;  // non-null while an epoch runs
size_t g_load_count;
uint64_t g_irq_deadline;  // physical counter
uint64_t g_irq_gap;       // mean gap, physical counter ticks
uint64_t g_worst_irq_late;
Rng g_isr_rng(1);

void arm_next() {
  g_irq_deadline = arch::read_cntpct() + g_irq_gap / 2 + g_isr_rng.below(g_irq_gap);
  arch::write_cntp_cval(g_irq_deadline);
  arch::write_cntp_ctl(1);
}

void on_irq(uint32_t, void*) {
  const uint64_t late = arch::read_cntpct() - g_irq_deadline;
  if (late > g_worst_irq_late) g_worst_irq_late = late;
  arch::write_cntp_ctl(0);
  count(Op::kIrq);
  if (g_loads != nullptr) {
    const Load* load = g_loads[g_isr_rng.below(static_cast<uint32_t>(g_load_count))];
    if (load->from_isr != nullptr) load->from_isr(g_isr_rng);
  }
  arm_next();
}

uint64_t ns_of(uint64_t counter) {
  return counter * 1'000'000'000u / arch::timer_frequency();
}

void check_stack_of(const Task* t) {
  if (t == nullptr) return;
  auto info = task_info(t, true);
  if (info) note_stack(info->name, info->stack_size - info->stack_unused, info->stack_size);
}

}  // namespace

void realtime_start(uint32_t irq_period_us, uint64_t seed) {
  g_inject_late = bootarg_present(board().bootargs, "inject=late");
  g_realtime = bootarg_present(board().bootargs, "realtime");
  auto t = task_create_static(
      TaskConfig{"deadline", kDeadlinePriority, sizeof g_deadline_stack, deadline_main, nullptr},
      &g_deadline_task, g_deadline_stack, sizeof g_deadline_stack);
  if (!t) panic("soak: deadline task: %s", t.error().message);

  auto timer = soft_timer_init(
      &g_drift_timer, TimerConfig{"drift", kDriftPeriod, TimerMode::kPeriodic, drift_callback});
  if (!timer || !soft_timer_start(&g_drift_timer, kForever))
    panic("soak: the drift timer did not start");

  g_isr_rng = Rng(seed ^ 0x15e);
  g_irq_gap = arch::timer_frequency() / 1'000'000u * irq_period_us;
  if (!arch::irq_register(board().timer_phys_irq, on_irq, nullptr))
    panic("soak: cannot take the physical timer interrupt");
  arm_next();
}

void interrupts_to_loads(const Load* const* loads, size_t count) {
  CriticalSection cs;
  g_loads = loads;
  g_load_count = count;
}

void interrupts_quiet() {
  CriticalSection cs;  // the handler runs with interrupts masked: it is not running now
  g_loads = nullptr;
}

void realtime_check() {
  // The drift timer still fires: its last expiry within two periods.
  const uint64_t now = tick_count().count;
  if (g_fires == 0 || g_last_expiry + 2 * kDriftPeriod.count < now)
    fail("drift timer: last fired at tick %llu, now tick %llu", (unsigned long long)g_last_expiry,
         (unsigned long long)now);
  check_stack_of(&g_deadline_task);
  check_stack_of(soft_timer_service_task());
  check_stack_of(task_find("idle"));
  check_stack_of(task_current());  // the controller
}

RealtimeFigures realtime_figures() {
  CriticalSection cs;
  return RealtimeFigures{g_periods,
                         g_misses,
                         ns_of(g_worst_late),
                         g_fires,
                         kDriftPeriod.count,
                         ns_of(g_worst_timer_late),
                         g_last_late >= g_first_late
                             ? static_cast<int64_t>(ns_of(g_last_late - g_first_late))
                             : -static_cast<int64_t>(ns_of(g_first_late - g_last_late)),
                         ns_of(g_worst_irq_late),
                         !g_realtime};
}

}  // namespace soak
