// `petrel trace APP`: builds APP with the scheduler trace on (the presets
// arm64-trace and arm32-trace, PETREL_TRACE=ON), boots it as `run` does
// under --icount, reads the trace the guest prints at exit
// (trace_events.h) and writes build/trace/APP.json (Perfetto) and
// build/trace/APP.svg (a timeline), then prints each task's CPU share and
// the worst interrupt -> task latency (docs/debugging.md).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "arch.h"
#include "setup.h"

namespace petrel::tool {

// APP's traced image for `arch` (built first when `build` is set); nothing,
// with *status the exit status after saying why, if there is none.
using TraceImageFinder = std::function<std::optional<std::string>(Arch arch, const std::string& app,
                                                                  bool build, int* status)>;

// Options: --arch arm64|arm32, --gic 2|3, --bootargs STR, --timeout S,
// --out DIR (default build/trace), --no-build. Exit status: the guest's
// (0 when it exited 0 and its trace was read and written), 1 when the
// guest printed no trace or a broken one (said why), else run's statuses.
int cmd_trace(const Paths& paths, const std::vector<std::string>& args,
              const TraceImageFinder& find_image);

}  // namespace petrel::tool
