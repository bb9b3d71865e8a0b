// Reading Xen's serial console: which lines are a guest's output, and the
// exit marker every Petrel guest prints last (kernel/include/petrel/exit.h).
//
// Xen prints a dom0less guest's output in one of two forms:
//   "(d1) text"          HYPERVISOR_console_io
//   "(XEN) DOM1: text"   the vpl011 UART
// Everything else (Xen's own "(XEN) ..." lines) is Xen's.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The guests' texts (prefixes removed) of a dom0less run's serial lines, in
// order.
std::vector<std::string> guest_texts(const std::vector<std::string>& serial);

// Parses "@petrel-exit reason=poweroff|crash code=N" (the whole guest text).
std::optional<ExitMarker> parse_exit_marker(std::string_view text);

// True for the lines with which Xen reports its own panic.
bool is_xen_panic(std::string_view line);

// A serial line of a run with a Linux dom0 (`petrel run --dom0`; the lines
// dom0's /init prints are described in dom0_config.h):
//   "[d1] text"      kGuest: domain 1's console, streamed by dom0 (text: "text")
//   "(d1) text"      kGuest: HYPERVISOR_console_io, as in dom0less runs
//   "[dom0] text"    kDom0: dom0's /init or the dom0 script (text: "text")
//   "[   1.234] x"   kDom0Kernel: a message of dom0's Linux kernel
//   "(XEN) ..."      kXen
//   anything else    kOther (dom0 output that bypassed the prefixes)
struct Dom0ConsoleLine {
  enum class Kind { kGuest, kDom0, kDom0Kernel, kXen, kOther } kind;
  int domain;             // kGuest: the domain ID
  std::string_view text;  // kGuest, kDom0: without the prefix; otherwise the whole line
};

Dom0ConsoleLine classify_dom0_line(std::string_view line);

// The texts of a dom0 run's serial lines whose kind is one of `kinds`, in
// order.
std::vector<std::string> dom0_texts(const std::vector<std::string>& serial,
                                    std::initializer_list<Dom0ConsoleLine::Kind> kinds);

// An event of dom0's /init: "@petrel-dom0 NAME key=value key=value" (the
// text of a kDom0 line).
struct Dom0Event {
  std::string name;                           // "created", "domain-gone", ...
  std::map<std::string, std::string> fields;  // {"domid": "1"}
};

std::optional<Dom0Event> parse_dom0_event(std::string_view text);

// True for the line with which dom0's Linux reports a panic.
bool is_linux_panic(std::string_view line);

}  // namespace petrel::tool
