// `petrel trace APP`: builds APP with the scheduler trace on (the presets
// arm64-trace and arm32-trace, PETREL_TRACE=ON), boots it as `run` does
// under --icount, reads the trace the guest prints at exit
// (trace_events.h) and writes build/trace/APP.json (Perfetto) and
// build/trace/APP.svg (a timeline), then prints each task's CPU share and
// the worst interrupt -> task latency (docs/debugging.md).
#pragma once

#include <string>
#include <vector>

#include "setup.h"

namespace petrel::tool {

// Options: APP (a name: the traced tree builds it), --out DIR (default
// build/trace), and those of boot_options.h. Exit status: the guest's
// (0 when it exited 0 and its trace was read and written), 1 when the
// guest printed no trace or a broken one (said why), else run's statuses.
int cmd_trace(const Paths& paths, const std::vector<std::string>& args);

}  // namespace petrel::tool
