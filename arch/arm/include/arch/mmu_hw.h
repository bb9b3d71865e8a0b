// Turning the MMU on, per architecture (arch/*/mmu_hw.cc); the tables
// themselves are built by the shared arch/arm/mmu.cc.
#pragma once

#include <stdint.h>

namespace petrel::arch {

// Programs the memory attributes (kMairValue), the translation control for
// a kVaBits address space walked from `root` (a level-1 table) with
// inner-shareable write-back walks, invalidates the TLBs and the instruction
// cache, and turns on the MMU and both caches with alignment checks off for
// Normal memory and WXN off (permissions are exactly as mapped).
void mmu_hw_enable(uintptr_t root);

}  // namespace petrel::arch
