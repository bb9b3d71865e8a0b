#include "petrel/xen/control.h"

#include <new>

#include "petrel/console.h"
#include "petrel/exit.h"
#include "petrel/kernel/config.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/kernel/semaphore.h"
#include "petrel/kernel/task.h"
#include "petrel/noinit.h"
#include "petrel/platform.h"
#include "petrel/string.h"
#include "petrel/xen/xenstore.h"

namespace petrel::xen::control {
namespace {

// The module's state: zero at boot (.bss), and what reset_module()
// restores. The task's storage is beside it.
struct ControlState {
  kernel::Semaphore changed;  // control/shutdown changed
  Handler handler = nullptr;
  bool started = false;  // the control task exists: init() again is a no-op
};
constinit ControlState g_control;
kernel::Task g_task;
PETREL_NOINIT(control_stack) alignas(16) uint8_t g_stack[6144];

void on_change(const char*, void*) {
  (void)kernel::semaphore_give(&g_control.changed);
}

[[gnu::cold]] void control_task(void*) {
  // These need replies from xenstored, so they are made here, once the
  // scheduler runs, not at boot.
  (void)xenstore::write("control/feature-poweroff", "1");
  (void)xenstore::write("control/feature-reboot", "1");
  if (auto w = xenstore::watch("control/shutdown", on_change, nullptr); !w) {
    print("petrel: cannot watch control/shutdown: %s\n", w.error().message);
    return;
  }
  for (;;) {
    (void)kernel::semaphore_take_compact(&g_control.changed, kernel::kForever);
    char value[32];
    auto n = xenstore::read("control/shutdown", value, sizeof value);
    if (!n || *n == 0) continue;  // absent or empty: nothing asked
    Request request;
    if (str::compare_strings(value, "poweroff") == 0 || str::compare_strings(value, "halt") == 0) {
      request = Request::kPoweroff;
    } else if (str::compare_strings(value, "reboot") == 0) {
      request = Request::kReboot;
    } else {
      print("petrel: control/shutdown \"%s\" not understood, ignored\n", value);
      (void)xenstore::write("control/shutdown", "");
      continue;
    }
    (void)xenstore::write("control/shutdown", "");  // acknowledged
    if (g_control.handler != nullptr && !g_control.handler(request)) continue;
    print("petrel: %s requested by the toolstack\n",
          request == Request::kReboot ? "reboot" : "poweroff");
    if (request == Request::kReboot) {
      console_flush();
      platform::shutdown(platform::ShutdownReason::kReboot);
    }
    exit(0);
  }
}

}  // namespace

void set_handler(Handler handler) {
  g_control.handler = handler;
}

[[gnu::cold]] Status init() {
  // A second init would make the semaphore the task waits on and the task
  // itself over again.
  if (g_control.started) return ok();
  if (!xenstore::available()) return Error{Errc::kNotFound, "control: no xenstore"};
  if (auto r = kernel::semaphore_create_static(&g_control.changed, 1, 0); !r) return r.error();
  auto task =
      kernel::task_create_static(kernel::TaskConfig{"control", kernel::config::kPriorities - 3,
                                                    sizeof g_stack, control_task, nullptr},
                                 &g_task, g_stack, sizeof g_stack);
  if (!task) return task.error();
  kernel::task_mark_system(*task);
  g_control.started = true;
  return ok();
}

void reset_module() {
  g_control.~ControlState();
  new (&g_control) ControlState();
}

}  // namespace petrel::xen::control
