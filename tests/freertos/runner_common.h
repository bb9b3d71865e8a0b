// What the host and guest runners share: walking the case tables.
#pragma once

extern "C" {
#include "harness.h"
}

namespace freertos_tests {

// Runs every case whose name starts with `prefix` ("" for all), except the
// T_TIMED ones when `real_time` (they are counted in *skipped); `fresh`
// gives the case a fresh kernel first. Returns the number of failed cases
// and sets *passed and *skipped.
template <typename Fresh, typename Print>
int run_cases(const char* prefix, bool real_time, int* passed, int* skipped, Fresh fresh,
              Print print) {
  int failed = 0;
  *passed = 0;
  *skipped = 0;
  t_real_time = real_time ? 1 : 0;
  for (const t_case* const* table = t_all_tables; *table != nullptr; ++table) {
    for (const t_case* c = *table; c->name != nullptr; ++c) {
      const char* p = prefix;
      const char* n = c->name;
      while (*p != '\0' && *p == *n) ++p, ++n;
      if (*p != '\0') continue;
      if (real_time && c->timed) {
        ++*skipped;
        print("[ SKIPPED  ] (timed) ", c->name);
        continue;
      }
      print("[ RUN      ] ", c->name);
      fresh();
      t_begin_case();
      c->fn();
      if (t_end_case() == 0) {
        ++*passed;
        print("[       OK ] ", c->name);
      } else {
        ++failed;
        print("[  FAILED  ] ", c->name);
      }
    }
  }
  return failed;
}

}  // namespace freertos_tests
