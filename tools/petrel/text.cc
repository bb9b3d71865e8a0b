#include "text.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace petrel::tool {

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<std::vector<std::string_view>> table_cells(std::string_view line) {
  line = trim(line);
  if (line.size() < 2 || line.front() != '|' || line.back() != '|') return std::nullopt;
  line = line.substr(1, line.size() - 2);
  std::vector<std::string_view> cells;
  for (;;) {
    const size_t bar = line.find('|');
    cells.push_back(trim(line.substr(0, bar)));
    if (bar == std::string_view::npos) break;
    line.remove_prefix(bar + 1);
  }
  return cells;
}

std::optional<uint64_t> decimal(std::string_view s, size_t max_digits) {
  if (s.empty() || s.size() > max_digits || s.size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

bool parse_whole(std::string_view s, uint64_t* out) {
  const auto n = decimal(s);
  if (n) *out = *n;
  return n.has_value();
}

bool parse_real(std::string_view s, double* out) {
  if (s.empty()) return false;
  const std::string text(s);  // strtod wants a terminated string
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

std::optional<std::vector<std::string>> words_after(std::string_view line,
                                                    std::string_view prefix) {
  if (line.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::istringstream in{std::string(line.substr(prefix.size()))};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool key_values(const std::vector<std::string>& w, size_t first,
                std::initializer_list<KeyValue> want) {
  if (w.size() != first + 2 * want.size()) return false;
  size_t i = first;
  for (const KeyValue& kv : want) {
    if (w[i] != kv.key) return false;
    if (kv.whole != nullptr ? !parse_whole(w[i + 1], kv.whole) : !parse_real(w[i + 1], kv.real))
      return false;
    i += 2;
  }
  return true;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

}  // namespace petrel::tool
