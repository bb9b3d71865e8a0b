// kernel-tests: the portable kernel scenarios (tests/kernel) inside a guest
// on Xen. Prints each case as it runs and exits non-zero if any failed.
// bootargs "ktest=PREFIX" runs only the cases whose Suite.Name starts with
// PREFIX.
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/kernel/config.h>
#include <petrel/string.h>

#include "ktest.h"

namespace petrel::ktest {
int g_failures_in_case = 0;  // failures in the running case

void fail(const char* file, int line, const char* what) {
  ++g_failures_in_case;
  print("%s:%d: failed: %s\n", file, line, what);
}
void fail_eq(const char* file, int line, const char* a, const char* b, uint64_t va, uint64_t vb) {
  ++g_failures_in_case;
  print("%s:%d: failed: %s == %s: %" PETREL_PRIu64 " != %" PETREL_PRIu64 "\n", file, line, a, b, va,
        vb);
}
void fail_str(const char* file, int line, const char* what, const char* got, const char* want) {
  ++g_failures_in_case;
  print("%s:%d: failed: %s: got \"%s\", want \"%s\"\n", file, line, what, got, want);
}
void reset() {
  kernel::kernel_reset();
}
void spend(uint64_t counter_ticks) {
  const uint64_t until = arch::timer_now() + counter_ticks;
  while (arch::timer_now() < until) {
  }
}
uint64_t counter_per_tick() {
  return arch::timer_frequency() / kernel::config::kTickRateHz;
}

}  // namespace petrel::ktest

namespace {

bool matches(const petrel::ktest::Case* c, const char* prefix) {
  char full[96];
  petrel::format_to(full, sizeof full, "%s.%s", c->suite, c->name);
  return petrel::str::compare_strings_n(full, prefix, petrel::str::length(prefix)) == 0;
}

}  // namespace

extern "C" int main() {
  using namespace petrel;
  char filter[64];
  petrel::bootarg_value(petrel::board().bootargs, "ktest", filter, sizeof filter);
  int passed = 0, failed = 0;
  for (ktest::Case* c = ktest::first_case(); c != nullptr; c = c->next) {
    if (!matches(c, filter)) continue;
    print("[ RUN      ] %s.%s\n", c->suite, c->name);
    ktest::g_failures_in_case = 0;
    ktest::reset();
    c->fn();
    kernel::kernel_reset();
    if (ktest::g_failures_in_case == 0) {
      ++passed;
      print("[       OK ] %s.%s\n", c->suite, c->name);
    } else {
      ++failed;
      print("[  FAILED  ] %s.%s\n", c->suite, c->name);
    }
  }
  print("kernel-tests: %d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
