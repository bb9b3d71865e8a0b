// Reading Xen's serial console: which lines are a guest's output, and the
// exit marker every Petrel guest prints last (kernel/include/petrel/exit.h).
//
// Xen prints a dom0less guest's output in one of two forms:
//   "(d1) text"          HYPERVISOR_console_io
//   "(XEN) DOM1: text"   the vpl011 UART
// Everything else (Xen's own "(XEN) ..." lines) is Xen's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace petrel::tool {

struct ConsoleLine {
  enum class Kind { kXen, kGuest } kind;
  int domain;             // guest lines: the domain ID
  std::string_view text;  // guest lines: the guest's text; Xen lines: the whole line
};

ConsoleLine classify_line(std::string_view line);

struct ExitMarker {
  enum class Reason { kPoweroff, kCrash } reason;
  int code;
};

// Parses "@petrel-exit reason=poweroff|crash code=N" (the whole guest text).
std::optional<ExitMarker> parse_exit_marker(std::string_view text);

// True for the lines with which Xen reports its own panic.
bool is_xen_panic(std::string_view line);

}  // namespace petrel::tool
