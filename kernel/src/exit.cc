#include "petrel/exit.h"

#include "petrel/console.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/trace.h"
#include "petrel/platform.h"

namespace petrel {
namespace {

[[noreturn]] void finish(const char* reason, int code, platform::ShutdownReason how) {
  // No other task runs from here on (the console's own locking must not
  // become a chance to switch away from a dying guest).
  kernel::scheduler_lock();
  platform::prepare_shutdown();
  // The trace, if it was recorded, before the marker the host stops at.
  if constexpr (kernel::config::kTrace) kernel::trace::drain();
  console_end_line();  // the marker must start a line of its own
  print("%s reason=%s code=%d\n", kExitMarker, reason, code);
  console_flush();
  platform::shutdown(how);
}

}  // namespace

void exit(int code) {
  finish("poweroff", code, platform::ShutdownReason::kPoweroff);
}

void crash(int code) {
  finish("crash", code, platform::ShutdownReason::kCrash);
}

void panic(const char* fmt, ...) {
  console_end_line();
  print("*** PETREL PANIC: ");
  va_list ap;
  va_start(ap, fmt);
  vprint(fmt, ap);
  va_end(ap);
  print("\n");
  crash(1);
}

}  // namespace petrel

extern "C" void petrel_exit(int code) {
  petrel::exit(code);
}
