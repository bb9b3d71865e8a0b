// fp-switch: two tasks of one priority use FP/SIMD and yield to each other,
// so every switch hands the registers over through the lazy FP trap
// (arch/arm/fpu.cc), while Xen preempts the vCPU for two spin guests
// (spin.cc). Each task counts in a double and in an integer and checks that
// they agree after every switch: FP state lost or mixed up across a trap,
// a task switch or a vCPU switch fails the run. After 10 s it prints the
// rounds and exits 0.
//
// The same guests on two pCPUs under credit2 reproduce an emulation fault on
// AArch32 (docs/demo.md): not a test, a command to run.
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>

namespace {

using namespace petrel;
using namespace petrel::kernel;

constexpr uint32_t kSeconds = 10;
volatile uint32_t g_rounds[2];

void fp_task(void* arg) {
  const auto me = static_cast<unsigned>(reinterpret_cast<uintptr_t>(arg));
  volatile double counted = 0.0;  // in FP registers between the load and the store
  for (uint32_t n = 1;; ++n) {
    const double next = counted + 1.0;
    task_yield();  // the other task's FP use in between: a trap to get the registers back
    if (next != static_cast<double>(n)) {
      print("fp-switch: task %u: %u rounds, but FP says %u\n", me, n, static_cast<unsigned>(next));
      exit(1);
    }
    counted = next;
    g_rounds[me] = n;
  }
}

void judge(void*) {
  task_delay(Ticks{kSeconds * 1000});
  const uint32_t a = g_rounds[0], b = g_rounds[1];
  print("fp-switch: %u and %u rounds in %u s, FP state intact\n", a, b, kSeconds);
  exit(a > 0 && b > 0 ? 0 : 1);
}

}  // namespace

extern "C" int main() {
  for (uintptr_t i = 0; i < 2; ++i)
    if (!task_create(TaskConfig{"fp", 2, 4096, fp_task, reinterpret_cast<void*>(i)}))
      panic("fp-switch: cannot create a task");
  if (!task_create(TaskConfig{"judge", 3, 4096, judge, nullptr}))
    panic("fp-switch: cannot create the judge");
  scheduler_start();
  return 0;
}
