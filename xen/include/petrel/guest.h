// What every Petrel guest application can ask of the platform it runs on.
#pragma once

#include "petrel/board.h"

namespace petrel {

// The board as the device tree described it at boot.
const BoardInfo& board();
// Guest-physical address of the device tree Xen passed at entry (mapped
// for the guest's whole life).
uintptr_t device_tree_address();
// Xen limits a guest's device tree to 2 MiB; the parser also checks that
// the blob's own totalsize fits in this window.
inline constexpr size_t kMaxDeviceTreeSize = 2 * 1024 * 1024;
// The timer counter's value at the guest's first instruction.
uint64_t entry_counter();

}  // namespace petrel
