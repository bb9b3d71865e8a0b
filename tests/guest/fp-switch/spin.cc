// spin: keeps its vCPU busy for 12 s (longer than fp-switch runs), then
// exits 0: load for Xen's scheduler to share or move the pCPUs around.
#include <petrel/exit.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>

namespace {

volatile uint32_t g_spins;

void spin(void*) {
  for (;;) g_spins = g_spins + 1;
}

void stop(void*) {
  petrel::kernel::task_delay(petrel::kernel::Ticks{12'000});
  petrel::exit(0);
}

}  // namespace

extern "C" int main() {
  using petrel::kernel::TaskConfig;
  if (!petrel::kernel::task_create(TaskConfig{"spin", 1, 4096, spin, nullptr}) ||
      !petrel::kernel::task_create(TaskConfig{"stop", 2, 4096, stop, nullptr}))
    petrel::panic("spin: cannot create its tasks");
  petrel::kernel::scheduler_start();
  return 0;
}
