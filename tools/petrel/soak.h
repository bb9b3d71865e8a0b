// `petrel soak`: the soak guest (tests/guest/soak), a seeded pseudo-random
// mixed load over every kernel primitive, run under icount for a number of
// virtual instructions (default 10^12), with its figures and checks read
// back from the console (soak_report.h, docs/reliability.md "Soak").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "arch.h"
#include "setup.h"

namespace petrel::tool {

// The soak guest's image for `arch`, built first when `build` is set;
// nothing (with *status the exit status, after saying why) if there is none.
using SoakImageFinder =
    std::function<std::optional<std::string>(Arch arch, bool build, int* status)>;

// Options: --arch, --gic, --memory, --length N (instructions: 1e12, 10G,
// ...), --seed S, --bootargs STR (more for the guest: inject=leak or
// inject=late make a check fail, for tests), --timeout S, --raw, --no-build,
// --dom0. Exit status: 0 when
// every check held, 1 when one did not (each named), else run's statuses.
int cmd_soak(const Paths& paths, const std::vector<std::string>& args,
             const SoakImageFinder& find_image);

}  // namespace petrel::tool
