// debug-target: tasks in known states for `petrel debug`'s system tests
// (tests/system/gdb/*.gdb). While `worker` is stopped in debug_checkpoint,
// `waiter` is blocked in wait_for_go on the semaphore g_go (no timeout) and
// `sleeper` in a 2 s delay (long enough that a loaded host cannot end it
// before the worker stops); then the worker gives g_go, every task ends
// and the app exits 0. Without a debugger it runs the same way.
#include <petrel/console.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>
#include <petrel/kernel/task.h>

namespace {

using namespace petrel;

kernel::Semaphore g_go;
volatile int g_rounds = 0;

// Where the test stops the worker; not inlined, so it has a place of its own.
[[gnu::noinline]] void debug_checkpoint(int round) {
  g_rounds = round;
  asm volatile("" ::: "memory");
}

// The frame `petrel bt waiter` must show: not inlined into its caller.
[[gnu::noinline]] bool wait_for_go() {
  return semaphore_take(&g_go, kernel::kForever).ok();
}

void waiter(void*) {
  if (!wait_for_go()) print("debug-target: waiter: the take failed\n");
  print("debug-target: waiter: got go\n");
}

void sleeper(void*) {
  kernel::task_delay(kernel::Ticks{2000});
}

void worker(void*) {
  for (int i = 1; i <= 3; ++i) {
    debug_checkpoint(i);
    kernel::task_delay(kernel::Ticks{1});
  }
  if (!semaphore_give(&g_go).ok()) print("debug-target: worker: the give failed\n");
}

}  // namespace

extern "C" int main() {
  if (!kernel::semaphore_create_static(&g_go, 1, 0)) return 3;
  // The waiter outranks the worker, so it is blocked on g_go before the
  // worker first runs.
  const kernel::TaskConfig tasks[] = {
      {"waiter", 3, 4096, waiter, nullptr},
      {"sleeper", 2, 4096, sleeper, nullptr},
      {"worker", 1, 4096, worker, nullptr},
  };
  for (const auto& c : tasks)
    if (!kernel::task_create(c)) return 3;
  kernel::scheduler_start();
  print("debug-target: done after %d rounds\n", static_cast<int>(g_rounds));
  return g_rounds == 3 ? 0 : 1;
}
