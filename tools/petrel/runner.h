// `petrel run`: boots Xen on QEMU's virt board with one or more dom0less
// guests, streams their consoles and turns their exit markers into an exit
// status.
#pragma once

#include <string>
#include <vector>

#include "setup.h"

namespace petrel::tool {

struct RunOptions {
  std::vector<std::string> images;  // guest .bin paths, in domain order (d1, d2, ...)
  int gic = 3;
  unsigned memory_mib = 64;  // per guest
  bool icount = false;
  double timeout_s = 30;
  bool raw = false;      // print Xen's serial output untouched
  bool vpl011 = false;   // give guests Xen's vpl011 UART
  std::string bootargs;  // /chosen/bootargs of every guest
  std::vector<std::string>* serial = nullptr;  // if set: every serial line, as received
};

// Xen's command line for every run.
extern const char* const kXenBootargs;

// Exit statuses of `petrel run`, besides the guest's own code.
inline constexpr int kExitTimeout = 124;
inline constexpr int kExitBootFailure = 125;  // QEMU or Xen failed before the guests finished
inline constexpr int kExitSetup = 3;          // a missing tool or package

int run_guests(const Paths& paths, const RunOptions& options);

}  // namespace petrel::tool
