// One run of the board, followed through its serial console: what `run`
// and `run --dom0` share, and through them bench, debug, trace, soak and the
// demo. The session starts QEMU, reads its console line by line (keeping
// the last lines, and every line for callers that parse them), watches Xen's
// own lines (a panic, the scheduler the run asked for), presses the board's
// button when asked, and ends QEMU when the run's own rule says it is done,
// at the timeout, or after a grace period. status() then turns how the run
// ended and the run's own verdict into the exit status of exit_status.h, in
// one order for every kind of run.
#pragma once

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "exit_status.h"
#include "qemu_machine.h"
#include "xen_options.h"

namespace petrel::tool {

// What every run of the board takes, dom0less or with a Linux dom0.
struct BoardOptions {
  int gic = 3;
  XenOptions xen;  // which Xen, its extra command line, the pCPUs
  double timeout_s = 30;
  bool raw = false;                            // print the serial console untouched
  std::string bootargs;                        // the guests' command line
  std::vector<std::string>* serial = nullptr;  // if set: every serial line, as received
  // Guest lines that start with this are kept in *serial but not printed
  // ("": every line is printed): the trace's lines (petrel trace).
  std::string quiet_prefix;
  // Board devices given to the (first) guest (passthrough.h), by name.
  std::vector<std::string> passthrough;
  // Seconds after QEMU starts to press the board's power button (QEMU's
  // system_powerdown, which raises pin 3 of the PL061 GPIO).
  std::optional<double> press_button_after_s;
  // `petrel debug` (debug.h): more QEMU arguments (the gdbstub, -S), QEMU in
  // a process group of its own (a Ctrl-C at the terminal is the debugger's,
  // not QEMU's), and a question asked as the run goes: when it says true,
  // the run ends at once (QEMU stopped) with kExitStopped.
  std::vector<std::string> qemu_args;
  bool qemu_own_process_group = false;
  std::function<bool()> stop_early;
};

// Writes the device tree of `board` to `out` (QEMU's dumpdtb); false after
// saying which command failed.
bool dump_board_dtb(const Board& board, const std::filesystem::path& out);

// Presses the board's power button (QEMU's system_powerdown) through the
// human monitor listening at the unix socket `socket`, once it is `due`;
// says so. Call it often: it acts once, when the time has come.
class ButtonPress {
 public:
  // `on_demand`: press_now() may be called (the monitor is opened even
  // with no press planned).
  ButtonPress(std::optional<double> after_s, std::filesystem::path socket, bool on_demand = false);
  void poll();
  // Presses at the next poll().
  void press_now() { due_ = std::chrono::steady_clock::now(); }
  // QEMU's -monitor argument: the socket when a press is planned.
  std::string monitor_arg() const;

 private:
  std::optional<std::chrono::steady_clock::time_point> due_;
  std::filesystem::path socket_;
  bool on_demand_;
};

class ConsoleSession {
 public:
  // `scratch`: the run's temporary folder (the monitor's socket goes there).
  // `press_on_demand`: press_button_now() may be called.
  ConsoleSession(const BoardOptions& options, const std::filesystem::path& scratch,
                 bool press_on_demand = false);

  // QEMU's -monitor value for this run.
  std::string monitor_arg() const { return button_.monitor_arg(); }

  // For the run's line handler:
  // a line of Xen's own (a panic ends the run; so does a scheduler other
  // than the one asked for);
  void xen_line(const std::string& line);
  // press the button now (at the next poll);
  void press_button_now() { button_.press_now(); }
  // QEMU should exit by itself within `seconds` (dom0 powered off); it is
  // ended then. A later call does not move an earlier end.
  void end_within(double seconds);

  // Starts QEMU with `cmd` and follows its console until `finished()` says
  // the run is over (asked after every batch of output and at least every
  // 100 ms), Xen fails, stop_early says so, the grace period or the timeout
  // passes, or QEMU ends. Each line, its trailing CRs removed, is kept and
  // printed as it is with --raw, then handed to `on_line`.
  void run(const std::vector<std::string>& cmd,
           const std::function<void(const std::string&)>& on_line,
           const std::function<bool()>& finished);

  // How the run ended when it had no verdict yet, for the user: what was
  // still awaited at the timeout ("no exit from the guest") and what QEMU
  // ended before ("every guest exited").
  struct Pending {
    std::string at_timeout;
    std::string qemu_ended_before;
  };

  // The run's exit status, after telling the user why it is not 0: QEMU not
  // started 3; stopped early (with no verdict) kExitStopped; Xen on the wrong
  // scheduler or panicking 125; then the run's own verdict; then the
  // timeout 124; QEMU ending before a verdict 125.
  int status(const std::optional<Verdict>& verdict, const Pending& pending) const;

 private:
  void print_tail() const;

  const BoardOptions& o_;
  ButtonPress button_;
  XenSeen seen_;
  std::deque<std::string> tail_;
  std::optional<std::chrono::steady_clock::time_point> end_by_;
  bool started_ = false;
  bool timed_out_ = false;
  bool stopped_ = false;
  bool xen_panic_ = false;
  bool wrong_xen_ = false;
};

}  // namespace petrel::tool
