// Small text helpers the host tool's parsers share: trimming, lines,
// Markdown table cells, unsigned decimal numbers. Pure.
#pragma once

#include <cstdint>
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

// `s` with <, > and & escaped, for SVG and XML text.
std::string xml_escape(std::string_view s);

}  // namespace petrel::tool
