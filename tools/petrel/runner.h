// The two ways `petrel` boots the board, on one machine (qemu_machine.h) and
// one console session (console_session.h) with one exit-status rule
// (exit_status.h): dom0less guests (`petrel run`) and a guest that a Linux
// dom0 creates with `xl create` (`petrel run --dom0`). bench, debug, trace,
// soak and the demo run through these two.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "console_session.h"
#include "dom0_image.h"
#include "exit_status.h"
#include "setup.h"

namespace petrel::tool {

// `petrel run`: Xen boots the guests itself from the device tree.
struct RunOptions : BoardOptions {
  std::vector<std::string> images;  // guest .bin paths, in domain order (d1, d2, ...)
  unsigned memory_mib = 64;         // per guest
  bool icount = false;
  bool vpl011 = false;  // give guests Xen's vpl011 UART
};

// `petrel run --dom0`: Xen with a Linux dom0 (dom0_image.h) that creates the
// guest with `xl create` (dom0_config.h has what dom0 does).
struct Dom0RunOptions : BoardOptions {
  Dom0RunOptions() { timeout_s = 60; }
  std::string image;                   // the guest's .bin
  std::string xl_config;               // the app's xl configuration (apps/NAME.cfg), "" if none
  std::optional<unsigned> memory_mib;  // overrides the configuration's memory=
  std::string script;                  // a dom0 script to run after `xl create`, or ""
  std::vector<std::string> files;      // more files for dom0's /petrel (tools the script runs)
  // A line dom0 prints ("[dom0] " and this text) on which to press the
  // board's button.
  std::string press_button_on;
};

// Xen's command line for dom0less runs; Xen's and dom0's for --dom0 runs.
extern const char* const kXenBootargs;
extern const char* const kXenDom0Bootargs;
extern const char* const kDom0Bootargs;

// The pCPUs of a dom0less run and of a dom0 run when --cpus is not given.
inline constexpr unsigned kDefaultCpus = 1;
inline constexpr unsigned kDefaultDom0Cpus = 2;

// Xen's command line: `base` with the run's extra words.
std::string xen_command_line(const char* base, const XenOptions& xen);

// A dom0 run of `image` with its app's xl configuration (apps/NAME.cfg,
// written beside NAME.bin by petrel_add_xl_config), when it has one.
Dom0RunOptions dom0_run_of(const std::string& image);

int run_guests(const Paths& paths, const RunOptions& options);
int run_dom0(const Paths& paths, const Dom0Image& dom0, const Dom0RunOptions& options);

}  // namespace petrel::tool
