// The part of a fault report both ARM architectures share: the first line
// (what happened, in which task), the stack-overflow diagnosis and the end:
// the faulting task stopped alone (kernel/src/task_fault.cc) or the domain
// crashed with status 2. The register dump between them is per architecture
// (arch/*/exceptions.cc).
#pragma once

#include <stdint.h>

namespace petrel::arch {

struct FaultDescription {
  const char* what;    // "data abort", "undefined instruction", ...
  const char* fault;   // aborts: "translation fault", ...; nullptr otherwise
  int level;           // translation level of `fault`, -1 if none
  bool is_data_abort;  // `write` is meaningful
  bool write;
  bool has_address;  // `address` (FAR/DFAR/IFAR) is meaningful
  uint64_t address;
  const char* context;  // "synchronous exception from EL1 (SP_EL0)", ...
  uint64_t pc;          // where it happened (ELR / the faulting instruction)
};

// Prints "*** PETREL FAULT: ..." and, for aborts in a guard page, which
// stack overflowed. A fault while a report is being printed ends the domain
// at once with a one-line message.
void fault_report_begin(const FaultDescription& d);
// After the register dump of a fault in task context: when the kernel can
// stop the running task alone (kernel::task_fault_begin), says so and
// returns the top of that task's stack, where the handler resumes
// kernel::task_fault_end; 0 when it cannot (then call fault_report_end).
// `irqs_masked`: the faulting code ran with IRQs masked (SPSR/CPSR.I).
uintptr_t fault_stop_task(bool irqs_masked);
// For a fault the architecture never lets stop a task (a trap, a debug
// event, ...): says why when a task was running.
void fault_not_stopping(const char* why);
// The domain crashes (exit status 2).
[[noreturn]] void fault_report_end();
// True if `address` is mapped in the guest's own tables as device memory
// (arch/arm/mmu.cc): an abort there came from beyond the guest.
bool mapped_as_device(uint64_t address);

}  // namespace petrel::arch
