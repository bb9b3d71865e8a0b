// `petrel debug APP`: boots APP as `run` does, stopped at QEMU's first
// instruction with QEMU's gdbstub open, and starts gdb-multiarch on APP's
// .elf, attached, with Petrel's gdb extension (tools/gdb/petrel.py) loaded.
// docs/debugging.md says what Xen's presence changes.
#pragma once

#include <string>
#include <vector>

#include "setup.h"

namespace petrel::tool {

// Options: APP, --batch FILE, and those of boot_options.h. Exit status: the guest's, as `run`'s,
// when it exited; without --batch, 0 when gdb was left first (QEMU is stopped then); with --batch,
// 1 when the batch file failed or ended gdb before the guest exited; run's other statuses (124,
// 125, 3, 2).
int cmd_debug(const Paths& paths, const std::vector<std::string>& args);

}  // namespace petrel::tool
