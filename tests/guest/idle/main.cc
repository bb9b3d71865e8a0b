// idle: says which domain it is (from xenstore) and then idles until the
// toolstack ends it: for the `xl reboot` / `xl destroy` tests with a Linux
// dom0 (tests/system/dom0/reboot.sh).
#include <petrel/console.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>
#include <petrel/xen/xenstore.h>

extern "C" int main() {
  using namespace petrel;
  auto t = kernel::task_create(
      kernel::TaskConfig{"idle", 2, 8192,
                         [](void*) {
                           auto id = xen::xenstore::domain_id();
                           if (id) {
                             print("idle: up as domain %u\n", static_cast<unsigned>(id->value));
                           } else {
                             print("idle: no domain id: %s\n", id.error().message);
                           }
                           for (;;) kernel::task_delay(kernel::Ticks{1000});
                         },
                         nullptr});
  if (!t) return 3;
  kernel::scheduler_start();
  return 0;
}
