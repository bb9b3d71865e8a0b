// `petrel soak`'s reading of the soak guest (tests/guest/soak): the length
// given on the command line, the guest's "soak: summary key=value ..."
// lines, the checks they must pass, and the figures printed from them.
// Pure code, unit-tested (tests/unit/soak_report_test.cc).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::tool {

// A count of instructions: digits ("1000000"), a decimal exponent ("1e12",
// "2.5e9") or a suffix k, M, G, T (powers of ten: "10G" is 10^10). Nothing
// if the text is none of these, is 0, or does not fit in 64 bits.
std::optional<uint64_t> parse_count(std::string_view text);

struct SoakSummary {
  std::map<std::string, std::string, std::less<>> values;  // of every summary line
  bool passed = false;                                     // the guest printed "soak: PASS"
  std::vector<std::string> failed_checks;                  // its "soak: FAILED: ..." texts

  bool has(std::string_view key) const { return values.find(key) != values.end(); }
  // The value of `key` as a number (0 if absent or not a number).
  int64_t number(std::string_view key) const;
};

// Reads the guest's console lines (prefixes removed).
SoakSummary parse_soak_summary(const std::vector<std::string>& guest_lines);

// What did not hold, each in words; empty when the soak passed. `status`:
// the run's exit status.
std::vector<std::string> soak_problems(const SoakSummary& summary, int status);

// The figures, a line each, for the terminal and for docs/reliability.md:
// `length` the instructions asked for, `wall_s` the run's wall time.
std::string soak_figures(const SoakSummary& summary, uint64_t length, double wall_s);

}  // namespace petrel::tool
