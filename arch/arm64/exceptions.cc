// AArch64 exception handling: IRQs go to the GIC dispatcher (petrel_irq,
// arch/arm/cpu.cc); everything else produces a full report (exception
// class, ESR, FAR, ELR, the registers). Then a synchronous fault in an
// application task stops that task alone: the frame is rewritten to return
// into kernel::task_fault_end on the top of the task's stack, with IRQs
// unmasked (kernel/src/task_fault.cc says when that is safe). Any other
// fault crashes the domain with a failure status.
#include "arch/esr.h"
#include "arch/fault_report.h"
#include "arch/fpu.h"
#include "arch/frame.h"
#include "petrel/console.h"
#include "petrel/fmt.h"
#include "petrel/kernel/task.h"

namespace petrel::arch {
namespace {

const char* vector_name(uint64_t kind) {
  static const char* const kTypes[] = {"synchronous", "IRQ", "FIQ", "SError"};
  static const char* const kGroups[] = {"EL1 (SP_EL0)", "EL1 (SP_EL1, inside a handler)",
                                        "lower EL (AArch64)", "lower EL (AArch32)"};
  static char buf[64];
  format_to(buf, sizeof buf, "%s exception from %s", kTypes[kind & 3], kGroups[(kind >> 2) & 3]);
  return buf;
}

constexpr uint32_t kEcBrk = 0x3c;

// The faults that may stop a task alone (kernel/src/task_fault.cc decides
// the rest): undefined instructions, aborts and alignment faults, illegal
// execution state. Traps (BRK: __builtin_trap, failed checks), system calls
// and debug events end the domain.
bool stops_a_task(uint32_t ec) {
  switch (ec) {
    case 0x00:  // unknown reason: an undefined instruction
    case 0x0e:  // illegal execution state
    case 0x20:  // instruction abort (lower EL)
    case 0x21:  // instruction abort (same EL)
    case 0x22:  // PC alignment
    case 0x24:  // data abort (lower EL)
    case 0x25:  // data abort (same EL)
    case 0x26:  // SP alignment
      return true;
    default:
      return false;
  }
}

// Resumes the stopped task in kernel::task_fault_end at `stack_top`: EL1
// with SP_EL0 (as tasks run), IRQs unmasked, D, A and F as they were.
void resume_in_task_fault_end(ExceptionFrame& f, uintptr_t stack_top) {
  constexpr uint64_t kSpsrEl1t = 0x4;
  constexpr uint64_t kKeptMasks = (1u << 9) | (1u << 8) | (1u << 6);  // D, A, F
  f.elr = reinterpret_cast<uintptr_t>(&kernel::task_fault_end);
  f.spsr = kSpsrEl1t | (f.spsr & kKeptMasks);
  f.sp_el0 = stack_top;
  f.x[29] = 0;  // the end of the frame-pointer chain
  f.x[30] = 0;
}

[[gnu::cold]] void report_fault(ExceptionFrame& f, uint64_t kind) {
  const EsrInfo e = decode_esr(f.esr);
  fault_report_begin(FaultDescription{e.ec_name, e.is_abort ? e.fault : nullptr, e.level,
                                      e.is_data_abort, e.write, e.is_abort, f.far,
                                      vector_name(kind), f.elr});
  print("    ESR 0x%016lx (EC 0x%02x)  FAR 0x%016lx\n", f.esr, e.ec, f.far);
  print("    ELR 0x%016lx  SPSR 0x%016lx  SP 0x%016lx\n", f.elr, f.spsr, f.sp_el0);
  for (int i = 0; i < 31; i += 3) {
    print("   ");
    for (int j = i; j < i + 3 && j < 31; ++j) print(" x%-2d 0x%016lx", j, f.x[j]);
    print("\n");
  }
  if (kind == PETREL_VEC_SYNC && !stops_a_task(e.ec)) {
    fault_not_stopping(e.ec == kEcBrk ? "a trap (__builtin_trap, a failed check) ends the domain"
                                      : "this kind of exception ends the domain");
  } else if (kind == PETREL_VEC_SYNC) {
    constexpr uint64_t kSpsrIrqMasked = 1u << 7;
    if (const uintptr_t top = fault_stop_task((f.spsr & kSpsrIrqMasked) != 0); top != 0) {
      resume_in_task_fault_end(f, top);
      return;
    }
  }
  fault_report_end();
}

}  // namespace
}  // namespace petrel::arch

extern "C" void petrel_exception(petrel::arch::ExceptionFrame* frame, uint64_t kind) {
  using namespace petrel::arch;
  constexpr uint64_t kEcFpAccess = 0x07;
  if (kind == PETREL_VEC_SYNC && (frame->esr >> 26) == kEcFpAccess && fpu_handle_trap())
    return;  // retry the instruction with the task's FP/SIMD state loaded
  report_fault(*frame, kind);
}
