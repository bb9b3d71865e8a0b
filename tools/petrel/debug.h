// `petrel debug APP`: boots APP as `run` does, stopped at QEMU's first
// instruction with QEMU's gdbstub open, and starts gdb-multiarch on APP's
// .elf, attached, with Petrel's gdb extension (tools/gdb/petrel.py) loaded.
// docs/debugging.md says what Xen's presence changes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "arch.h"
#include "setup.h"

namespace petrel::tool {

// The guest image (.bin) of `app` for `arch`, built first when `build` is
// set; nothing (with *status the exit status, after saying why) if there is
// none.
using DebugImageFinder = std::function<std::optional<std::string>(Arch arch, const std::string& app,
                                                                  bool build, int* status)>;

// Options: APP, --arch, --batch FILE, --gic, --memory, --bootargs,
// --timeout, --raw, --no-build. Exit status: the guest's, as `run`'s, when it
// exited; without --batch, 0 when gdb was left first (QEMU is stopped then);
// with --batch, 1 when the batch file failed or ended gdb before the guest
// exited; run's other statuses (124, 125, 3, 2).
int cmd_debug(const Paths& paths, const std::vector<std::string>& args,
              const DebugImageFinder& find_image);

}  // namespace petrel::tool
