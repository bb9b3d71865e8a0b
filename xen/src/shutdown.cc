// platform::shutdown for Xen guests: SCHEDOP_shutdown with the reason.
#include "petrel/arch.h"
#include "petrel/platform.h"
#include "petrel/xen/hypercall.h"
#include "petrel/xen/pv_console.h"

namespace petrel::platform {
namespace {
void (*g_hook)() = nullptr;
}  // namespace

void set_shutdown_hook(void (*hook)()) {
  g_hook = hook;
}

void prepare_shutdown() {
  xen::pv_console::final_output();
}

void shutdown(ShutdownReason reason) {
  prepare_shutdown();
  if (auto* hook = g_hook) {
    g_hook = nullptr;  // once, even if it faults and the fault shuts down
    hook();
  }
  sched_shutdown arg{};
  switch (reason) {
    case ShutdownReason::kPoweroff:
      arg.reason = SHUTDOWN_poweroff;
      break;
    case ShutdownReason::kReboot:
      arg.reason = SHUTDOWN_reboot;
      break;
    case ShutdownReason::kCrash:
      arg.reason = SHUTDOWN_crash;
      break;
  }
  arch::interrupts_disable();
  xen::pv_console::drain();  // dom0 must see the last lines first
  xen::sched_op(SCHEDOP_shutdown, &arg);
  // Xen does not return from a successful shutdown; if it refused, stop here.
  for (;;) arch::wait_for_interrupt();
}

}  // namespace petrel::platform
