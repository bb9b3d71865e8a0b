// hello: the first Petrel guest. Prints what it found on the board, proves
// the timer interrupt works, and exits 0.
#include <petrel/arch.h>
#include <petrel/console.h>
#include <petrel/fmt.h>
#include <petrel/guest.h>
#include <petrel/time.h>

namespace {

const char* gic_name(petrel::GicVersion v) {
  switch (v) {
    case petrel::GicVersion::kV2:
      return "GICv2";
    case petrel::GicVersion::kV3:
      return "GICv3";
    default:
      return "none";
  }
}

}  // namespace

extern "C" int main() {
  using petrel::print;
  const petrel::BoardInfo& b = petrel::board();

  print("Petrel hello: a real-time guest on Xen\n");
  print("  architecture: %s at EL%d (MIDR %#" PETREL_PRI64 "x)\n", petrel::arch::name(),
        petrel::arch::exception_level(), petrel::arch::cpu_id_register());
  print("  gic:          %s (distributor %#" PETREL_PRI64 "x, %s %#" PETREL_PRI64 "x)\n",
        gic_name(b.gic_version), b.gicd.base,
        b.gic_version == petrel::GicVersion::kV3 ? "redistributors" : "cpu interface",
        b.gic_version == petrel::GicVersion::kV3 ? b.gicr.base : b.gicc.base);
  print("  memory:       %" PETREL_PRI64 "u MiB at %#" PETREL_PRI64 "x\n", b.memory_total >> 20,
        b.memory[0].base);
  print("  timer:        %" PETREL_PRI64 "u Hz, virtual timer interrupt %u\n",
        petrel::arch::timer_frequency(), b.timer_virt_irq);
  print("  console:      %s\n", petrel::console_output_name());
  print("  hypervisor:   %s\n",
        b.has_hypervisor ? "/hypervisor node present" : "no /hypervisor node");
  print("  bootargs:     \"%s\"\n", b.bootargs);

  // Five 1 ms sleeps, each ended by the virtual timer's interrupt.
  const uint64_t before = petrel::timer_interrupt_count();
  const uint64_t start = petrel::now_ns();
  for (int i = 0; i < 5; ++i) petrel::sleep_ns(1'000'000);
  const uint64_t elapsed = petrel::now_ns() - start;
  const uint64_t taken = petrel::timer_interrupt_count() - before;
  print("  timer check:  %" PETREL_PRI64 "u interrupts in %" PETREL_PRI64
        "u us (5 sleeps of 1000 us)\n",
        taken, elapsed / 1000);
  // Each sleep normally ends with one timer interrupt; on a loaded host (no
  // icount) a sleep can find its deadline already passed and take none, so
  // only "none at all" (or sleeping too short) is a failure.
  if (taken == 0 || elapsed < 5'000'000) {
    print("hello: the timer did not behave\n");
    return 1;
  }
  print("hello: done\n");
  return 0;
}
