#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace petrel::tool {
namespace {

std::vector<char*> to_argv(const std::vector<std::string>& args) {
  std::vector<char*> v;
  for (const auto& a : args) v.push_back(const_cast<char*>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

// waitpid, retried only when a signal interrupted it.
bool wait_for(pid_t pid, int* status) {
  for (;;) {
    if (waitpid(pid, status, 0) == pid) return true;
    if (errno != EINTR) return false;
  }
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 127;
}

int spawn_and_wait(const std::vector<std::string>& argv, const char* output,
                   const std::string& cwd) {
  auto args = to_argv(argv);
  pid_t pid = fork();
  if (pid < 0) return 127;
  if (pid == 0) {
    if (output != nullptr) {
      int fd = open(output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
    }
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  if (!wait_for(pid, &status)) return 127;
  return decode_status(status);
}

}  // namespace

int run(const std::vector<std::string>& argv, bool quiet, const std::string& cwd) {
  return spawn_and_wait(argv, quiet ? "/dev/null" : nullptr, cwd);
}

int run_logged(const std::vector<std::string>& argv, const std::string& log,
               const std::string& cwd) {
  return spawn_and_wait(argv, log.c_str(), cwd);
}

std::optional<std::string> capture(const std::vector<std::string>& argv, bool quiet) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  auto args = to_argv(argv);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return std::nullopt;
  }
  if (pid == 0) {
    dup2(fds[1], 1);
    if (quiet) {
      const int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
      if (null >= 0) dup2(null, 2);
    }
    close(fds[0]);
    close(fds[1]);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  if (!wait_for(pid, &status)) return std::nullopt;
  if (decode_status(status) != 0) return std::nullopt;
  return out;
}

std::optional<std::string> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::string p = path;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (!dir.empty()) {
      std::string full = dir;
      full.append("/").append(name);
      struct stat st {};
      if (stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(full.c_str(), X_OK) == 0)
        return full;
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<Child> spawn_reading(const std::vector<std::string>& argv, bool own_process_group) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return std::nullopt;
  auto args = to_argv(argv);
  const pid_t pid = fork();
  if (pid < 0) {
    close(out[0]);
    close(out[1]);
    return std::nullopt;
  }
  if (pid == 0) {
    if (own_process_group) {
      setpgid(0, 0);
      // Out of the terminal's reach, it must still end with us.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
    }
    const int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    dup2(null, 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  return Child{pid, out[0]};
}

TempDir::TempDir(const char* prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / prefix).string() + "-XXXXXX";
  if (mkdtemp(tmpl.data()) != nullptr) path = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path.empty()) std::filesystem::remove_all(path, ec);
}

std::string join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    s += a;
  }
  return s;
}

bool read_lines(int fd, std::string* pending, const std::function<void(std::string)>& line) {
  char buf[4096];
  const ssize_t n = read(fd, buf, sizeof buf);
  if (n <= 0) return false;
  pending->append(buf, static_cast<size_t>(n));
  size_t pos;
  while ((pos = pending->find('\n')) != std::string::npos) {
    line(pending->substr(0, pos));
    pending->erase(0, pos + 1);
  }
  return true;
}

bool follow_output(const Child& child, SteadyTime deadline, const std::optional<SteadyTime>* end_by,
                   const std::function<bool()>& done,
                   const std::function<void(std::string)>& line) {
  std::string pending;
  bool timed_out = false;
  while (!done()) {
    const SteadyTime now = std::chrono::steady_clock::now();
    const std::optional<SteadyTime> grace = end_by != nullptr ? *end_by : std::nullopt;
    if (grace && now >= *grace) break;
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    const SteadyTime until = grace ? std::min(*grace, deadline) : deadline;
    // At most 100 ms, so that done() also sees time pass without output.
    const int wait_ms = std::min(
        100, static_cast<int>(
                 std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count()) +
                 1);
    pollfd pfd{child.out, POLLIN, 0};
    const int r = poll(&pfd, 1, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      std::perror("petrel: poll");
      break;
    }
    if (r == 0) continue;
    if (!read_lines(child.out, &pending, line)) break;  // the child exited
    std::fflush(stdout);
  }
  if (!pending.empty()) line(pending);
  std::fflush(stdout);
  kill(child.pid, SIGKILL);
  int status = 0;
  (void)wait_for(child.pid, &status);
  close(child.out);
  return timed_out;
}

FileLock::FileLock(const std::filesystem::path& path, const char* what) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return;
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    std::fprintf(stderr, "petrel: waiting for another petrel that is building %s\n", what);
    flock(fd_, LOCK_EX);
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);
}

namespace {

// A stream socket and the address of the unix socket at `path`; -1 (and
// nothing left open) if the path does not fit.
int unix_socket(const std::filesystem::path& path, sockaddr_un* a) {
  const std::string p = path.string();
  *a = sockaddr_un{};
  a->sun_family = AF_UNIX;
  if (p.size() >= sizeof a->sun_path) return -1;
  std::copy(p.begin(), p.end(), a->sun_path);
  return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

}  // namespace

int listen_unix(const std::filesystem::path& path) {
  sockaddr_un a;
  const int fd = unix_socket(path, &a);
  if (fd < 0) return -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 1) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int connect_unix(const std::filesystem::path& path) {
  sockaddr_un a;
  const int fd = unix_socket(path, &a);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace petrel::tool
