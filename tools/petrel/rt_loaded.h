// `petrel bench --rt --loaded`: the rt-loop guest (bench/rt_loop.cc) under a
// loaded Linux dom0 on two pCPUs, without icount. These pure functions read
// what the guest printed, and write the comparison table and the histogram
// plot (SVG) that bench/RESULTS.md and docs/realtime.md show.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace petrel::tool {

struct LoopResult {
  uint64_t periods = 0;
  uint64_t period_us = 0;
  uint64_t p50_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
  uint64_t misses = 0;  // periods late by a whole period or more
  struct Bucket {
    uint64_t lo_us = 0, hi_us = 0;  // [lo, hi) in us; hi 0: open
    uint64_t count = 0;
  };
  std::vector<Bucket> hist;
};

// The result in the guest's lines (console text, prefixes removed). Nothing,
// with *error saying why, when a line is missing or malformed, or the
// histogram does not add up to the periods (output lost on the way).
std::optional<LoopResult> parse_loop_result(const std::vector<std::string>& guest,
                                            std::string* error);

struct LoadedRun {
  std::string label;  // "null, vwfi=native, a pCPU of its own"
  LoopResult result;
};

// | configuration | periods | p50 | p99 | p99.9 | max | misses |, in us.
std::string loaded_table(const std::vector<LoadedRun>& runs);

// A histogram plot: one group of bars per lateness bucket, one bar per run,
// counts on a log scale; a self-contained SVG document.
std::string loaded_svg(const std::vector<LoadedRun>& runs, const std::string& title);

}  // namespace petrel::tool
