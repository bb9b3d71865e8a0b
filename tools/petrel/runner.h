// `petrel run`: boots Xen on QEMU's virt board with one or more dom0less
// guests, streams their consoles and turns their exit markers into an exit
// status.
#pragma once

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dom0_image.h"
#include "setup.h"
#include "xen_options.h"

namespace petrel::tool {

struct RunOptions {
  std::vector<std::string> images;  // guest .bin paths, in domain order (d1, d2, ...)
  int gic = 3;
  unsigned memory_mib = 64;  // per guest
  bool icount = false;
  double timeout_s = 30;
  bool raw = false;                            // print Xen's serial output untouched
  bool vpl011 = false;                         // give guests Xen's vpl011 UART
  XenOptions xen;                              // which Xen, its extra command line, the pCPUs
  std::string bootargs;                        // /chosen/bootargs of every guest
  std::vector<std::string>* serial = nullptr;  // if set: every serial line, as received
  // Guest lines that start with this are kept in *serial but not printed
  // ("": every line is printed): the trace's lines (petrel trace).
  std::string quiet_prefix;
  // Board devices given to the first guest (passthrough.h), by name.
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

// Xen's command line for every run.
extern const char* const kXenBootargs;

// Exit statuses of `petrel run`, besides the guest's own code.
inline constexpr int kExitTimeout = 124;
inline constexpr int kExitBootFailure = 125;  // QEMU or Xen failed before the guests finished
inline constexpr int kExitSetup = 3;          // a missing tool or package
inline constexpr int kExitUsage = 2;          // a usage error, or a broken image (image_check.h)

// Prints "petrel: MSG" and a pointer to `petrel help` on stderr; returns
// kExitUsage.
int usage_error(const std::string& msg);
inline constexpr int kExitStopped = -1;  // RunOptions::stop_early ended the run (not a status)

int run_guests(const Paths& paths, const RunOptions& options);

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

// `petrel run --dom0`: Xen with a Linux dom0 (dom0_image.h) that creates the
// guest with `xl create` (dom0_config.h has what dom0 does).
struct Dom0RunOptions {
  std::string image;      // the guest's .bin
  std::string xl_config;  // the app's xl configuration (apps/NAME.cfg), "" if none
  int gic = 3;
  std::optional<unsigned> memory_mib;  // overrides the configuration's memory=
  std::string bootargs;                // the guest's command line (xl's extra=)
  std::string script;                  // a dom0 script to run after `xl create`, or ""
  std::vector<std::string> files;      // more files for dom0's /petrel (tools the script runs)
  double timeout_s = 60;
  bool raw = false;
  XenOptions xen;                              // which Xen, its extra command line, the pCPUs
  std::vector<std::string>* serial = nullptr;  // if set: every serial line, as received
  std::vector<std::string> passthrough;        // board devices for the guest (iomem=, irqs=)
  std::optional<double> press_button_after_s;  // as RunOptions'
  // A line dom0 prints ("[dom0] " and this text) on which to press it.
  std::string press_button_on;
};

// Xen's and dom0's command lines for --dom0 runs.
extern const char* const kXenDom0Bootargs;
extern const char* const kDom0Bootargs;

int run_dom0(const Paths& paths, const Dom0Image& dom0, const Dom0RunOptions& options);

// The pCPUs of a dom0less run and of a dom0 run when --cpus is not given.
inline constexpr unsigned kDefaultCpus = 1;
inline constexpr unsigned kDefaultDom0Cpus = 2;

// Xen's command line: `base` with the run's extra words.
std::string xen_command_line(const char* base, const XenOptions& xen);

// Follows Xen's own lines for XenSeen; once Xen names its scheduler, tells the
// user which Xen and scheduler run (when the run chose them) and checks it is
// the one asked for. take() returns false, after saying why, on a mismatch.
class XenWatch {
 public:
  explicit XenWatch(const XenOptions& xen) : xen_(xen) {}
  bool take(const std::string& xen_line);

 private:
  const XenOptions& xen_;
  XenSeen seen_;
};

// Prints the last serial lines after a failure.
void print_tail(const std::deque<std::string>& tail);

}  // namespace petrel::tool
