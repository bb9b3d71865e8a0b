// The ARM PL061 GPIO controller (8 pins), as a passed-through device (QEMU's
// virt board: 0x9030000, SPI 7; its pin 3 is the board's power button,
// which QEMU's `system_powerdown` presses).
//
// Pins are inputs. watch_rising() has a pin's rising edges give a
// semaphore from the interrupt handler, which clears each edge it sees; an
// edge that came before the watch started (the controller latches it) is
// delivered when the watch starts.
#pragma once

#include <stdint.h>

#include "petrel/drivers/device.h"
#include "petrel/result.h"

namespace petrel::kernel {
struct Semaphore;
}

namespace petrel::drivers {

class Pl061 {
 public:
  // The guest's PL061, checked (PrimeCell part 0x061), all pins inputs with
  // interrupts off. kNotFound if the guest was given none.
  static Result<Pl061*> open();

  const Device& device() const { return device_; }
  // The pins' levels, bit n for pin n.
  uint8_t read() const;
  // Gives `sem` (from the interrupt handler) on every rising edge of `pin`.
  Status watch_rising(unsigned pin, kernel::Semaphore* sem);
  // Edges the handler has seen, on any watched pin.
  uint32_t edges() const { return edges_; }

 private:
  static void on_interrupt(uint32_t intid, void* self);
  Device device_{};
  kernel::Semaphore* watchers_[8] = {};
  volatile uint32_t edges_ = 0;
  bool irq_registered_ = false;
};

}  // namespace petrel::drivers
