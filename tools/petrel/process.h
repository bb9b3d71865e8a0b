// Running other programs from the host tool.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace petrel::tool {

// Runs argv with inherited stdio (quiet: stdout and stderr to /dev/null) in
// `cwd` (empty: ours). Returns the exit status, 128+signal, or 127 when the
// program could not be started.
int run(const std::vector<std::string>& argv, bool quiet = false, const std::string& cwd = "");

// Like run(), with stdout and stderr appended to `log`.
int run_logged(const std::vector<std::string>& argv, const std::string& log,
               const std::string& cwd = "");

// Runs argv and returns its standard output (stderr inherited), or nothing
// if it failed.
std::optional<std::string> capture(const std::vector<std::string>& argv);

// Full path of `name` in $PATH, if it is there and executable.
std::optional<std::string> find_program(const std::string& name);

std::string join(const std::vector<std::string>& argv);

}  // namespace petrel::tool
