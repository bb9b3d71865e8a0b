#pragma once

#include <string>
#include <vector>

#include "setup.h"

namespace petrel::tool {

// `demo`: motor-control (examples/demo) started by xl create from a Linux
// dom0 that runs the same loop as a process (tools/dom0/demo-loop.cc), two
// loggers and, half-way, a CPU, memory and I/O load (demo/dom0-demo.sh); the
// PL061 button pressed at the end as the emergency stop. Under null with
// vwfi=native (dom0 pinned to pCPU 0, the guest alone on pCPU 1), then under
// credit2 with dom0's two vCPUs and the guest sharing both pCPUs. No icount:
// real time on TCG. The full run writes demo/RESULTS.md and demo/demo.svg,
// --quick (3 s per phase) build/demo/.
int cmd_demo(const Paths& paths, const std::vector<std::string>& args);

}  // namespace petrel::tool
