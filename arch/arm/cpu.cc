// The generic timer, interrupt masking, context switching and
// identification for both ARM architectures (the arch seam, petrel/arch.h), on top of arch/cpu.h.
//
// The timer is the EL1 virtual timer (CNTV_*): a 64-bit compare against
// CNTVCT, which Xen passes through. One-shot only; the kernel re-arms it for
// each deadline.
#include "arch/cpu.h"

#include "arch/fpu.h"
#include "arch/gic.h"
#include "petrel/arch.h"
#include "petrel/kernel/internal/sched.h"

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
  return read_cntfrq();
}

void timer_set_deadline(uint64_t deadline) {
  write_cntv_cval(deadline);
  write_cntv_ctl(1);  // ENABLE, not masked
  isb();
}

void timer_cancel() {
  write_cntv_ctl(0);
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

void context_destroy(ArchContext& ctx) {
  fpu_forget(&ctx);
}

const char* name() {
  return kArchName;
}
uint64_t cpu_id_register() {
  return read_midr();
}
int exception_level() {
  return current_el();
}

}  // namespace petrel::arch

// IRQs from task context, on the task's own stack (the architecture's
// vectors save the interrupted state there first). The kernel may switch
// tasks in isr_exit; this call then returns when the interrupted task runs
// again.
namespace petrel::arch {
namespace {
uint64_t g_irq_entry_time;
}  // namespace
uint64_t irq_entry_time() {
  return g_irq_entry_time;
}
}  // namespace petrel::arch

extern "C" void petrel_irq() {
  petrel::arch::g_irq_entry_time = petrel::arch::timer_now();
  petrel::arch::fpu_irq_enter();
  petrel::kernel::isr_enter();
  petrel::arch::irq_dispatch();
  petrel::kernel::isr_exit();  // may run other tasks before it returns
  petrel::arch::fpu_irq_exit();
}
