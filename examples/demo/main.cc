// motor-control: the Petrel side of the mixed-criticality demo
// (docs/demo.md, `./petrel demo`).
//
// Three tasks:
//   control   (highest priority) wakes every 1 ms tick (task_delay_until),
//             measures how late it woke, runs a PID speed controller
//             against a simulated DC motor (loop.h) and queues one
//             telemetry record (telemetry.h) without ever waiting;
//   estop     blocks on the board's power button, the PL061 GPIO's pin 3
//             passed through by Xen: a press cuts the drive at once;
//   telemetry serves a vchan at data/demo-telemetry for dom0's logger and
//             writes the queued records to it in batches.
// The loop starts once the logger has connected, and ends one second after
// the emergency stop with a record marked as the end. The guest then
// prints its own summary and exits 0; it exits 1 if no stop came within
// "max-seconds=" (default 600) or the telemetry broke.
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/drivers/pl061.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/kernel/config.h>
#include <petrel/kernel/queue.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>
#include <petrel/kernel/task.h>
#include <petrel/xen/types.h>
#include <petrel/xen/vchan.h>

#include "loop.h"

namespace {

using namespace petrel;
using namespace petrel::kernel;

constexpr unsigned kButtonPin = 3;
constexpr size_t kQueueLength = 512;  // half a second of records
constexpr size_t kBatch = 64;
constexpr uint64_t kStoppedPeriods = 1000;  // the loop runs on for 1 s after the stop
static_assert(config::kTickRateHz == 1000, "the control period is one 1 kHz tick");

Queue* g_records;
Semaphore* g_connected;
bool g_estop;  // set by the estop task, read by control (__atomic)
// Counter values: the button's interrupt entering Petrel, the estop task
// running, and the first period with the drive cut.
uint64_t g_stop_irq, g_stop_task, g_stop_cut;
uint32_t g_dropped;

uint64_t max_seconds() {
  uint64_t n = 600;
  if (bootarg_number(board().bootargs, "max-seconds", &n) == BootargNumber::kMalformed ||
      n > 10'000'000)
    panic("motor-control: max-seconds= takes a number of seconds up to 10^7");
  return n;
}

void control_task(void*) {
  (void)semaphore_take(g_connected, kForever);
  const uint64_t hz = arch::timer_frequency();
  const uint64_t per_tick = hz / config::kTickRateHz;
  const uint64_t limit = max_seconds() * config::kTickRateHz;
  demo::ControlLoop loop;
  Ticks wake = tick_count();
  const uint64_t start = wake.count * per_tick;
  print("motor-control: control loop running at 1 kHz\n");
  uint64_t stopped_at = 0;  // the period the stop was seen in, plus one
  uint64_t misses = 0, max_late = 0;
  demo_sample s{};
  for (uint64_t i = 0;; ++i) {
    (void)task_delay_until(&wake, Ticks{1});
    const uint64_t now = arch::timer_now();
    const uint64_t release = wake.count * per_tick;
    const uint64_t late_ns = (now - release) * 1'000'000'000ull / hz;
    const uint64_t since_ns = (now - start) * 1'000'000'000ull / hz;
    const bool estop = __atomic_load_n(&g_estop, __ATOMIC_ACQUIRE);
    if (estop && stopped_at == 0) {
      stopped_at = i + 1;
      g_stop_cut = now;
    }
    s = loop.period(since_ns, late_ns, estop);
    if (late_ns >= demo::kPeriodNs) ++misses;
    if (late_ns > max_late) max_late = late_ns;
    const bool last = (stopped_at != 0 && i + 1 - stopped_at >= kStoppedPeriods) || i + 1 >= limit;
    if (last) s = demo::ControlLoop::end_of(s);
    if (!queue_send_back(g_records, &s, kNoWait)) ++g_dropped;
    if (!last) continue;
    print("motor-control: %" PETREL_PRI64 "u periods, %" PETREL_PRI64
          "u started a period late or more, the latest %" PETREL_PRI64 "u ns late\n",
          i + 1, misses, max_late);
    if (stopped_at == 0) {
      print("motor-control: no emergency stop in %" PETREL_PRI64 "u s\n", max_seconds());
      exit(1);
    }
    const auto rad_s = static_cast<long>(loop.speed() * 1000);
    const uint64_t to_task_ns = (g_stop_task - g_stop_irq) * 1'000'000'000ull / hz;
    const uint64_t to_cut_ns = (g_stop_cut - g_stop_irq) * 1'000'000'000ull / hz;
    print(
        "motor-control: emergency stop: the button's interrupt reached the estop task in "
        "%" PETREL_PRI64 "u ns, the drive was cut %" PETREL_PRI64 "u ns after it\n",
        to_task_ns, to_cut_ns);
    print("motor-control: emergency stop seen in period %" PETREL_PRI64
          "u; %ld mrad/s a second later\n",
          stopped_at - 1, rad_s);
    return;  // the telemetry task ends the run
  }
}

void estop_task(void*) {
  auto gpio = drivers::Pl061::open();
  if (!gpio) {
    print(
        "motor-control: no pl061 GPIO for the emergency stop: %s (petrel run --passthrough "
        "pl061)\n",
        gpio.error().message);
    exit(2);
  }
  auto pressed = semaphore_create_binary();
  if (!pressed) exit(3);
  if (Status st = (*gpio)->watch_rising(kButtonPin, *pressed); !st) {
    print("motor-control: gpio: %s\n", st.error().message);
    exit(1);
  }
  (void)semaphore_take(*pressed, kForever);
  // Woken straight from the GPIO's handler: the latest interrupt is the
  // button's.
  g_stop_irq = arch::irq_entry_time();
  g_stop_task = arch::timer_now();
  __atomic_store_n(&g_estop, true, __ATOMIC_RELEASE);
  print("motor-control: EMERGENCY STOP (GPIO pin %u): drive cut\n", kButtonPin);
}

void telemetry_task(void*) {
  auto v = xen::vchan::server(xen::kDomain0, "data/demo-telemetry", 1024, 65536);
  if (!v) {
    print("motor-control: vchan: %s\n", v.error().message);
    exit(1);
  }
  print("motor-control: serving telemetry at data/demo-telemetry\n");
  if (Status st = (*v)->wait_connected(Ticks{120'000}); !st) {
    print("motor-control: no logger connected: %s\n", st.error().message);
    exit(1);
  }
  (void)semaphore_give(g_connected);
  static demo_sample batch[kBatch];
  uint64_t sent = 0;
  for (bool end = false; !end;) {
    size_t n = 0;
    if (!queue_receive(g_records, &batch[n], Ticks{5000})) {
      print("motor-control: the control loop went quiet\n");
      exit(1);
    }
    end = (batch[n++].flags & DEMO_FLAG_END) != 0;
    while (!end && n < kBatch && queue_receive(g_records, &batch[n], kNoWait))
      end = (batch[n++].flags & DEMO_FLAG_END) != 0;
    if (Status st = (*v)->write_all(batch, n * sizeof batch[0], Ticks{5000}); !st) {
      print("motor-control: telemetry: %s\n", st.error().message);
      exit(1);
    }
    sent += n;
  }
  // A peer may stop reading once it sees the close: close only when the
  // logger has taken every byte (5 s at most).
  (void)(*v)->wait_drained(Ticks{5000});
  print("motor-control: %" PETREL_PRI64 "u records sent, %u dropped\n", sent, g_dropped);
  (*v)->close();
  exit(g_dropped == 0 ? 0 : 1);
}

}  // namespace

extern "C" int main() {
  auto q = queue_create(kQueueLength, sizeof(demo_sample));
  auto c = semaphore_create_binary();
  if (!q || !c) panic("motor-control: no memory for the queue");
  g_records = *q;
  g_connected = *c;
  const auto top = static_cast<Priority>(config::kPriorities - 1);
  if (!task_create(TaskConfig{"control", top, 16 * 1024, control_task, nullptr}) ||
      !task_create(
          TaskConfig{"estop", static_cast<Priority>(top - 1), 8 * 1024, estop_task, nullptr}) ||
      !task_create(TaskConfig{"telemetry", 2, 16 * 1024, telemetry_task, nullptr}))
    panic("motor-control: cannot create the tasks");
  scheduler_start();
  return 0;
}
