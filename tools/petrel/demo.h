// `petrel demo` (docs/demo.md): the mixed-criticality demo's results. dom0's
// loggers (tools/dom0/demo_log.h) print "demo-log: SIDE ..." lines for the
// Petrel loop ("petrel") and the Linux loop ("linux"); these pure functions
// read them, check that the run showed what it should, and write the
// comparison table (demo/RESULTS.md) and the plot (SVG).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace petrel::tool {

struct DemoPhase {
  std::string name;  // "quiet" or "load"
  uint64_t periods = 0, misses = 0;
  uint64_t p50_ns = 0, p99_ns = 0, max_ns = 0;
  double rms_error = 0;  // rad/s
};

struct DemoEstop {
  uint64_t t_ms = 0;       // the first period with the drive cut
  double speed = 0;        // rad/s then
  double final_speed = 0;  // rad/s at the last record
  uint64_t final_t_ms = 0;
};

struct DemoPoint {
  uint64_t t_ms = 0;
  std::string phase;  // "quiet", "load", "stopped"
  uint64_t max_late_us = 0;
  double setpoint = 0, speed = 0;
};

struct DemoSide {
  uint64_t records = 0, lost = 0, corrupt_bytes = 0, trailing = 0;
  bool ended = false;
  std::vector<DemoPhase> phases;
  std::optional<DemoEstop> estop;
  std::vector<DemoPoint> series;
};

// One side's report among dom0's lines (console text, "[dom0] " removed).
// Nothing, with *error saying why, if its stream line is missing or any of
// its lines is malformed.
std::optional<DemoSide> parse_demo_side(const std::vector<std::string>& dom0,
                                        const std::string& side, std::string* error);

// The guest's own timing of the emergency stop, from the button's
// interrupt entering Petrel: to the stop task running, and to the first
// period with the drive cut.
struct DemoStopTiming {
  uint64_t to_task_ns = 0, to_cut_ns = 0;
};

// The timing among the guest's lines (console text), if it printed it.
std::optional<DemoStopTiming> parse_stop_timing(const std::vector<std::string>& guest);

struct DemoRun {
  std::string label;            // the Xen configuration
  DemoSide petrel, linux_loop;  // the guest's loop and dom0's process
  std::optional<DemoStopTiming> stop_timing;
};

// What the run failed to show, one sentence each (empty: all shown): both
// telemetry streams intact and ended, both phases measured on both sides,
// and Petrel's emergency stop seen and the motor stopped (below 1 rad/s
// within the second after it).
std::vector<std::string> demo_problems(const DemoRun& run);

// The Markdown table of every run: per configuration, loop and phase the
// periods, deadline misses, lateness p50/p99/max and the control error.
std::string demo_table(const std::vector<DemoRun>& runs);

// One Markdown bullet per run: when the emergency stop reached the loop,
// the speed then and a second later, and what arrived of the telemetry.
std::string demo_stops(const std::vector<DemoRun>& runs);

// The plot: per run, the lateness (log scale) and the speed against the
// set-point over time, Petrel and Linux.
std::string demo_svg(const std::vector<DemoRun>& runs, const std::string& title);

}  // namespace petrel::tool
