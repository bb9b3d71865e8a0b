// pi-trace: a priority inversion that priority inheritance resolves, the
// known scenario `petrel trace` is tested on (tests/system/trace_order.sh,
// docs/debugging.md).
//
//   low (1)     takes the mutex at once and works with it for 6 ticks;
//   high (3)    wakes at tick 2 (a timer interrupt), asks for the mutex and
//               blocks: low inherits priority 3;
//   medium (2)  wakes at tick 3 and would run for 4 ticks, but low, boosted,
//               outranks it; low gives the mutex up at its tick 6, drops
//               back to 1, and high runs at once;
// then medium, then low. high then hands medium a semaphore unit and low a
// queue item, so the trace shows those operations too.
//
// The guest checks the order itself (what ran when, as each task saw it)
// and exits 0 when priority inheritance did its work, 1 otherwise; the
// system test checks the same order in the trace.
#include <petrel/console.h>
#include <petrel/kernel/mutex.h>
#include <petrel/kernel/queue.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>
#include <petrel/kernel/task.h>

namespace {

using namespace petrel;
using kernel::Ticks;

kernel::Mutex g_mutex{kernel::MutexType::kNormal};
kernel::Semaphore* g_sem = nullptr;
kernel::Queue* g_queue = nullptr;

// What happened, in order, as the tasks saw it.
enum Step : char {
  kLowTook = 'L',
  kHighAsks = 'a',
  kLowGave = 'G',
  kHighGot = 'H',
  kMediumRan = 'M',
  kLowDone = 'D'
};
char g_steps[16];
unsigned g_step_count = 0;
void step(Step s) {
  const kernel::CriticalSection cs;
  if (g_step_count < sizeof g_steps - 1) g_steps[g_step_count++] = s;
}

// Runs (does not sleep) until the tick count reaches `until`.
void work_until(Ticks until) {
  while (kernel::tick_count() < until) {
  }
}

Ticks g_start;
bool g_boosted_seen = false;

void low(void*) {
  if (!kernel::mutex_lock(&g_mutex)) return;
  step(kLowTook);
  work_until(g_start + Ticks{4});
  // high waits by now: low runs at its priority.
  g_boosted_seen = kernel::task_priority(nullptr) == 3;
  work_until(g_start + Ticks{6});
  step(kLowGave);
  (void)kernel::mutex_unlock(&g_mutex);  // high runs here
  uint32_t item = 0;
  if (kernel::queue_receive(g_queue, &item, Ticks{100}) && item == 42) step(kLowDone);
}

void medium(void*) {
  Ticks woke = g_start;
  kernel::task_delay_until(&woke, Ticks{3});
  step(kMediumRan);
  work_until(kernel::tick_count() + Ticks{4});
  (void)kernel::semaphore_take(g_sem, Ticks{100});
}

void high(void*) {
  Ticks woke = g_start;
  kernel::task_delay_until(&woke, Ticks{2});
  step(kHighAsks);
  if (!kernel::mutex_lock(&g_mutex)) return;
  step(kHighGot);
  (void)kernel::mutex_unlock(&g_mutex);
  (void)kernel::semaphore_give(g_sem);
  const uint32_t item = 42;
  (void)kernel::queue_send_back(g_queue, &item, kernel::kNoWait);
}

}  // namespace

extern "C" int main() {
  auto sem = kernel::semaphore_create_binary();
  auto queue = kernel::queue_create(2, sizeof(uint32_t));
  if (!sem || !queue) return 3;
  g_sem = *sem;
  g_queue = *queue;
  g_start = kernel::tick_count();
  // high and medium run first and wait for their ticks; low then takes the
  // mutex.
  for (const kernel::TaskConfig& c : {kernel::TaskConfig{"low", 1, 4096, low, nullptr},
                                      kernel::TaskConfig{"medium", 2, 4096, medium, nullptr},
                                      kernel::TaskConfig{"high", 3, 4096, high, nullptr}}) {
    if (!kernel::task_create(c)) return 3;
  }
  kernel::scheduler_start();  // returns when all three have ended

  g_steps[g_step_count] = '\0';
  const char* const expected = "LaGHMD";
  bool same = true;
  for (unsigned i = 0; expected[i] != '\0' || g_steps[i] != '\0'; ++i)
    if (expected[i] != g_steps[i]) same = false;
  print("pi-trace: steps %s (expected %s), low boosted to 3: %s\n", g_steps, expected,
        g_boosted_seen ? "yes" : "no");
  if (!same || !g_boosted_seen) {
    print("pi-trace: FAIL: priority inheritance did not resolve the inversion\n");
    return 1;
  }
  print("pi-trace: PASS\n");
  return 0;
}
