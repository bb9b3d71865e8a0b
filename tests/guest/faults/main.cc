// faults: does what /chosen/bootargs says, so system tests can check that
// each kind of fault produces a report and a failing exit status.
//   fault=null    read through a null pointer (the first page is unmapped)
//   fault=text    write to the kernel's own text (mapped read-only)
//   fault=undef   execute an undefined instruction
//   fault=stack   overflow the boot stack into its guard page
//   fault=task-stack  a task holding a mutex overflows its stack into its
//                 guard page: it is stopped, and the task_fault hook starts a
//                 higher-priority replacement at once (a switch away from the
//                 stopped task before it is deleted); the domain ends with 0
//   fault=task-null   a task holding a mutex reads address 0: it is stopped,
//                 the task_fault hook runs in its place, a second task goes
//                 on and gets the mutex, and the domain ends with 0
//   fault=task-critical  a task faults inside a critical section: the domain
//                 crashes (the kernel's state cannot be trusted)
//   fault=task-irqs-off  a task faults with interrupts masked by hand (as
//                 the heap and drivers guard their state): the domain crashes
//   fault=task-twice  the task_fault hook faults too: the domain crashes
//   fault=task-trap   a task executes __builtin_trap: the domain crashes
//   fault=task-last   the only application task faults, no hook: the domain
//                 crashes (a fault must not end the domain as a success)
//   fault=fp-isr  use FP/SIMD registers in an interrupt handler
//   fault=isr-null  an interrupt handler reads address 0 while a task runs:
//                 the domain crashes (the task is not to blame)
//   fault=hang    never shut down (for the runner's timeout)
//   exit=N        exit with status N
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/guest.h>
#include <petrel/kernel/mutex.h>
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

// Reads address 0 (the first page is unmapped). The pointer itself is
// volatile and the value stored, so the compiler cannot drop the read.
volatile int g_sink;
__attribute__((noinline)) void read_null() {
  volatile int* volatile p = nullptr;
  g_sink = *p;
}

// fault=task-null / task-critical / task-twice.
petrel::kernel::Mutex* g_mutex = nullptr;
int g_hook_calls = 0;
bool g_hook_faults = false;

bool g_replacement_ran = false;

void on_task_fault(petrel::kernel::Task* task) {
  using namespace petrel::kernel;
  ++g_hook_calls;
  petrel::print("faults: task_fault hook for '%s' (call %d)\n", task_name(task), g_hook_calls);
  if (g_hook_faults) read_null();
  // A replacement that outranks the stopped task runs at once: the kernel
  // switches away from the stopped task before it is deleted.
  auto replacement = [](void*) {
    g_replacement_ran = true;
    petrel::print("faults: the replacement runs\n");
  };
  if (!task_create(TaskConfig{"replacement", 4, 8192, replacement, nullptr})) petrel::exit(15);
  petrel::print("faults: back in the hook after the replacement\n");
}

// Where the crasher faults.
enum class Where { kPlain, kCriticalSection, kIrqsMasked, kStackOverflow, kTrap };
Where g_where = Where::kPlain;

void crasher(void*) {
  using namespace petrel::kernel;
  if (!mutex_lock(g_mutex, kNoWait)) petrel::exit(10);
  petrel::print("faults: crasher holds the mutex\n");
  if (g_where == Where::kCriticalSection) {
    CriticalSection cs;
    read_null();
  }
  if (g_where == Where::kStackOverflow) {
    petrel::print("faults: crasher recurses without end\n");
    recurse(0, 1 << 30);
  }
  if (g_where == Where::kTrap) __builtin_trap();
  if (g_where == Where::kIrqsMasked) {
    const uint64_t saved = petrel::arch::irq_save();  // as the heap guards itself
    read_null();
    petrel::arch::irq_restore(saved);
  }
  petrel::print("faults: crasher reads address 0\n");
  read_null();
  petrel::print("faults: crasher ran on after its fault\n");
}

void survivor(void*) {
  using namespace petrel::kernel;
  task_delay(Ticks{20});  // the crasher (higher priority) has run and faulted by now
  const bool gone = task_find("crasher") == nullptr;
  const bool got_mutex = mutex_lock(g_mutex, Ticks{100}).ok();
  petrel::print(
      "faults: survivor goes on: crasher %s, mutex %s, hook called %d time(s), replacement %s\n",
      gone ? "gone" : "STILL THERE", got_mutex ? "released to us" : "NOT RELEASED", g_hook_calls,
      g_replacement_ran ? "ran" : "DID NOT RUN");
  petrel::exit(gone && got_mutex && g_hook_calls == 1 && g_replacement_ran ? 0 : 11);
}

int task_fault_scenario(Where where, bool hook_faults) {
  using namespace petrel::kernel;
  auto m = mutex_create();
  if (!m) return 12;
  g_mutex = *m;
  g_hook_faults = hook_faults;
  KernelHooks hooks;
  hooks.task_fault = on_task_fault;
  set_hooks(hooks);
  g_where = where;
  if (!task_create(TaskConfig{"crasher", 3, 8192, crasher, nullptr}) ||
      !task_create(TaskConfig{"survivor", 2, 8192, survivor, nullptr}))
    return 13;
  scheduler_start();
  return 14;
}

// Runs `handler` on the timer interrupt while a task spins; the handler is
// expected to fault (the return values say what went wrong otherwise).
int fault_in_timer_handler(const char* what, petrel::arch::IrqHandler handler) {
  using namespace petrel;
  if (!arch::irq_register(arch::timer_irq(), handler, nullptr)) {
    arch::irq_unregister(arch::timer_irq());
    if (!arch::irq_register(arch::timer_irq(), handler, nullptr)) return 5;
  }
  print("faults: an interrupt handler %s\n", what);
  auto spin = [](void*) {
    arch::timer_set_deadline(arch::timer_now() + 1000);
    for (;;) {
    }
  };
  if (!kernel::task_create(kernel::TaskConfig{"spinner", 2, 8192, spin, nullptr})) return 6;
  kernel::scheduler_start();
  return 7;
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
  if (has_arg(args, "fault=task-stack")) return task_fault_scenario(Where::kStackOverflow, false);
  if (has_arg(args, "fault=task-trap")) return task_fault_scenario(Where::kTrap, false);
  if (has_arg(args, "fault=task-last")) {
    auto r = petrel::kernel::task_create(
        petrel::kernel::TaskConfig{"crasher", 2, 8192, [](void*) { read_null(); }, nullptr});
    if (!r) return 3;
    petrel::kernel::scheduler_start();
    petrel::print("faults: the scheduler returned after the last task's fault\n");
    return 0;
  }
  if (has_arg(args, "fault=task-null")) return task_fault_scenario(Where::kPlain, false);
  if (has_arg(args, "fault=task-critical"))
    return task_fault_scenario(Where::kCriticalSection, false);
  if (has_arg(args, "fault=task-irqs-off")) return task_fault_scenario(Where::kIrqsMasked, false);
  if (has_arg(args, "fault=task-twice")) return task_fault_scenario(Where::kPlain, true);
  if (has_arg(args, "fault=fp-isr")) {
    // A handler built with FP/SIMD (this file is) that really uses it.
    static volatile double sink;
    return fault_in_timer_handler("using FP", [](uint32_t, void*) {
      sink = sink * 1.5 + 2.0;
      petrel::arch::timer_cancel();
    });
  }
  if (has_arg(args, "fault=isr-null"))
    return fault_in_timer_handler("reading address 0", [](uint32_t, void*) { read_null(); });
  if (has_arg(args, "fault=hang")) {
    petrel::print("faults: hanging\n");
    for (;;) __asm__ volatile("wfi");
  }
  return exit_code(args);
}
