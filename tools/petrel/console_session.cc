#include "console_session.h"

#include <poll.h>
#include <unistd.h>

#include <cstdio>

#include "console_parse.h"
#include "process.h"

namespace fs = std::filesystem;

namespace petrel::tool {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kTailLines = 25;

Clock::time_point after(double seconds) {
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// Reads from the monitor connection `fd` until `prompt` has come (or a
// second passed): QEMU's human monitor answers each line it takes with one.
bool await_prompt(int fd, const char* prompt) {
  std::string seen;
  for (int i = 0; i < 20 && seen.find(prompt) == std::string::npos; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[256];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    seen.append(buf, static_cast<size_t>(n));
  }
  return seen.find(prompt) != std::string::npos;
}

// Presses the board's power button through QEMU's monitor at `socket`:
// waits for the monitor's prompt, sends system_powerdown, and waits for the
// next prompt (the command taken).
bool press_power_button(const fs::path& socket) {
  const int fd = connect_unix(socket);
  if (fd < 0) return false;
  static const char kCommand[] = "system_powerdown\n";
  bool ok = await_prompt(fd, "(qemu)") &&
            write(fd, kCommand, sizeof kCommand - 1) == static_cast<ssize_t>(sizeof kCommand - 1);
  ok = ok && await_prompt(fd, "(qemu)");
  close(fd);
  return ok;
}

}  // namespace

bool dump_board_dtb(const Board& board, const fs::path& out) {
  std::vector<std::string> cmd = {kQemu};
  for (std::string& a : board_args(board, out.string())) cmd.push_back(std::move(a));
  if (run(cmd, true) == 0 && fs::exists(out)) return true;
  std::fprintf(stderr, "petrel: '%s' failed\n", join(cmd).c_str());
  return false;
}

ButtonPress::ButtonPress(std::optional<double> after_s, fs::path socket, bool on_demand)
    : socket_(std::move(socket)), on_demand_(on_demand) {
  if (after_s) due_ = after(*after_s);
}

void ButtonPress::poll() {
  if (!due_ || Clock::now() < *due_) return;
  due_.reset();
  if (press_power_button(socket_))
    std::printf("petrel: pressed the power button (QEMU's system_powerdown)\n");
  else
    std::fprintf(stderr, "petrel: could not reach QEMU's monitor to press the button\n");
}

std::string ButtonPress::monitor_arg() const {
  return due_ || on_demand_ ? "unix:" + socket_.string() + ",server=on,wait=off" : "none";
}

ConsoleSession::ConsoleSession(const BoardOptions& options, const fs::path& scratch,
                               bool press_on_demand)
    : o_(options), button_(options.press_button_after_s, scratch / "monitor", press_on_demand) {}

void ConsoleSession::xen_line(const std::string& line) {
  if (is_xen_panic(line)) xen_panic_ = true;
  const std::string before = seen_.scheduler;
  note_xen_line(line, &seen_);
  if (seen_.scheduler == before) return;
  // Once Xen names its scheduler: which Xen and scheduler run, when the run
  // chose them, and whether it is the one asked for.
  if (o_.xen.build != XenBuild::kDebian || !o_.xen.cmdline.empty())
    std::printf("petrel: Xen %s (%s build), scheduler %s\n", seen_.version.c_str(),
                xen_build_name(o_.xen.build), seen_.scheduler.c_str());
  if (std::string err = scheduler_mismatch(o_.xen, seen_); !err.empty()) {
    std::fprintf(stderr, "petrel: %s\n", err.c_str());
    wrong_xen_ = true;
  }
}

void ConsoleSession::end_within(double seconds) {
  if (!end_by_) end_by_ = after(seconds);
}

void ConsoleSession::run(const std::vector<std::string>& cmd,
                         const std::function<void(const std::string&)>& on_line,
                         const std::function<bool()>& finished) {
  const auto child = spawn_reading(cmd, o_.qemu_own_process_group);
  if (!child) {
    std::perror("petrel: starting QEMU");
    return;
  }
  started_ = true;
  timed_out_ = follow_output(
      *child, after(o_.timeout_s), &end_by_,
      [&] {
        button_.poll();
        stopped_ = stopped_ || (o_.stop_early && o_.stop_early());
        return stopped_ || xen_panic_ || wrong_xen_ || finished();
      },
      [&](std::string line) {
        // dom0's lines pass Linux's tty and Xen's serial driver: "\r\r\n".
        while (!line.empty() && line.back() == '\r') line.pop_back();
        tail_.push_back(line);
        if (tail_.size() > kTailLines) tail_.pop_front();
        if (o_.serial != nullptr) o_.serial->push_back(line);
        if (o_.raw) std::printf("%s\n", line.c_str());
        on_line(line);
      });
}

void ConsoleSession::print_tail() const {
  std::fprintf(stderr, "petrel: last lines of the serial console:\n");
  for (const auto& l : tail_) std::fprintf(stderr, "  | %s\n", l.c_str());
}

int ConsoleSession::status(const std::optional<Verdict>& verdict, const Pending& pending) const {
  if (!started_) return kExitSetup;
  // Asked once more when QEMU ended early: the debugger may have ended it.
  if (!verdict && !timed_out_ && (stopped_ || (o_.stop_early && o_.stop_early())))
    return kExitStopped;
  if (wrong_xen_) return kExitBootFailure;
  if (xen_panic_) {
    std::fprintf(stderr, "petrel: Xen panicked\n");
    print_tail();
    return kExitBootFailure;
  }
  if (verdict) {
    for (const std::string& r : verdict->reasons) std::fprintf(stderr, "petrel: %s\n", r.c_str());
    if (verdict->show_tail) print_tail();
    return verdict->status;
  }
  if (timed_out_) {
    std::fprintf(stderr, "petrel: timeout: %s after %g s; QEMU stopped\n",
                 pending.at_timeout.c_str(), o_.timeout_s);
    print_tail();
    return kExitTimeout;
  }
  std::fprintf(stderr, "petrel: QEMU ended before %s\n", pending.qemu_ended_before.c_str());
  print_tail();
  return kExitBootFailure;
}

}  // namespace petrel::tool
