// `petrel soak`: the soak guest (tests/guest/soak), a seeded pseudo-random
// mixed load over every kernel primitive, run under icount for a number of
// virtual instructions (default 10^12), with its figures and checks read
// back from the console (soak_report.h, docs/reliability.md "Soak").
#pragma once

#include <string>
#include <vector>

#include "setup.h"

namespace petrel::tool {

// Options: --length N (instructions: 1e12, 10G, ...), --seed S, --dom0, and
// those of boot_options.h (--bootargs adds to the guest's: inject=leak or
// inject=late make a check fail, for tests). Exit status: 0 when every check
// held, 1 when one did not (each named), else run's statuses.
int cmd_soak(const Paths& paths, const std::vector<std::string>& args);

}  // namespace petrel::tool
