// faults: does what /chosen/bootargs says, so system tests can check that
// each kind of fault produces a report and a failing exit status.
//   fault=null    read through a null pointer (the first page is unmapped)
//   fault=text    write to the kernel's own text (mapped read-only)
//   fault=undef   execute an undefined instruction
//   fault=stack   overflow the boot stack into its guard page
//   fault=hang    never shut down (for the runner's timeout)
//   exit=N        exit with status N
#include <petrel/console.h>
#include <petrel/guest.h>
#include <petrel/string.h>

namespace {

bool has_arg(const char* args, const char* word) {
  const size_t n = petrel::str::length(word);
  for (const char* p = args; *p != '\0'; ++p) {
    if ((p == args || p[-1] == ' ') && petrel::str::compare_strings_n(p, word, n) == 0 &&
        (p[n] == ' ' || p[n] == '\0'))
      return true;
  }
  return false;
}

int exit_code(const char* args) {
  for (const char* p = args; *p != '\0'; ++p) {
    if ((p == args || p[-1] == ' ') && petrel::str::compare_strings_n(p, "exit=", 5) == 0) {
      int v = 0;
      for (p += 5; *p >= '0' && *p <= '9'; ++p) v = v * 10 + (*p - '0');
      return v;
    }
  }
  return 0;
}

// Recurses until the stack runs into its guard page; the limit only exists
// to keep the compiler from calling this infinite.
__attribute__((noinline)) int recurse(int depth, int limit) {
  volatile char pad[512];
  pad[0] = static_cast<char>(depth);
  if (depth == limit) return pad[0];
  return recurse(depth + 1, limit) + pad[0];
}

}  // namespace

extern "C" int main() {
  const char* args = petrel::board().bootargs;
  petrel::print("faults: bootargs \"%s\"\n", args);
  if (has_arg(args, "fault=null")) {
    volatile int* p = nullptr;
    petrel::print("faults: reading address 0\n");
    return *p;
  }
  if (has_arg(args, "fault=text")) {
    auto* text = reinterpret_cast<volatile uint32_t*>(&has_arg);
    petrel::print("faults: writing to text at %p\n", const_cast<uint32_t*>(text));
    *text = 0;
    return 0;
  }
  if (has_arg(args, "fault=undef")) {
    petrel::print("faults: executing an undefined instruction\n");
    __asm__ volatile("udf #0");
    return 0;
  }
  if (has_arg(args, "fault=stack")) {
    petrel::print("faults: recursing without end\n");
    return recurse(0, 1 << 30);
  }
  if (has_arg(args, "fault=hang")) {
    petrel::print("faults: hanging\n");
    for (;;) __asm__ volatile("wfi");
  }
  return exit_code(args);
}
