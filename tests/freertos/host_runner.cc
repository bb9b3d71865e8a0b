// The FreeRTOS conformance suite on the host port: every case in a fresh
// kernel (host::reset), with simulated time and interrupts.
//   freertos_conformance [PREFIX]   runs the cases whose name starts with PREFIX
//   freertos_conformance --stack-overflow   overflows a task stack (fatal)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "petrel/arch.h"
#include "petrel/host.h"
#include "runner_common.h"

namespace {

constexpr uint32_t kTestIrq = 100;
constexpr uint64_t kCounterPerTick = petrel::host::kCounterHz / configTICK_RATE_HZ;
void (*g_fn)(void*);
void* g_arg;

void on_test_irq(uint32_t, void*) {
  g_fn(g_arg);
}

}  // namespace

extern "C" {

void t_platform_isr(void (*fn)(void*), void* arg) {
  g_fn = fn;
  g_arg = arg;
  petrel::host::raise_interrupt(kTestIrq);
}

void t_platform_spend_ticks(TickType_t ticks) {
  petrel::host::advance(uint64_t{ticks} * kCounterPerTick);
}

int t_platform_can_jump_time(void) {
  return 1;
}

void t_platform_jump_ticks(uint64_t ticks) {
  petrel::host::advance(ticks * kCounterPerTick);
}

}  // extern "C"

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (argc > 1 && std::string(argv[1]) == "--stack-overflow") {
    petrel::host::reset();
    t_fatal_stack_overflow();
    std::printf("freertos-conformance: the stack overflow went unnoticed\n");
    return 0;
  }
  int passed = 0;
  int skipped = 0;
  // Simulated time: every case runs, the timed ones included.
  const int failed = freertos_tests::run_cases(
      argc > 1 ? argv[1] : "", false, &passed, &skipped,
      [] {
        petrel::host::reset();
        if (!petrel::arch::irq_register(kTestIrq, on_test_irq, nullptr)) std::abort();
      },
      [](const char* what, const char* name) { std::printf("%s%s\n", what, name); });
  std::printf("freertos-conformance: %d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
