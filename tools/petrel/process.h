// Running other programs from the host tool.
#pragma once

#include <sys/types.h>

#include <chrono>
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

// Starts argv with stdin from /dev/null and stdout and stderr into a pipe;
// with `own_process_group`, in a process group of its own (signals from the
// terminal, such as Ctrl-C, do not reach it), killed when we end.
std::optional<Child> spawn_reading(const std::vector<std::string>& argv,
                                   bool own_process_group = false);

using SteadyTime = std::chrono::steady_clock::time_point;

// Follows a child's output until `done()` (asked after every batch of
// output, and at least every 100 ms) says enough, the output ends (the
// child exited), `*end_by` passes (when set: `line` may set it, to give the
// child a grace period) or `deadline` passes; hands every line, without its
// newline, to `line` (a last partial one too), flushing stdout after each
// batch. Then kills the child, reaps it and closes its pipe. True when
// `deadline` passed first: a timeout.
bool follow_output(const Child& child, SteadyTime deadline, const std::optional<SteadyTime>* end_by,
                   const std::function<bool()>& done, const std::function<void(std::string)>& line);

// Holds an exclusive lock (flock) on the file `path` while it lives, so that
// two petrel processes (parallel tests) do not build one piece of the cache at
// once. If another holds it, says "petrel: waiting for another petrel that is
// building `what`" and waits.
class FileLock {
 public:
  FileLock(const std::filesystem::path& path, const char* what);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

// A fresh directory under $TMPDIR (path empty if it could not be made),
// removed with its contents when the TempDir goes.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const char* prefix = "petrel-run");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// Unix stream sockets at `path`: a listening one (backlog 1) and a
// connected one. -1 if the path does not fit or the call fails (nothing is
// left open then).
int listen_unix(const std::filesystem::path& path);
int connect_unix(const std::filesystem::path& path);

}  // namespace petrel::tool
