// The EL1 virtual timer (CNTV_*): a 64-bit compare against CNTVCT, which Xen
// passes through. One-shot only; the kernel re-arms it for each deadline.
#include "arch/gic.h"
#include "arch/sysreg.h"
#include "petrel/arch.h"

namespace petrel::arch {
namespace {
uint32_t g_timer_irq = 27;  // PPI 11 unless the device tree says otherwise
}

void timer_init(const BoardInfo& board) {
  if (board.timer_virt_irq != 0) g_timer_irq = board.timer_virt_irq;
  timer_cancel();
}
uint32_t timer_irq() {
  return g_timer_irq;
}

uint64_t timer_frequency() {
  return PETREL_READ_SYSREG(cntfrq_el0);
}

uint64_t timer_now() {
  isb();  // no speculative early read of the counter
  return PETREL_READ_SYSREG(cntvct_el0);
}

void timer_set_deadline(uint64_t deadline) {
  PETREL_WRITE_SYSREG(cntv_cval_el0, deadline);
  PETREL_WRITE_SYSREG(cntv_ctl_el0, 1);  // ENABLE, not masked
  isb();
}

void timer_cancel() {
  PETREL_WRITE_SYSREG(cntv_ctl_el0, 0);
  isb();
}

void interrupts_enable() {
  irq_enable();
}
void interrupts_disable() {
  irq_disable();
}
bool interrupts_enabled() {
  return irq_enabled();
}
void wait_for_interrupt() {
  wfi();
}

const char* name() {
  return "AArch64";
}
uint64_t cpu_id_register() {
  return PETREL_READ_SYSREG(midr_el1);
}
int exception_level() {
  return static_cast<int>((PETREL_READ_SYSREG(currentel) >> 2) & 3);
}

}  // namespace petrel::arch
