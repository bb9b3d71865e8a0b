// The one exit-status rule of every command that boots the board: `run`,
// `run --dom0`, and through them bench, debug, trace, soak and the demo.
//
//   0..255  the guests' own. A guest's exit marker gives its code; a crash
//           gives its code, at least 1; with several guests, the first
//           non-zero status in domain order. A code is folded into 0..255
//           so that a failure never reads as success (256 gives 1, -1 255).
//           With a Linux dom0 and no marker, how the domain went away
//           decides (dom0_verdict).
//   124     the timeout passed
//   125     QEMU, Xen or dom0 failed before the guests finished
//   3       a tool, package or image is missing
//   2       a usage error, or an image that is not a guest image
//
// The verdicts here are pure: what a run's console showed in, a status and
// what to tell the user out. The console session (console_session.h)
// applies the failures of the board itself (Xen's panic, the timeout, QEMU
// ending early) around them, in one order for every kind of run.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "console_parse.h"

namespace petrel::tool {

inline constexpr int kExitTimeout = 124;
inline constexpr int kExitBootFailure = 125;  // QEMU, Xen or dom0 failed before the guests finished
inline constexpr int kExitSetup = 3;          // a missing tool or package
inline constexpr int kExitUsage = 2;          // a usage error, or a broken image (image_check.h)
// Not a status: the run was ended on purpose before the guests finished
// (BoardOptions::stop_early, `petrel debug` when gdb ends first).
inline constexpr int kExitStopped = -1;

// Prints "petrel: MSG" and a pointer to `petrel help` on stderr; returns
// kExitUsage.
int usage_error(const std::string& msg);

// `code` folded into 0..255, never 0 unless it is 0.
int fold_status(int code);

// A finished run's status, and what the user is told about it: each reason
// is printed as "petrel: REASON" on stderr, followed by the console's last
// lines with `show_tail`.
struct Verdict {
  int status = 0;
  std::vector<std::string> reasons;
  bool show_tail = false;
};

// One guest's status from its exit marker, and the reason when it is not 0
// ("guest NAME crashed (code 2)", "guest NAME exited with status 7").
Verdict guest_verdict(const std::string& name, const ExitMarker& marker);

// Dom0less guests: each one's name and exit marker, in domain order;
// nothing until every guest has printed its marker. The status is the first
// non-zero one; every guest that failed is named.
std::optional<Verdict> guests_verdict(
    const std::vector<std::pair<std::string, std::optional<ExitMarker>>>& guests);

// What dom0's /init reported of a `run --dom0` (its "@petrel-dom0" events,
// dom0_config.h), the guest's exit marker as dom0 streamed it, and whether
// dom0's Linux panicked.
struct Dom0Report {
  std::string guest = "the guest";  // its name, for the reasons
  bool ready = false;
  std::optional<int> domid;
  std::optional<int> create_failed;   // xl's exit status
  std::optional<std::string> failed;  // the step that failed
  std::optional<int> script_status;
  std::optional<std::string> gone;  // the reason the domain went away
  bool poweroff = false;
  std::optional<ExitMarker> marker;
  std::string linux_panic;  // the line with which dom0's Linux panicked, or ""

  void take(const Dom0Event& e);
};

// The verdict of a dom0 run, or nothing while it has none yet. dom0 failing
// to start Xen's tools and a failed `xl create` give 125; once the domain
// is gone, the marker gives the status (guest_verdict) and without one the
// reason: poweroff or a destroy from dom0 0, any other 1; a dom0 script that
// failed makes a status of 0 a 1. dom0's Linux panicking gives 125.
std::optional<Verdict> dom0_verdict(const Dom0Report& r);

}  // namespace petrel::tool
