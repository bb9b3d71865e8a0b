// Small text helpers the host tool's parsers share: trimming, lines,
// Markdown table cells, numbers, "key value" words. Pure.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::tool {

// `s` without leading and trailing spaces, tabs, CRs and LFs.
std::string_view trim(std::string_view s);

// Calls `f` with every line of `text`, without its newline.
template <typename F>
void for_each_line(std::string_view text, F f) {
  while (!text.empty()) {
    const size_t end = text.find('\n');
    f(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

// The trimmed cells of "| a | b |" (the line trimmed first), or nothing if
// the line is not framed by '|'. The views point into `line`.
std::optional<std::vector<std::string_view>> table_cells(std::string_view line);

// `s` as an unsigned decimal number of at most `max_digits` digits (no sign,
// no spaces); nothing otherwise.
std::optional<uint64_t> decimal(std::string_view s, size_t max_digits = 19);

// Stores `s` as decimal() reads it, or as a finite decimal floating-point
// number with nothing around it, into `*out`; false (and `*out` untouched)
// when it is not one.
bool parse_whole(std::string_view s, uint64_t* out);
bool parse_real(std::string_view s, double* out);

// The space-separated words of `line` after `prefix`, or nothing if it does
// not start with `prefix`.
std::optional<std::vector<std::string>> words_after(std::string_view line, std::string_view prefix);

// One "key value" pair to read: the value into `*whole` (parse_whole()) or
// `*real` (parse_real()).
struct KeyValue {
  KeyValue(const char* k, uint64_t* out) : key(k), whole(out) {}
  KeyValue(const char* k, double* out) : key(k), real(out) {}
  const char* key;
  uint64_t* whole = nullptr;
  double* real = nullptr;
};

// Reads w[first..] as exactly the pairs `want`, each key in turn; false if a
// key differs, a value does not parse, or a word is missing or extra (the
// outputs may then be partly written).
bool key_values(const std::vector<std::string>& w, size_t first,
                std::initializer_list<KeyValue> want);

// `s` with <, > and & escaped, for SVG and XML text.
std::string xml_escape(std::string_view s);

}  // namespace petrel::tool
