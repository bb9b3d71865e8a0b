// Running other programs from the host tool.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
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

// Runs argv and returns its standard output (stderr inherited, or thrown
// away with quiet), or nothing if it failed.
std::optional<std::string> capture(const std::vector<std::string>& argv, bool quiet = false);

// Full path of `name` in $PATH, if it is there and executable.
std::optional<std::string> find_program(const std::string& name);

std::string join(const std::vector<std::string>& argv);

// Reads what `fd` has now (call it when poll() says it is readable) and
// hands every complete line, without its newline, to `line`; a partial line
// stays in `pending` for the next call. False at end of file or on an error.
bool read_lines(int fd, std::string* pending, const std::function<void(std::string)>& line);

// A program started with spawn_reading(): its pid, and the read end of the
// pipe its stdout and stderr go to.
struct Child {
  pid_t pid = -1;
  int out = -1;
};

// Starts argv with stdin from /dev/null and stdout and stderr into a pipe.
std::optional<Child> spawn_reading(const std::vector<std::string>& argv);

// A fresh directory under $TMPDIR (path empty if it could not be made),
// removed with its contents when the TempDir goes.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const char* prefix = "petrel-run");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace petrel::tool
