// `petrel debug`: a run with QEMU's gdbstub, and gdb-multiarch beside it.
//
// QEMU starts stopped (-S) with its gdbstub on a unix socket in the run's
// scratch folder; gdb is started on APP.elf with a session script that loads
// tools/gdb/petrel.py, connects (directly on AArch64; through the register
// proxy of gdb_proxy.h on AArch32) and, with --batch, runs the batch file.
// The tool follows the console as `run` does while gdb has the terminal;
// the run ends when the guest exits (QEMU is then ended and gdb sees the
// connection close) or when gdb ends first (QEMU is ended too).
#include "debug.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "boot_options.h"
#include "builds.h"
#include "files.h"
#include "gdb_proxy.h"
#include "process.h"
#include "runner.h"

namespace fs = std::filesystem;

namespace petrel::tool {
namespace {

struct DebugOptions {
  BootOptions boot;
  std::string app;
  std::string batch;  // a gdb command file, or "" for an interactive session
};

int usage(const std::string& msg) {
  return usage_error("debug: " + msg);
}

// nullopt: parsed; otherwise the exit status of a usage error.
std::optional<int> parse_options(const std::vector<std::string>& args, DebugOptions* o) {
  const auto status =
      parse_command_line(args, &o->boot, "debug", [&](size_t* i) -> std::optional<int> {
        const std::string& a = args[*i];
        if (a == "--batch") {
          if (*i + 1 >= args.size()) return usage("--batch takes a file of gdb commands");
          const std::string& v = args[++*i];
          if (!fs::is_regular_file(v)) return usage("--batch: no file " + v);
          o->batch = fs::absolute(v).string();
        } else if (a.starts_with("-")) {
          return usage("unknown option " + a);
        } else if (o->app.empty()) {
          o->app = a;
        } else {
          return usage("debug takes one APP");
        }
        return std::nullopt;
      });
  if (status) return status;
  if (o->app.empty()) return usage("which APP? (petrel debug APP)");
  return std::nullopt;
}

// A quoted string for gdb's Python: backslashes and quotes escaped.
std::string py_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

// gdb's session script: Petrel's extension, the connection, the batch file.
std::string session_script(const Paths& paths, const DebugOptions& o, const fs::path& socket) {
  std::string s =
      "set confirm off\n"
      "source " +
      (paths.root / "tools" / "gdb" / "petrel.py").string() +
      "\n"
      "python petrel_connect(" +
      py_string(socket.string()) + ")\n";
  if (!o.batch.empty())
    s += "set pagination off\npython petrel_batch(" + py_string(o.batch) + ")\n";
  return s;
}

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// The AArch32 register proxy (gdb_proxy.h): gdb connects to `listen_path`,
// the proxy to QEMU's stub at `qemu_path`. Runs until `stop` or either side
// closes. Acknowledgements are answered here on both sides, so packets the
// proxy answers itself need none from QEMU.
class Arm32Proxy {
 public:
  Arm32Proxy(const fs::path& listen_path, fs::path qemu_path)
      : qemu_path_(std::move(qemu_path)), listener_(listen_unix(listen_path)) {}
  ~Arm32Proxy() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listener_ >= 0) close(listener_);
  }
  Arm32Proxy(const Arm32Proxy&) = delete;
  Arm32Proxy& operator=(const Arm32Proxy&) = delete;

  bool start() {
    if (listener_ < 0) return false;
    thread_ = std::thread([this] { serve(); });
    return true;
  }

 private:
  // Waits (polling `stop_`) until `fd` is readable; false on stop or error.
  bool wait_readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      const int r = poll(&p, 1, 100);
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) return false;
    }
    return false;
  }

  // Reads what `fd` has into `stream`; false at its end.
  static bool pull(int fd, RspStream* stream) {
    char buf[4096];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    stream->feed(std::string_view(buf, static_cast<size_t>(n)));
    return true;
  }

  // The next packet from QEMU (acknowledged), skipping acks; nothing when
  // QEMU went away.
  std::optional<std::string> qemu_packet() {
    for (;;) {
      while (auto u = from_qemu_.next()) {
        if (u->kind != RspStream::Unit::Kind::kPacket) continue;
        if (!send_all(qemu_, "+")) return std::nullopt;
        return u->payload;
      }
      if (!wait_readable(qemu_) || !pull(qemu_, &from_qemu_)) return std::nullopt;
    }
  }

  // The text of `info registers`, asked through the stub; nothing when
  // QEMU went away.
  std::optional<std::string> monitor_registers() {
    if (!send_all(qemu_, rsp_frame("qRcmd," + hex_encode("info registers")))) return std::nullopt;
    std::string text;
    for (;;) {
      const auto p = qemu_packet();
      if (!p) return std::nullopt;
      if (p->size() > 1 && p->front() == 'O' && *p != "OK") {
        if (const auto t = hex_decode(std::string_view(*p).substr(1))) text += *t;
        continue;
      }
      return text;  // OK or an error: the command's end
    }
  }

  // gdb's packet: answered here, or passed to QEMU.
  bool from_gdb_packet(const std::string& packet) {
    if (!send_all(gdb_, "+")) return false;
    std::optional<std::string> reply;
    if (auto x = arm32_xfer_reply(packet)) {
      reply = std::move(x);
    } else if (packet == "QStartNoAckMode") {
      reply = "";  // the proxy keeps acknowledging
    } else if (packet == "g" || packet.starts_with("p")) {
      const auto text = monitor_registers();
      if (!text) return false;
      const auto m = parse_monitor_registers(*text);
      // A text it cannot read is an error for gdb, not the session's end.
      if (!m)
        reply = "E02";
      else
        reply = packet == "g" ? arm32_g_reply(m->regs) : arm32_p_reply(m->regs, packet);
    } else if (packet.starts_with("G") || packet.starts_with("P")) {
      reply = "E01";  // no register writes: QEMU's stub would write stale AArch64 copies
    }
    if (reply) return send_all(gdb_, rsp_frame(*reply));
    return send_all(qemu_, rsp_frame(packet));
  }

  void serve() {
    if (!wait_readable(listener_)) return;
    gdb_ = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (gdb_ < 0) return;
    // QEMU's socket appears when QEMU has started.
    for (int i = 0; i < 200 && !stop_ && qemu_ < 0; ++i) {
      qemu_ = connect_unix(qemu_path_);
      if (qemu_ < 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    while (!stop_ && qemu_ >= 0) {
      pollfd p[2] = {{gdb_, POLLIN, 0}, {qemu_, POLLIN, 0}};
      const int r = poll(p, 2, 100);
      if (r < 0 && errno != EINTR) break;
      if (r <= 0) continue;
      if ((p[0].revents & (POLLIN | POLLHUP)) != 0) {
        if (!pull(gdb_, &from_gdb_)) break;
        bool ok = true;
        while (auto u = from_gdb_.next()) {
          if (u->kind == RspStream::Unit::Kind::kInterrupt) ok = send_all(qemu_, "\x03");
          if (u->kind == RspStream::Unit::Kind::kPacket) ok = from_gdb_packet(u->payload);
          if (!ok) break;
        }
        if (!ok) break;
      }
      if ((p[1].revents & (POLLIN | POLLHUP)) != 0) {
        if (!pull(qemu_, &from_qemu_)) break;
        bool ok = true;
        while (auto u = from_qemu_.next()) {
          if (u->kind != RspStream::Unit::Kind::kPacket) continue;
          ok = send_all(qemu_, "+") && send_all(gdb_, rsp_frame(u->payload));
          if (!ok) break;
        }
        if (!ok) break;
      }
    }
    if (qemu_ >= 0) close(qemu_);
    close(gdb_);  // gdb sees the connection close
  }

  fs::path qemu_path_;
  int listener_ = -1;
  int gdb_ = -1;
  int qemu_ = -1;
  RspStream from_gdb_;
  RspStream from_qemu_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

pid_t start_gdb(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

int cmd_debug(const Paths& paths, const std::vector<std::string>& args) {
  DebugOptions o;
  if (const auto status = parse_options(args, &o)) return *status;
  const BootOptions& boot = o.boot;
  if (!ensure(paths, boot.build ? Need::kAll : Need::kDebug)) return kExitSetup;
  int status = 0;
  const auto image = built_image(paths, boot.arch, o.app, boot.build, &status);
  if (!image) return status;
  const fs::path elf = fs::path(*image).replace_extension(".elf");
  if (!fs::exists(elf)) {
    std::fprintf(stderr, "petrel: debug: no %s beside %s (gdb needs the image with its symbols)\n",
                 elf.c_str(), image->c_str());
    return kExitSetup;
  }

  TempDir tmp("petrel-debug");
  if (tmp.path.empty()) {
    std::perror("petrel: mkdtemp");
    return kExitSetup;
  }
  const fs::path qemu_socket = tmp.path / "qemu-gdb.sock";
  const fs::path gdb_socket = boot.arch == Arch::kArm32 ? tmp.path / "arm32-gdb.sock" : qemu_socket;
  std::optional<Arm32Proxy> proxy;
  if (boot.arch == Arch::kArm32) {
    proxy.emplace(gdb_socket, qemu_socket);
    if (!proxy->start()) {
      std::fprintf(stderr, "petrel: debug: cannot listen on %s\n", gdb_socket.c_str());
      return kExitSetup;
    }
  }
  const fs::path script = tmp.path / "session.gdb";
  if (!write_file(script, session_script(paths, o, gdb_socket))) {
    std::fprintf(stderr, "petrel: debug: cannot write %s\n", script.c_str());
    return kExitSetup;
  }
  std::vector<std::string> gdb = {"gdb-multiarch", "-q"};
  if (!o.batch.empty()) {
    gdb.emplace_back("-nx");
    gdb.emplace_back("-batch");
  }
  gdb.emplace_back("-x");
  gdb.push_back(script.string());
  gdb.push_back(elf.string());

  RunOptions r;
  r.images = {*image};
  r.gic = boot.gic;
  r.memory_mib = boot.memory_mib.value_or(r.memory_mib);
  r.bootargs = boot.bootargs;
  r.raw = boot.raw;
  // A person at gdb's prompt takes their time; a batch file should not.
  r.timeout_s = boot.timeout_s.value_or(o.batch.empty() ? 24 * 3600.0 : 60.0);
  r.qemu_args = {"-gdb", "unix:" + qemu_socket.string() + ",server=on,wait=off", "-S"};
  r.qemu_own_process_group = true;

  const pid_t gdb_pid = start_gdb(gdb);
  if (gdb_pid < 0) {
    std::perror("petrel: starting gdb-multiarch");
    return kExitSetup;
  }
  // Ctrl-C at the terminal is gdb's (it stops the guest); QEMU has a process
  // group of its own.
  struct sigaction ignore {};
  struct sigaction old_int {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  std::optional<int> gdb_status;
  const auto reap_gdb = [&](int flags) {
    int st = 0;
    if (!gdb_status && waitpid(gdb_pid, &st, flags) == gdb_pid)
      gdb_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return gdb_status.has_value();
  };
  // gdb ended: an interactive session is over; a batch file that failed
  // left the guest stopped. A batch file that succeeded had gdb detach, and
  // the guest runs on to its exit.
  r.stop_early = [&] { return reap_gdb(WNOHANG) && (o.batch.empty() || *gdb_status != 0); };

  const int run_status = run_guests(paths, r);
  proxy.reset();  // an AArch32 session's gdb sees the connection close
  if (o.batch.empty() && !reap_gdb(WNOHANG))
    std::printf("petrel: the run is over (QEMU ended); quit gdb to finish\n");
  if (!o.batch.empty()) {
    // gdb sees the connection close and ends; a run that failed before QEMU
    // started leaves it waiting for the stub, so it gets a few seconds.
    for (int i = 0; i < 50 && !reap_gdb(WNOHANG); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!gdb_status) kill(gdb_pid, SIGTERM);
  }
  reap_gdb(0);
  sigaction(SIGINT, &old_int, nullptr);

  if (run_status != kExitStopped) return run_status;
  if (o.batch.empty()) {
    std::printf("petrel: gdb ended before the guest exited; QEMU stopped\n");
    return 0;
  }
  std::fprintf(stderr,
               "petrel: debug: the batch file %s ended gdb (status %d) before the guest exited; "
               "QEMU stopped\n",
               o.batch.c_str(), *gdb_status);
  return 1;
}

}  // namespace petrel::tool
