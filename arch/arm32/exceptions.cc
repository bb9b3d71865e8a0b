// AArch32 exception handling: IRQs go to the GIC dispatcher (petrel_irq,
// arch/arm/cpu.cc); an undefined VFP/NEON instruction with VFP off is the
// lazy FP trap; everything else is fatal and produces a full report (what,
// the fault status and address, the PC, CPSR and registers) before the
// domain is crashed with a failure status.
//
// Fault status registers are in the long-descriptor format (head.S sets
// TTBCR.EAE before anything can fault): STATUS in bits 5:0 with the AArch64
// encodings, WnR in bit 11.
#include "arch/cp15.h"
#include "arch/cpu.h"
#include "arch/fault_report.h"
#include "arch/fault_status.h"
#include "arch/fp_insn.h"
#include "arch/fpu.h"
#include "arch/frame.h"
#include "petrel/console.h"
#include "petrel/exit.h"
#include "petrel/fmt.h"

namespace petrel::arch {
namespace {

constexpr uint32_t kCpsrThumb = 1u << 5;

const char* mode_name(uint32_t cpsr) {
  switch (cpsr & 0x1f) {
    case 0x10:
      return "USR";
    case 0x11:
      return "FIQ";
    case 0x12:
      return "IRQ";
    case 0x13:
      return "SVC";
    case 0x17:
      return "ABT";
    case 0x1b:
      return "UND";
    case 0x1f:
      return "SYS";
    default:
      return "unknown mode";
  }
}

const char* context_of(const ExceptionFrame& f) {
  static char buf[64];
  const bool task_mode = (f.cpsr & 0x1f) == 0x13;
  format_to(buf, sizeof buf, "from %s mode%s, %s state", mode_name(f.cpsr),
            task_mode ? "" : ", inside a handler", (f.cpsr & kCpsrThumb) != 0 ? "Thumb" : "ARM");
  return buf;
}

uint32_t instruction_at(uint32_t pc, bool thumb) {
  if (!thumb) return *reinterpret_cast<const uint32_t*>(pc);
  const uint16_t* p = reinterpret_cast<const uint16_t*>(pc);
  const uint32_t hw1 = p[0];
  return (hw1 << 16) | (thumb_is_32bit(static_cast<uint16_t>(hw1)) ? p[1] : 0u);
}

void print_registers(const ExceptionFrame& f) {
  print("    PC 0x%08x  CPSR 0x%08x (%s, %s)  SP 0x%08x  LR 0x%08x\n", f.pc, f.cpsr,
        mode_name(f.cpsr), (f.cpsr & kCpsrThumb) != 0 ? "Thumb" : "ARM", f.sp, f.lr);
  for (int i = 0; i < 13; i += 4) {
    print("   ");
    for (int j = i; j < i + 4 && j < 13; ++j) print(" r%-2d 0x%08x", j, f.r[j]);
    print("\n");
  }
}

[[noreturn]] void report_abort(const ExceptionFrame& f, bool data) {
  const uint32_t fsr = data ? PETREL_CP15_READ(0, c5, c0, 0) : PETREL_CP15_READ(0, c5, c0, 1);
  const uint32_t far = data ? PETREL_CP15_READ(0, c6, c0, 0) : PETREL_CP15_READ(0, c6, c0, 2);
  int level = -1;
  const char* fault = fault_status_name(fsr & 0x3f, &level);
  const bool write = data && (fsr & (1u << 11)) != 0;
  fault_report_begin(FaultDescription{data ? "data abort" : "prefetch abort", fault, level, data,
                                      write, true, far, context_of(f), f.pc});
  print("    %s 0x%08x  %s 0x%08x\n", data ? "DFSR" : "IFSR", fsr, data ? "DFAR" : "IFAR", far);
  print_registers(f);
  fault_report_end();
}

[[noreturn]] void report_other(const ExceptionFrame& f, const char* what, bool show_insn) {
  fault_report_begin(
      FaultDescription{what, nullptr, -1, false, false, false, 0, context_of(f), f.pc});
  if (show_insn) {
    const bool thumb = (f.cpsr & kCpsrThumb) != 0;
    print("    instruction 0x%0*x\n", thumb ? 4 : 8,
          thumb ? instruction_at(f.pc, true) >> 16 : instruction_at(f.pc, false));
  }
  print_registers(f);
  fault_report_end();
}

}  // namespace
}  // namespace petrel::arch

extern "C" void petrel_exception(petrel::arch::ExceptionFrame* frame) {
  using namespace petrel::arch;
  ExceptionFrame& f = *frame;
  const bool thumb = (f.cpsr & kCpsrThumb) != 0;
  switch (f.kind) {
    case PETREL_VEC_UNDEF: {
      f.pc -= thumb ? 2 : 4;  // LR_und points past the instruction
      const uint32_t insn = instruction_at(f.pc, thumb);
      const bool fp_off = (read_fpexc() & kFpexcEnable) == 0;
      if (fp_off && is_fp_simd_instruction(insn, thumb)) {
        if (fpu_handle_trap()) return;  // retry with the task's VFP/NEON state loaded
        report_other(f, "FP/SIMD access trap", true);
      }
      report_other(f, "undefined instruction", true);
    }
    case PETREL_VEC_PABT:
      f.pc -= 4;
      report_abort(f, false);
    case PETREL_VEC_DABT:
      f.pc -= 8;
      report_abort(f, true);
    case PETREL_VEC_SVC:
      f.pc -= thumb ? 2 : 4;
      report_other(f, "SVC instruction", false);
    case PETREL_VEC_FIQ:
      f.pc -= 4;
      report_other(f, "FIQ", false);
    default:
      report_other(f, "unexpected exception (reset or hyp vector)", false);
  }
}

// Integer division by zero in libgcc's helpers (__aeabi_idiv and friends):
// their default handlers call raise(), which a freestanding guest has not.
extern "C" [[noreturn]] void __aeabi_idiv0() {
  petrel::panic("integer division by zero");
}
extern "C" [[noreturn]] void __aeabi_ldiv0() {
  petrel::panic("integer division by zero");
}
