// devices: a guest that owns two devices of the board, passed through by
// Xen (docs/passthrough.md):
//
//   ./petrel run --passthrough pl061,pl031 --press-button-after 3 devices
//
// One task reads the PL031 real-time clock, twice a second apart; another
// blocks until the PL061 GPIO's pin 3 rises (the board's power button,
// which --press-button-after presses through QEMU's monitor). Exits 0 once
// both happened.
//
// Bootargs: "button-timeout=S" (seconds to wait for the press, default 30);
// "touch=ADDRESS" instead reads a 32-bit register at ADDRESS (0x...) that the
// guest may not own, to show the fault report of such an access.
#include <petrel/arch.h>
#include <petrel/bootargs.h>
#include <petrel/console.h>
#include <petrel/drivers/pl031.h>
#include <petrel/drivers/pl061.h>
#include <petrel/exit.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>
#include <petrel/kernel/task.h>

#include "arch/mmio.h"

namespace {

using namespace petrel;
using namespace petrel::kernel;
using namespace petrel::drivers;
using petrel::CivilTime;

constexpr unsigned kButtonPin = 3;

// The number "key=N" gives (decimal, or hexadecimal after 0x), `fallback`
// without it.
uint64_t arg_number(const char* key, uint64_t fallback) {
  uint64_t n = fallback;
  if (bootarg_number(board().bootargs, key, &n) == BootargNumber::kMalformed)
    panic("devices: %s= takes a number (hexadecimal after 0x)", key);
  return n;
}

void print_time(const char* what, uint32_t seconds) {
  const CivilTime t = civil_from_unix(seconds);
  print("devices: rtc: %s %04lld-%02u-%02u %02u:%02u:%02u UTC (%u s since 1970)\n", what,
        static_cast<long long>(t.year), t.month, t.day, t.hour, t.minute, t.second, seconds);
}

int g_done = 0;  // under a critical section

void finish_one() {
  CriticalSection cs;
  if (++g_done == 2) exit(0);
}

void rtc_task(void*) {
  auto rtc = Pl031::open();
  if (!rtc) {
    print("devices: no pl031 RTC: %s (give it with petrel run --passthrough pl031)\n",
          rtc.error().message);
    exit(2);
  }
  print("devices: pl031 RTC at %#llx, interrupt %u\n",
        static_cast<unsigned long long>(rtc->device().base), rtc->device().intid);
  const uint32_t first = rtc->seconds();
  print_time("now", first);
  // The counter must move with time: wait for its next second.
  uint32_t later = first;
  for (int i = 0; i < 40 && later == first; ++i) {
    task_delay(Ticks{50});
    later = rtc->seconds();
  }
  print_time(later == first + 1 ? "a second later" : "later", later);
  if (later != first + 1) {
    print("devices: rtc: the counter did not advance by one second\n");
    exit(1);
  }
  finish_one();
}

void button_task(void*) {
  auto gpio = Pl061::open();
  if (!gpio) {
    print("devices: no pl061 GPIO: %s (give it with petrel run --passthrough pl061)\n",
          gpio.error().message);
    exit(2);
  }
  auto pressed = semaphore_create_binary();
  if (!pressed) exit(3);
  print("devices: pl061 GPIO at %#llx, interrupt %u, pins %#x\n",
        static_cast<unsigned long long>((*gpio)->device().base), (*gpio)->device().intid,
        (*gpio)->read());
  if (Status s = (*gpio)->watch_rising(kButtonPin, *pressed); !s) {
    print("devices: gpio: %s\n", s.error().message);
    exit(1);
  }
  const uint64_t timeout_s = arg_number("button-timeout", 30);
  print("devices: waiting up to %llu s for the power button (GPIO pin %u)\n",
        static_cast<unsigned long long>(timeout_s), kButtonPin);
  if (!semaphore_take(*pressed, Ticks{timeout_s * 1000})) {
    print("devices: no button press in %llu s\n", static_cast<unsigned long long>(timeout_s));
    exit(1);
  }
  print("devices: the power button was pressed (GPIO pin %u, %u edge(s))\n", kButtonPin,
        (*gpio)->edges());
  finish_one();
}

// Reads a register at `address`, which this guest may not own.
void touch(uintptr_t address) {
  print("devices: reading the register at %#llx\n", static_cast<unsigned long long>(address));
  if (Status s = arch::map_device_memory(address & ~uintptr_t{4095}, 4096); !s) {
    print("devices: cannot map it: %s\n", s.error().message);
    exit(1);
  }
  const uint32_t v = arch::mmio_read32(address);
  print("devices: it read %#x\n", v);
  exit(0);
}

}  // namespace

extern "C" int main() {
  if (const uint64_t address = arg_number("touch", 0); address != 0) touch(address);
  if (!task_create(TaskConfig{"rtc", 4, 8 * 1024, rtc_task, nullptr})) return 3;
  if (!task_create(TaskConfig{"button", 5, 8 * 1024, button_task, nullptr})) return 3;
  scheduler_start();
  return 0;
}
