#include "bench_table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <utility>

#include "text.h"

namespace petrel::tool {
namespace {

constexpr size_t kColumns = 5;  // benchmark, ready tasks, operations, ticks per op, ns per op

bool is_separator(const std::vector<std::string_view>& cells) {
  for (std::string_view c : cells)
    if (c.empty() || c.find_first_not_of("-:") != std::string_view::npos) return false;
  return true;
}

bool is_header(const std::vector<std::string_view>& cells) {
  return cells.size() == kColumns && cells[0] == "benchmark" && cells[1] == "ready tasks";
}

std::optional<unsigned> parse_unsigned(std::string_view s) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_ns(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || v < 0)
    return std::nullopt;
  return v;
}

std::optional<BenchRow> parse_row(const std::vector<std::string_view>& cells) {
  if (cells.size() != kColumns || cells[0].empty()) return std::nullopt;
  const auto ready = parse_unsigned(cells[1]);
  const auto ns = parse_ns(cells[4]);
  if (!ready || !ns) return std::nullopt;
  return BenchRow{std::string(cells[0]), *ready, std::string(cells[2]), std::string(cells[3]),
                  std::string(cells[4]), *ns};
}

using Cells = std::vector<std::string>;

// A markdown table with padded columns: the first left-aligned, the others
// right-aligned.
std::string format_table(const Cells& header, const std::vector<Cells>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  auto line = [&](const Cells& cells) {
    std::string s = "|";
    for (size_t i = 0; i < cells.size(); ++i) {
      const std::string pad(width[i] - cells[i].size(), ' ');
      s += " " + (i == 0 ? cells[i] + pad : pad + cells[i]) + " |";
    }
    return s + "\n";
  };
  std::string out = line(header) + "|";
  for (size_t i = 0; i < header.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& r : rows) out += line(r);
  return out;
}

std::string ratio(const BenchRow& a, const BenchRow& b) {
  if (a.ns <= 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", b.ns / a.ns);
  return buf;
}

}  // namespace

BenchTable parse_bench_table(std::string_view text) {
  BenchTable table;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    const auto cells = table_cells(line);
    if (cells && (is_header(*cells) || is_separator(*cells))) continue;
    if (auto row = cells ? parse_row(*cells) : std::nullopt) {
      table.rows.push_back(std::move(*row));
    } else {
      ++table.malformed;
    }
  }
  return table;
}

MergedBenchTable merge_bench_tables(std::string_view a_title, std::string_view a_text,
                                    std::string_view b_title, std::string_view b_text) {
  const BenchTable a = parse_bench_table(a_text);
  const BenchTable b = parse_bench_table(b_text);
  MergedBenchTable merged;
  merged.rows_a = a.rows.size();
  merged.rows_b = b.rows.size();
  merged.malformed_a = a.malformed;
  merged.malformed_b = b.malformed;

  // Pair each row of A with the first unpaired row of B with the same key.
  using Key = std::pair<std::string, unsigned>;
  std::map<Key, std::deque<size_t>> b_by_key;
  for (size_t j = 0; j < b.rows.size(); ++j)
    b_by_key[{b.rows[j].benchmark, b.rows[j].ready_tasks}].push_back(j);
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<size_t> a_of_b(b.rows.size(), kNone);
  std::vector<size_t> b_of_a(a.rows.size(), kNone);
  for (size_t i = 0; i < a.rows.size(); ++i) {
    auto it = b_by_key.find({a.rows[i].benchmark, a.rows[i].ready_tasks});
    if (it == b_by_key.end() || it->second.empty()) continue;
    b_of_a[i] = it->second.front();
    a_of_b[it->second.front()] = i;
    it->second.pop_front();
  }

  // Rows only B has go after the A row paired with the last paired B row
  // before them (slot i + 1), or first (slot 0).
  std::vector<std::vector<size_t>> b_only_after(a.rows.size() + 1);
  size_t slot = 0;
  for (size_t j = 0; j < b.rows.size(); ++j) {
    if (a_of_b[j] != kNone) {
      slot = a_of_b[j] + 1;
    } else {
      b_only_after[slot].push_back(j);
    }
  }

  std::vector<Cells> rows;
  auto add_b_only = [&](size_t s) {
    for (size_t j : b_only_after[s]) {
      const BenchRow& r = b.rows[j];
      rows.push_back({r.benchmark, std::to_string(r.ready_tasks), "-", r.ns_per_op, "-"});
      ++merged.only_b;
    }
  };
  add_b_only(0);
  for (size_t i = 0; i < a.rows.size(); ++i) {
    const BenchRow& r = a.rows[i];
    if (b_of_a[i] == kNone) {
      rows.push_back({r.benchmark, std::to_string(r.ready_tasks), r.ns_per_op, "-", "-"});
      ++merged.only_a;
    } else {
      const BenchRow& other = b.rows[b_of_a[i]];
      rows.push_back({r.benchmark, std::to_string(r.ready_tasks), r.ns_per_op, other.ns_per_op,
                      ratio(r, other)});
    }
    add_b_only(i + 1);
  }
  merged.rows = rows.size();
  merged.markdown = format_table(
      {"benchmark", "ready tasks", std::string(a_title) + " ns per op",
       std::string(b_title) + " ns per op", std::string(b_title) + " / " + std::string(a_title)},
      rows);
  return merged;
}

}  // namespace petrel::tool
