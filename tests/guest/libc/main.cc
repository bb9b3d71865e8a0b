// libc-tests: runs the C library checks (checks.c) on the FreeRTOS API;
// bootargs "case=exit" and "case=assert" run the exit and abort paths
// instead. Also checks that C++ sources reach the C library through the
// <stdio.h>-style headers (docs/libc.md).
#include <math.h>
#include <petrel/bootargs.h>
#include <petrel/guest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
void libc_run_checks();
void libc_exit_case();
void libc_assert_case();

int libc_cpp_checks() {
  int failures = 0;
  char buf[64];
  snprintf(buf, sizeof buf, "%.3f|%ld", sqrt(2.0), strtol("-12", nullptr, 10));
  if (strcmp(buf, "1.414|-12") != 0) {
    printf("main.cc: failed: C++ formatting gave \"%s\"\n", buf);
    ++failures;
  }
  void* p = malloc(100);
  if (p == nullptr) {
    printf("main.cc: failed: malloc from C++\n");
    ++failures;
  }
  free(p);
  return failures;
}
}

extern "C" int main() {
  char which[16];
  petrel::bootarg_value(petrel::board().bootargs, "case", which, sizeof which);
  if (strcmp(which, "exit") == 0) libc_exit_case();
  if (strcmp(which, "assert") == 0) libc_assert_case();
  libc_run_checks();
  return 3;  // not reached: the checks end with exit()
}
