// What a guest learns about its board from the device tree at run time.
//
// parse_board() reads a validated Fdt and fills a BoardInfo. Nothing about
// the board is assumed at build time: memory, the GIC and its registers, the
// timer interrupts, the vpl011 UART and the /hypervisor node all come from
// the blob Xen hands the guest.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/fdt.h"
#include "petrel/result.h"

namespace petrel {

enum class GicVersion : uint8_t { kNone = 0, kV2 = 2, kV3 = 3 };

struct MemRange {
  uint64_t base;
  uint64_t size;
};

struct BoardInfo {
  static constexpr size_t kMaxMemoryRanges = 4;
  MemRange memory[kMaxMemoryRanges];
  size_t memory_count;
  uint64_t memory_total;  // sum of memory[i].size

  GicVersion gic_version;
  MemRange gicd;  // distributor
  MemRange gicc;  // v2: CPU interface (size 0 on v3)
  MemRange gicr;  // v3: redistributors (size 0 on v2)

  // Interrupt IDs as the GIC numbers them (PPI n -> 16 + n, SPI n -> 32 + n).
  uint32_t timer_virt_irq;   // EL1 virtual timer (PPI 11 -> 27 on Xen)
  uint32_t timer_phys_irq;   // EL1 non-secure physical timer
  uint32_t timer_frequency;  // "clock-frequency" of the timer node, 0 if absent

  const char* bootargs;  // /chosen/bootargs, "" when absent; points into the blob

  bool has_vpl011;  // an "arm,sbsa-uart" node (Xen's vpl011)
  MemRange vpl011;
  uint32_t vpl011_irq;

  bool has_hypervisor;   // a /hypervisor node compatible with "xen,xen"
  MemRange grant_table;  // first reg of /hypervisor (size 0 if absent)
  uint32_t evtchn_irq;   // its interrupt (0 if absent)
};

// Fails with a message naming what is missing or malformed. Requires at least
// one memory range and a GIC; everything else is optional.
Result<BoardInfo> parse_board(const Fdt& fdt);
// The same from the blob itself, validated and read in one pass
// (Fdt::open_reading_aligned): what the boot does. The errors are open()'s,
// then parse_board()'s, as if both had run; a blob whose structure block is
// not 4-byte aligned in memory (which no boot protocol hands over) is
// refused.
Result<BoardInfo> parse_board(const void* blob, size_t max_size);

}  // namespace petrel
