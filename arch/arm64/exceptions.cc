// AArch64 exception handling: IRQs go to the GIC dispatcher; everything else
// is fatal and produces a full report (exception class, ESR, FAR, ELR, the
// registers) before the domain is crashed with a failure status.
#include "arch/esr.h"
#include "arch/fpu.h"
#include "arch/frame.h"
#include "arch/gic.h"
#include "arch/sysreg.h"
#include "petrel/console.h"
#include "petrel/exit.h"
#include "petrel/fmt.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/task.h"
#include "petrel/platform.h"

extern "C" {
extern char __exception_stack_guard[], __exception_stack_bottom[];
extern char __boot_stack_guard[], __boot_stack_bottom[];
}

namespace petrel::arch {
namespace {

bool g_reporting = false;

const char* vector_name(uint64_t kind) {
  static const char* const kTypes[] = {"synchronous", "IRQ", "FIQ", "SError"};
  static const char* const kGroups[] = {"EL1 (SP_EL0)", "EL1 (SP_EL1, inside a handler)",
                                        "lower EL (AArch64)", "lower EL (AArch32)"};
  static char buf[64];
  format_to(buf, sizeof buf, "%s exception from %s", kTypes[kind & 3], kGroups[(kind >> 2) & 3]);
  return buf;
}

// Names the guard page an address falls in, if any.
const char* guard_name(uint64_t far) {
  auto in = [far](const char* lo, const char* hi) {
    return far >= reinterpret_cast<uintptr_t>(lo) && far < reinterpret_cast<uintptr_t>(hi);
  };
  if (in(__boot_stack_guard, __boot_stack_bottom)) return "boot stack";
  if (in(__exception_stack_guard, __exception_stack_bottom)) return "exception stack";
  return nullptr;
}

[[noreturn]] void report_fault(const ExceptionFrame& f, uint64_t kind) {
  if (g_reporting) {
    // A fault while reporting a fault: say the least and stop.
    print("\n*** PETREL FAULT while reporting a fault (ELR %#lx)\n", f.elr);
    crash(2);
  }
  g_reporting = true;
  const EsrInfo e = decode_esr(f.esr);
  console_end_line();
  print("*** PETREL FAULT: %s", e.ec_name);
  if (e.is_abort) {
    print(" (%s", e.fault);
    if (e.level >= 0) print(", level %d", e.level);
    if (e.is_data_abort) print(", %s", e.write ? "write" : "read");
    print(")");
  }
  const kernel::Task* task = kernel::scheduler_running() ? kernel::task_current() : nullptr;
  if (task != nullptr) {
    print(" in task '%s' (%s)\n", task->name, vector_name(kind));
  } else {
    print(" in the boot thread (%s)\n", vector_name(kind));
  }
  if (e.is_abort) {
    const char* guard = guard_name(f.far);
    if (guard != nullptr) print("    stack overflow: FAR is in the guard page of the %s\n", guard);
    if (const kernel::Task* owner = kernel::task_by_stack_guard(f.far))
      print("    stack overflow: FAR is in the guard page below the stack of task '%s'\n",
            owner->name);
  }
  print("    ESR 0x%016lx (EC 0x%02x)  FAR 0x%016lx\n", f.esr, e.ec, f.far);
  print("    ELR 0x%016lx  SPSR 0x%016lx  SP 0x%016lx\n", f.elr, f.spsr, f.sp_el0);
  for (int i = 0; i < 31; i += 3) {
    print("   ");
    for (int j = i; j < i + 3 && j < 31; ++j) print(" x%-2d 0x%016lx", j, f.x[j]);
    print("\n");
  }
  crash(2);
}

}  // namespace

}  // namespace petrel::arch

extern "C" void petrel_exception(petrel::arch::ExceptionFrame* frame, uint64_t kind) {
  using namespace petrel::arch;
  constexpr uint64_t kEcFpAccess = 0x07;
  if (kind == PETREL_VEC_SYNC && (frame->esr >> 26) == kEcFpAccess) {
    if (petrel::kernel::in_isr()) {
      petrel::console_end_line();
      petrel::print(
          "*** PETREL: an interrupt handler used FP/SIMD registers; build handlers "
          "with -mgeneral-regs-only\n");
    } else if (fpu_trap()) {
      return;  // retry the instruction with the task's FP/SIMD state loaded
    }
  }
  report_fault(*frame, kind);
}

// IRQs from task context, on the task's stack (vectors.S). The kernel may
// switch tasks in isr_exit; this call then returns when the interrupted
// task runs again.
extern "C" void petrel_irq() {
  petrel::arch::fpu_irq_enter();
  petrel::kernel::isr_enter();
  petrel::arch::irq_dispatch();
  petrel::kernel::isr_exit();  // may run other tasks before it returns
  petrel::arch::fpu_irq_exit();
}
