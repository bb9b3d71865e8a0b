// `petrel bench --rt`: the real-time latency matrix. The rt-bench guest
// (bench/rt_bench.cc) prints one table per boot:
//
//   | case | load | samples | min ns | avg ns | p99 ns | max ns |
//   | timer wake-up lateness | idle |  1000 | 1440 | 1440 | 1440 | 1440 |
//
// and the tool boots it once per Xen configuration (scheduler, and whether
// Xen traps the guest's WFI or leaves it native) on each architecture. These
// pure functions name the configurations and join the tables into the
// matrix that bench/RESULTS.md and docs/realtime.md keep.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::tool {

struct RtConfig {
  std::string scheduler;     // Xen's sched= name
  bool vwfi_native = false;  // vwfi=native: Xen does not trap the guest's WFI
};

// The matrix's configurations, in its order: credit2, null, rtds, each with
// WFI trapped (Xen's default) and native. ARINC653 is not among them: its
// schedule cannot be set in these systems (xen_options.cc says why).
const std::vector<RtConfig>& rt_configs();

// Xen's extra command line for `c`: "sched=null vwfi=native".
std::string rt_cmdline(const RtConfig& c);

struct RtRun {
  RtConfig config;
  std::string table;  // the guest's lines between "bench: begin" and "bench: end"
};

struct RtMatrix {
  // | scheduler | WFI | case | load | samples | min | avg | p99 | max |
  std::string markdown;
  size_t rows = 0;
  size_t malformed = 0;  // lines that were not a 7-cell row with numbers (header lines aside)
};

RtMatrix rt_matrix(const std::vector<RtRun>& runs);

// `file` with the section that starts at the line `heading` (a "## ..."
// line) replaced by `heading` + `body`; the section ends at the next "## "
// line or the end. Appended (after a blank line) when `file` has no such
// heading.
std::string with_section(std::string_view file, std::string_view heading, std::string_view body);

// The body of that section (the lines after `heading`, up to the next "## "
// line or the end), or nothing if `file` has no such heading.
std::optional<std::string> section_body(std::string_view file, std::string_view heading);

}  // namespace petrel::tool
