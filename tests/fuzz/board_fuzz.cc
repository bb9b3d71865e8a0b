// Fuzz target: the board description a guest reads from its device tree
// (lib/src/board.cc). The blob is copied into an exactly sized, 4-byte
// aligned heap buffer, as the boot hands it over; the one-pass
// parse_board(blob, size) that the boot uses must give what open() followed
// by the lookup-based parse_board(fdt) gives: the same error, or the same
// BoardInfo.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fuzz_check.h"
#include "petrel/board.h"
#include "petrel/fdt.h"

using petrel::BoardInfo;
using petrel::Fdt;
using petrel::fuzz::expect;

namespace {

bool same_range(const petrel::MemRange& a, const petrel::MemRange& b) {
  return a.base == b.base && a.size == b.size;
}

bool same(const BoardInfo& a, const BoardInfo& b) {
  if (a.memory_count != b.memory_count || a.memory_total != b.memory_total) return false;
  for (size_t i = 0; i < a.memory_count; ++i)
    if (!same_range(a.memory[i], b.memory[i])) return false;
  return a.gic_version == b.gic_version && same_range(a.gicd, b.gicd) &&
         same_range(a.gicc, b.gicc) && same_range(a.gicr, b.gicr) &&
         a.timer_virt_irq == b.timer_virt_irq && a.timer_phys_irq == b.timer_phys_irq &&
         a.timer_frequency == b.timer_frequency && std::strcmp(a.bootargs, b.bootargs) == 0 &&
         a.has_vpl011 == b.has_vpl011 && same_range(a.vpl011, b.vpl011) &&
         a.vpl011_irq == b.vpl011_irq && a.has_hypervisor == b.has_hypervisor &&
         same_range(a.grant_table, b.grant_table) && a.evtchn_irq == b.evtchn_irq;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  petrel::fuzz::ExactCopy copy(data, size);
  const uint8_t* blob = copy.bytes.get();
  auto one_pass = petrel::parse_board(blob, size);
  if (one_pass) {
    expect(one_pass->memory_count >= 1 && one_pass->memory_count <= BoardInfo::kMaxMemoryRanges,
           "memory ranges within 1..kMaxMemoryRanges");
    expect(one_pass->gic_version != petrel::GicVersion::kNone, "a GIC");
    const auto* args = reinterpret_cast<const uint8_t*>(one_pass->bootargs);
    expect(*one_pass->bootargs == '\0' || (args >= blob && args < blob + size),
           "bootargs inside the blob");
  }
  auto fdt = Fdt::open(blob, size);
  if (!fdt) {
    expect(!one_pass && one_pass.error().code == fdt.error().code &&
               std::strcmp(one_pass.error().message, fdt.error().message) == 0,
           "parse_board(blob) fails as open() does");
    return 0;
  }
  auto looked_up = petrel::parse_board(*fdt);
  expect(one_pass.ok() == looked_up.ok(), "both parse_board()s agree on success");
  if (one_pass) {
    expect(same(*one_pass, *looked_up), "both parse_board()s give the same board");
  } else {
    expect(one_pass.error().code == looked_up.error().code &&
               std::strcmp(one_pass.error().message, looked_up.error().message) == 0,
           "both parse_board()s give the same error");
  }
  return 0;
}
