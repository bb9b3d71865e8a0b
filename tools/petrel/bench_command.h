// `petrel bench`: the in-guest benchmarks under --icount on both
// architectures, side by side in bench/RESULTS.md (bench/README.md says what
// each measures); --rt the real-time latency matrix, --rt --loaded a 1 kHz
// task beside a loaded Linux dom0, --ipc static channels between two guests,
// each into its own section of bench/RESULTS.md.
#pragma once

#include <string>
#include <vector>

#include "setup.h"

namespace petrel::tool {

int cmd_bench(const Paths& paths, const std::vector<std::string>& args);

}  // namespace petrel::tool
