#include "rt_matrix.h"

#include "text.h"

namespace petrel::tool {
namespace {

bool is_count(std::string_view s) {
  return decimal(s, 12).has_value();
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
    for_each_line(run.table, [&](std::string_view line) {
      if (trim(line).empty()) return;
      const std::vector<std::string_view> c =
          table_cells(line).value_or(std::vector<std::string_view>{});
      if (!c.empty() && (c[0] == "case" || c[0].starts_with("---"))) return;  // header
      bool ok = c.size() == 7 && !c[0].empty() && !c[1].empty();
      for (size_t i = 2; ok && i < 7; ++i) ok = is_count(c[i]);
      if (!ok) {
        ++m.malformed;
        return;
      }
      std::string row = "| " + run.config.scheduler + " | " +
                        (run.config.vwfi_native ? "native" : "trapped") + " |";
      for (std::string_view cell : c) {
        row += " ";
        row += cell;
        row += " |";
      }
      m.markdown += row + "\n";
      ++m.rows;
    });
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
