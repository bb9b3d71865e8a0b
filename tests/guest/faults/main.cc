// faults: does what /chosen/bootargs says, so system tests can check that
// each kind of fault produces a report and a failing exit status.
//   fault=null    read through a null pointer (the first page is unmapped)
//   fault=text    write to the kernel's own text (mapped read-only)
//   fault=undef   execute an undefined instruction
//   fault=stack   overflow the boot stack into its guard page
//   fault=task-stack  overflow a task's stack into its guard page
//   fault=fp-isr  use FP/SIMD registers in an interrupt handler
//   fault=hang    never shut down (for the runner's timeout)
//   exit=N        exit with status N
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/guest.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>
#include <petrel/string.h>

namespace {

// A function of this image's text (the text-write fault writes over it).
bool has_arg(const char* args, const char* word) {
  return petrel::bootarg_present(args, word);
}

int exit_code(const char* args) {
  char value[12];
  petrel::bootarg_value(args, "exit", value, sizeof value);
  int v = 0;
  for (const char* p = value; *p >= '0' && *p <= '9'; ++p) v = v * 10 + (*p - '0');
  return v;
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
  if (has_arg(args, "fault=task-stack")) {
    auto r = petrel::kernel::task_create(petrel::kernel::TaskConfig{
        "recurser", 2, 8192, [](void*) { recurse(0, 1 << 30); }, nullptr});
    if (!r) return 3;
    petrel::print("faults: a task recursing without end\n");
    petrel::kernel::scheduler_start();
    return 4;
  }
  if (has_arg(args, "fault=fp-isr")) {
    // A handler built with FP/SIMD (this file is) that really uses it.
    static volatile double sink;
    auto handler = [](uint32_t, void*) {
      sink = sink * 1.5 + 2.0;
      petrel::arch::timer_cancel();
    };
    if (!petrel::arch::irq_register(petrel::arch::timer_irq(), handler, nullptr)) {
      petrel::arch::irq_unregister(petrel::arch::timer_irq());
      if (!petrel::arch::irq_register(petrel::arch::timer_irq(), handler, nullptr)) return 5;
    }
    petrel::print("faults: an interrupt handler using FP\n");
    auto task = [](void*) {
      petrel::arch::timer_set_deadline(petrel::arch::timer_now() + 1000);
      for (;;) {
      }
    };
    if (!petrel::kernel::task_create(petrel::kernel::TaskConfig{"spinner", 2, 8192, task, nullptr}))
      return 6;
    petrel::kernel::scheduler_start();
    return 7;
  }
  if (has_arg(args, "fault=hang")) {
    petrel::print("faults: hanging\n");
    for (;;) __asm__ volatile("wfi");
  }
  return exit_code(args);
}
