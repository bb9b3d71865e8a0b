// What every Petrel guest application can ask of the platform it runs on.
#pragma once

#include "petrel/board.h"

namespace petrel {

// The board as the device tree described it at boot.
const BoardInfo& board();
// Guest-physical address of the device tree Xen passed at entry.
uintptr_t device_tree_address();
// The timer counter's value at the guest's first instruction.
uint64_t entry_counter();

}  // namespace petrel
