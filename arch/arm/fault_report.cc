#include "arch/fault_report.h"

#include "petrel/console.h"
#include "petrel/exit.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/task.h"

extern "C" {
extern char __exception_stack_guard[], __exception_stack_bottom[];
extern char __boot_stack_guard[], __boot_stack_bottom[];
}

namespace petrel::arch {
namespace {

bool g_reporting = false;

// Names the guard page an address falls in, if any.
const char* guard_name(uint64_t address) {
  auto in = [address](const char* lo, const char* hi) {
    return address >= reinterpret_cast<uintptr_t>(lo) && address < reinterpret_cast<uintptr_t>(hi);
  };
  if (in(__boot_stack_guard, __boot_stack_bottom)) return "boot stack";
  if (in(__exception_stack_guard, __exception_stack_bottom)) return "exception stack";
  return nullptr;
}

}  // namespace

[[gnu::cold]] void fault_report_begin(const FaultDescription& d) {
  if (g_reporting) {
    // A fault while reporting a fault: say the least and stop.
    print("\n*** PETREL FAULT while reporting a fault (PC %#llx)\n",
          static_cast<unsigned long long>(d.pc));
    crash(2);
  }
  g_reporting = true;
  console_end_line();
  print("*** PETREL FAULT: %s", d.what);
  if (d.fault != nullptr) {
    print(" (%s", d.fault);
    if (d.level >= 0) print(", level %d", d.level);
    if (d.is_data_abort) print(", %s", d.write ? "write" : "read");
    print(")");
  }
  const kernel::Task* task = kernel::scheduler_running() ? kernel::task_current() : nullptr;
  if (task != nullptr && kernel::in_isr()) {
    print(" in an interrupt handler, task '%s' interrupted (%s)\n", task->name, d.context);
  } else if (task != nullptr) {
    print(" in task '%s' (%s)\n", task->name, d.context);
  } else {
    print(" in the boot thread (%s)\n", d.context);
  }
  if (d.fault != nullptr && d.has_address) {
    const char* guard = guard_name(d.address);
    if (guard != nullptr) print("    stack overflow: FAR is in the guard page of the %s\n", guard);
    if (const kernel::Task* owner = kernel::task_by_stack_guard(d.address))
      print("    stack overflow: FAR is in the guard page below the stack of task '%s'\n",
            owner->name);
    if (d.is_data_abort && mapped_as_device(d.address))
      print(
          "    FAR is device memory this guest mapped, and Xen refused the access: no device "
          "there was given to this domain (docs/passthrough.md)\n");
  }
}

[[gnu::cold]] uintptr_t fault_stop_task(bool irqs_masked) {
  const char* why_not = nullptr;
  kernel::Task* t = kernel::task_fault_begin(irqs_masked, &why_not);
  if (t == nullptr) {
    if (why_not != nullptr) print("*** not stopping the task alone: %s\n", why_not);
    return 0;
  }
  print("*** task '%s' stopped by the fault; the other tasks go on\n", t->name);
  g_reporting = false;
  return (reinterpret_cast<uintptr_t>(t->stack_base) + t->stack_size) & ~uintptr_t{15};
}

[[gnu::cold]] void fault_not_stopping(const char* why) {
  if (kernel::scheduler_running() && kernel::task_current() != nullptr)
    print("*** not stopping the task alone: %s\n", why);
}

[[gnu::cold]] void fault_report_end() {
  crash(2);
}

}  // namespace petrel::arch
