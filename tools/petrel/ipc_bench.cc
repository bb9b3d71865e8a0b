// bench --ipc's pure part (ipc_bench.h).
#include "ipc_bench.h"

#include <cinttypes>
#include <cstdio>
#include <string_view>

namespace petrel::tool {
namespace {

// The number after `key` in `line` (digits only), if `key` is there.
std::optional<uint64_t> number_after(std::string_view line, std::string_view key) {
  const size_t at = line.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  size_t i = at + key.size();
  if (i >= line.size() || line[i] < '0' || line[i] > '9') return std::nullopt;
  uint64_t n = 0;
  for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
    if (n > (UINT64_MAX - 9) / 10) return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(line[i] - '0');
  }
  return n;
}

std::string cell(const std::optional<uint64_t>& v) {
  return v ? std::to_string(*v) : "–";
}

std::string mb_cell(const std::optional<uint64_t>& v) {
  if (!v) return "–";
  char text[32];
  std::snprintf(text, sizeof text, "%" PRIu64 ".%02" PRIu64, *v / 1000, *v % 1000 / 10);
  return text;
}

}  // namespace

void parse_ipc_lines(const std::vector<std::string>& guest, IpcFigures* out) {
  for (const std::string& line : guest) {
    const std::string_view l = line;
    if (l.find("ipc-ping: ") == std::string_view::npos) continue;
    if (l.find(" round trips of 64 bytes, all intact, average ") != std::string_view::npos) {
      if (auto ns = number_after(l, "all intact, average ")) out->round_trip_ns = ns;
    } else if (l.find("ipc-ping: throughput: ") != std::string_view::npos &&
               l.find("every frame intact") != std::string_view::npos) {
      const size_t us = l.find(" us, ");
      if (us == std::string_view::npos) continue;
      const auto whole = number_after(l.substr(us), " us, ");
      const size_t dot = l.find('.', us);
      const auto frac = dot != std::string_view::npos ? number_after(l.substr(dot), ".")
                                                      : std::optional<uint64_t>{};
      if (whole && frac && *frac < 1000) out->mb_per_s_x1000 = *whole * 1000 + *frac;
    } else if (l.find("ipc-ping: doorbell: ") != std::string_view::npos) {
      if (auto ns = number_after(l, " round trips, average ")) out->doorbell_ns = ns;
    }
  }
}

std::string ipc_table(const std::vector<std::pair<std::string, IpcFigures>>& columns) {
  std::string head = "| |", rule = "|---|";
  for (const auto& [arch, figures] : columns) {
    head += " " + arch + " |";
    rule += "---:|";
  }
  std::string rt = "| round trip, 64-byte frame, shared region (ns) |";
  std::string tp = "| throughput, 4 KiB frames, shared region (MB/s) |";
  std::string db = "| round trip, doorbell alone (ns) |";
  for (const auto& [arch, f] : columns) {
    rt += " " + cell(f.round_trip_ns) + " |";
    tp += " " + mb_cell(f.mb_per_s_x1000) + " |";
    db += " " + cell(f.doorbell_ns) + " |";
  }
  return head + "\n" + rule + "\n" + rt + "\n" + tp + "\n" + db + "\n";
}

}  // namespace petrel::tool
