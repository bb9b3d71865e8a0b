#include "rt_matrix.h"

#include <cstdlib>

namespace petrel::tool {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The cells of "| a | b |", trimmed; empty if the line is not a table row.
std::vector<std::string> cells(std::string_view line) {
  line = trim(line);
  std::vector<std::string> out;
  if (line.size() < 2 || line.front() != '|' || line.back() != '|') return out;
  line = line.substr(1, line.size() - 2);
  for (;;) {
    const size_t bar = line.find('|');
    out.emplace_back(trim(line.substr(0, bar)));
    if (bar == std::string_view::npos) break;
    line.remove_prefix(bar + 1);
  }
  return out;
}

bool is_count(const std::string& s) {
  if (s.empty() || s.size() > 12) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

const std::vector<RtConfig>& rt_configs() {
  static const std::vector<RtConfig> configs = {{"credit2", false}, {"credit2", true},
                                                {"null", false},    {"null", true},
                                                {"rtds", false},    {"rtds", true}};
  return configs;
}

std::string rt_cmdline(const RtConfig& c) {
  return "sched=" + c.scheduler + (c.vwfi_native ? " vwfi=native" : "");
}

RtMatrix rt_matrix(const std::vector<RtRun>& runs) {
  RtMatrix m;
  m.markdown =
      "| scheduler | guest's WFI | case | load | samples | min | avg | p99 | max |\n"
      "|---|---|---|---|---:|---:|---:|---:|---:|\n";
  for (const RtRun& run : runs) {
    std::string_view text = run.table;
    while (!text.empty()) {
      const size_t end = text.find('\n');
      const std::string_view line = text.substr(0, end);
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
      if (trim(line).empty()) continue;
      const auto c = cells(line);
      if (!c.empty() && (c[0] == "case" || c[0].starts_with("---"))) continue;  // header
      bool ok = c.size() == 7 && !c[0].empty() && !c[1].empty();
      for (size_t i = 2; ok && i < 7; ++i) ok = is_count(c[i]);
      if (!ok) {
        ++m.malformed;
        continue;
      }
      m.markdown += "| " + run.config.scheduler + " | " +
                    (run.config.vwfi_native ? "native" : "trapped") + " | " + c[0] + " | " + c[1] +
                    " | " + c[2] + " | " + c[3] + " | " + c[4] + " | " + c[5] + " | " + c[6] +
                    " |\n";
      ++m.rows;
    }
  }
  return m;
}

namespace {

// Where the line `heading` starts in `file`, and where its section ends (the
// start of the next "## " line, or the end).
std::optional<std::pair<size_t, size_t>> find_section(std::string_view file,
                                                      std::string_view heading) {
  for (size_t pos = 0; pos < file.size();) {
    const size_t end = file.find('\n', pos);
    const std::string_view line =
        file.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (line == heading) {
      const size_t next = file.find("\n## ", pos + heading.size());
      return std::pair{pos, next == std::string_view::npos ? file.size() : next + 1};
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::string with_section(std::string_view file, std::string_view heading, std::string_view body) {
  std::string section = std::string(heading) + "\n" + std::string(body);
  if (!section.ends_with('\n')) section += '\n';
  const auto found = find_section(file, heading);
  if (!found) {
    std::string out(file);
    if (!out.empty() && !out.ends_with('\n')) out += '\n';
    if (!out.empty()) out += '\n';
    return out + section;
  }
  std::string out(file.substr(0, found->first));
  out += section;
  if (found->second < file.size()) out += "\n" + std::string(file.substr(found->second));
  return out;
}

std::optional<std::string> section_body(std::string_view file, std::string_view heading) {
  const auto found = find_section(file, heading);
  if (!found) return std::nullopt;
  const size_t start = found->first + heading.size() + 1;
  if (start >= found->second) return std::string();
  std::string body(file.substr(start, found->second - start));
  while (body.ends_with("\n\n")) body.pop_back();  // the blank line before the next heading
  return body;
}

}  // namespace petrel::tool
