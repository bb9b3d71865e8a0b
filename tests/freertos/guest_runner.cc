// freertos-tests: the FreeRTOS conformance suite inside a guest on Xen. Each
// case gets a fresh kernel (kernel_reset); interrupt-context cases run in
// the handler of the EL1 physical timer, armed to fire at once. Prints
// "freertos-tests: N passed, M failed" and exits non-zero on a failure.
// bootargs "ftest=PREFIX" runs only the cases whose name starts with PREFIX;
// "realtime" (for runs without icount) skips the T_TIMED cases.
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/guest.h>
#include <petrel/kernel/sched.h>

#include "arch/cpu.h"
#include "runner_common.h"

namespace {

void (*g_fn)(void*);
void* g_arg;
volatile bool g_done;

void on_phys_timer(uint32_t, void*) {
  petrel::arch::write_cntp_ctl(0);
  g_fn(g_arg);
  g_done = true;
}

}  // namespace

extern "C" {

void t_platform_isr(void (*fn)(void*), void* arg) {
  g_fn = fn;
  g_arg = arg;
  g_done = false;
  petrel::arch::write_cntp_cval(petrel::arch::read_cntpct());
  petrel::arch::write_cntp_ctl(1);
  while (!g_done) {
  }
}

void t_platform_spend_ticks(TickType_t ticks) {
  const uint64_t per_tick = petrel::arch::timer_frequency() / configTICK_RATE_HZ;
  const uint64_t until = petrel::arch::timer_now() + ticks * per_tick;
  while (petrel::arch::timer_now() < until) {
  }
}

int t_platform_can_jump_time(void) {
  return 0;
}

void t_platform_jump_ticks(uint64_t) {}

}  // extern "C"

extern "C" int main() {
  using namespace petrel;
  if (!arch::irq_register(board().timer_phys_irq, on_phys_timer, nullptr))
    panic("freertos-tests: cannot take the physical timer interrupt");
  char prefix[64];
  petrel::bootarg_value(petrel::board().bootargs, "ftest", prefix, sizeof prefix);
  const bool real_time = petrel::bootarg_present(petrel::board().bootargs, "realtime");
  int passed = 0;
  int skipped = 0;
  const int failed = freertos_tests::run_cases(
      prefix, real_time, &passed, &skipped, [] { kernel::kernel_reset(); },
      [](const char* what, const char* name) { print("%s%s\n", what, name); });
  if (real_time) {
    print("freertos-tests: %d passed, %d failed, %d timed cases skipped\n", passed, failed,
          skipped);
  } else {
    print("freertos-tests: %d passed, %d failed\n", passed, failed);
  }
  return failed == 0 && passed > 0 ? 0 : 1;
}
