// `petrel fuzz [TARGET] [--time S]`: long fuzzing campaigns of the parser
// fuzz targets (tests/fuzz, docs/reliability.md), one target at a time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "setup.h"

namespace petrel::tool {

// Runs each fuzz target of build/fuzz (or TARGET alone) for S seconds
// (default 60) with a persistent corpus in build/fuzz/campaign/NAME, the
// committed seeds and regression inputs read beside it, and prints per
// target the executions, libFuzzer's coverage (cov, ft) and any crash (its
// input saved under build/fuzz/campaign/crashes). `build` configures and
// builds the fuzz preset first. Exit status: 0, 1 when a target crashed,
// 2 on a usage error.
int cmd_fuzz(const Paths& paths, const std::vector<std::string>& args,
             const std::function<bool()>& build);

}  // namespace petrel::tool
