// AArch32 exception handling: IRQs go to the GIC dispatcher (petrel_irq,
// arch/arm/cpu.cc); an undefined VFP/NEON instruction with VFP off is the
// lazy FP trap; everything else produces a full report (what, the fault
// status and address, the PC, CPSR and registers). Then an abort or
// undefined instruction in an application task stops that task alone: the
// frame is rewritten to return into kernel::task_fault_end in SVC mode on
// the top of the task's stack, with IRQs unmasked (vectors.S writes SP_svc
// back; kernel/src/task_fault.cc says when stopping is safe). Any other
// fault crashes the domain with a failure status.
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
#include "petrel/kernel/task.h"

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
      return "an unknown";
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

// The end of a report: a fault from SVC mode (a task, or an interrupt
// handler, which the kernel refuses) may stop the task alone; otherwise the
// domain crashes.
void finish(ExceptionFrame& f) {
  constexpr uint32_t kModeSvc = 0x13;
  constexpr uint32_t kKeptMasks = (1u << 8) | (1u << 6);  // A, F; I cleared
  if ((f.cpsr & 0x1f) == kModeSvc) {
    constexpr uint32_t kCpsrIrqMasked = 1u << 7;
    if (const uintptr_t top = fault_stop_task((f.cpsr & kCpsrIrqMasked) != 0); top != 0) {
      const auto entry = reinterpret_cast<uintptr_t>(&kernel::task_fault_end);
      f.pc = entry & ~uintptr_t{1};
      // SVC mode, the entry's instruction set, no IT block, IRQs unmasked.
      f.cpsr = kModeSvc | ((entry & 1) != 0 ? kCpsrThumb : 0) | (f.cpsr & kKeptMasks);
      f.sp = top;
      f.lr = 0;
      f.r[7] = 0;  // the frame pointer (Thumb, ARM): the end of the chain
      f.r[11] = 0;
      return;
    }
  }
  fault_report_end();
}

void report_abort(ExceptionFrame& f, bool data) {
  const uint32_t fsr = data ? PETREL_CP15_READ(0, c5, c0, 0) : PETREL_CP15_READ(0, c5, c0, 1);
  const uint32_t far = data ? PETREL_CP15_READ(0, c6, c0, 0) : PETREL_CP15_READ(0, c6, c0, 2);
  int level = -1;
  const char* fault = fault_status_name(fsr & 0x3f, &level);
  const bool write = data && (fsr & (1u << 11)) != 0;
  fault_report_begin(FaultDescription{data ? "data abort" : "prefetch abort", fault, level, data,
                                      write, true, far, context_of(f), f.pc});
  print("    %s 0x%08x  %s 0x%08x\n", data ? "DFSR" : "IFSR", fsr, data ? "DFAR" : "IFAR", far);
  print_registers(f);
  finish(f);
}

// `stoppable`: the fault may stop the task alone (an undefined instruction);
// FIQs, SVCs, unexpected vectors and traps crash the domain, saying
// `why_not` if given.
void report_other(ExceptionFrame& f, const char* what, bool show_insn, bool stoppable,
                  const char* why_not = nullptr) {
  fault_report_begin(
      FaultDescription{what, nullptr, -1, false, false, false, 0, context_of(f), f.pc});
  if (show_insn) {
    const bool thumb = (f.cpsr & kCpsrThumb) != 0;
    print("    instruction 0x%0*x\n", thumb ? 4 : 8,
          thumb ? instruction_at(f.pc, true) >> 16 : instruction_at(f.pc, false));
  }
  print_registers(f);
  if (stoppable) {
    finish(f);
    return;
  }
  if (why_not != nullptr) fault_not_stopping(why_not);
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
        report_other(f, "FP/SIMD access trap", true, false);
      }
      // GCC's __builtin_trap (failed checks): udf #255 (Thumb), udf #0 (ARM).
      const bool trap = thumb ? (insn >> 16) == 0xdeff : insn == 0xe7f000f0;
      report_other(f, "undefined instruction", true, !trap,
                   trap ? "a trap (__builtin_trap, a failed check) ends the domain" : nullptr);
      return;
    }
    case PETREL_VEC_PABT:
      f.pc -= 4;
      report_abort(f, false);
      return;
    case PETREL_VEC_DABT:
      f.pc -= 8;
      report_abort(f, true);
      return;
    case PETREL_VEC_SVC:
      f.pc -= thumb ? 2 : 4;
      report_other(f, "SVC instruction", false, false);
      return;
    case PETREL_VEC_FIQ:
      f.pc -= 4;
      report_other(f, "FIQ", false, false);
      return;
    default:
      report_other(f, "unexpected exception (reset or hyp vector)", false, false);
      return;
  }
}

// Integer division by zero in libgcc's helpers (__aeabi_idiv and friends):
// their default handlers call raise(), which a freestanding guest has not.
// Kept and visible through link-time optimization: only libgcc, which is not
// part of it, calls them.
extern "C" [[noreturn, gnu::used, gnu::externally_visible]] void __aeabi_idiv0() {
  petrel::panic("integer division by zero");
}
extern "C" [[noreturn, gnu::used, gnu::externally_visible]] void __aeabi_ldiv0() {
  petrel::panic("integer division by zero");
}
