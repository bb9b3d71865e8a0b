// AArch64 exception handling: IRQs go to the GIC dispatcher (petrel_irq,
// arch/arm/cpu.cc); everything else is fatal and produces a full report
// (exception class, ESR, FAR, ELR, the registers) before the domain is
// crashed with a failure status.
#include "arch/esr.h"
#include "arch/fault_report.h"
#include "arch/fpu.h"
#include "arch/frame.h"
#include "petrel/console.h"
#include "petrel/fmt.h"

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

[[noreturn]] void report_fault(const ExceptionFrame& f, uint64_t kind) {
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
