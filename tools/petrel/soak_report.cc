#include "soak_report.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace petrel::tool {
namespace {

constexpr std::string_view kSummary = "soak: summary ";
constexpr std::string_view kFailed = "soak: FAILED: ";

// The operations the guest counts, in the order it prints them.
constexpr const char* kOps[] = {"queue",  "semaphore", "mutex", "event_group", "notify",
                                "stream", "message",   "timer", "task",        "heap",
                                "irq",    "evtchn",    "vchan"};

std::string format(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// 1234567 -> "1,234,567".
std::string grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

std::optional<uint64_t> parse_count(std::string_view text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  double scale = 1;
  switch (text.back()) {
    case 'k':
      scale = 1e3;
      break;
    case 'M':
      scale = 1e6;
      break;
    case 'G':
      scale = 1e9;
      break;
    case 'T':
      scale = 1e12;
      break;
    default:
      break;
  }
  if (scale != 1) text.remove_suffix(1);
  if (text.empty() || (text.front() < '0' || text.front() > '9')) return std::nullopt;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E')) return std::nullopt;
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end) * scale;
  if (end != s.c_str() + s.size() || !std::isfinite(v) || v < 1 || v >= 1.8e19) return std::nullopt;
  if (v != std::floor(v)) return std::nullopt;  // "1.5" instructions
  return static_cast<uint64_t>(v);
}

int64_t SoakSummary::number(std::string_view key) const {
  const auto it = values.find(key);
  if (it == values.end()) return 0;
  return std::strtoll(it->second.c_str(), nullptr, 10);
}

SoakSummary parse_soak_summary(const std::vector<std::string>& guest_lines) {
  SoakSummary s;
  for (const auto& line : guest_lines) {
    std::string_view l = line;
    if (l == "soak: PASS") {
      s.passed = true;
    } else if (l.starts_with(kFailed)) {
      s.failed_checks.emplace_back(l.substr(kFailed.size()));
    } else if (l.starts_with(kSummary)) {
      std::istringstream words{std::string(l.substr(kSummary.size()))};
      for (std::string word; words >> word;) {
        const size_t eq = word.find('=');
        if (eq != std::string::npos && eq != 0) s.values[word.substr(0, eq)] = word.substr(eq + 1);
      }
    }
  }
  return s;
}

std::vector<std::string> soak_problems(const SoakSummary& s, int status) {
  std::vector<std::string> p;
  if (!s.has("failures")) {
    p.push_back(format("the soak guest printed no summary (exit status %d)", status));
    return p;
  }
  if (s.number("heap_end") != s.number("heap_start"))
    p.push_back(
        format("free heap did not return to its starting value: %s bytes at the start, "
               "%s at the end",
               grouped(s.number("heap_start")).c_str(), grouped(s.number("heap_end")).c_str()));
  if (s.number("deadline_misses") != 0 && s.number("timing_checked") != 0)
    p.push_back(format("%s deadline(s) missed by the periodic task (worst lateness %s ns)",
                       grouped(s.number("deadline_misses")).c_str(),
                       grouped(s.number("worst_late_ns")).c_str()));
  if (s.number("timer_fires") == 0) p.push_back("the drift timer never fired");
  for (const auto& check : s.failed_checks) p.push_back("the guest's check failed: " + check);
  if (s.number("failures") > static_cast<int64_t>(s.failed_checks.size()))
    p.push_back(format("%s check(s) failed in all (the guest prints the first 20)",
                       grouped(s.number("failures")).c_str()));
  if (p.empty() && !s.passed) p.push_back("the guest did not print \"soak: PASS\"");
  if (p.empty() && status != 0) p.push_back(format("the guest exited with status %d", status));
  return p;
}

std::string soak_figures(const SoakSummary& s, uint64_t length, double wall_s) {
  std::string out;
  const double ns = static_cast<double>(s.number("ns"));
  out += format("  virtual instructions  %s asked, the guest's clock at %s ns at the end\n",
                grouped(static_cast<int64_t>(length)).c_str(), grouped(s.number("ns")).c_str());
  out += format("  wall time             %.1f s (%.2g virtual instructions per second)\n", wall_s,
                wall_s > 0 ? ns / wall_s : 0.0);
  out += format("  epochs                %s (processor busy %s %% of the time, idle the rest)\n",
                grouped(s.number("epochs")).c_str(), grouped(s.number("busy_pct")).c_str());
  std::string ops;
  for (const char* op : kOps) {
    const std::string key = std::string("ops_") + op;
    if (!s.has(key) || (s.number(key) == 0 && std::string_view(op) == "vchan")) continue;
    ops += (ops.empty() ? "" : ", ") + std::string(op) + " " + grouped(s.number(key));
  }
  out += "  operations            " + ops + "\n";
  out += format("  free heap             %s bytes at the start, %s at the end (lowest %s)\n",
                grouped(s.number("heap_start")).c_str(), grouped(s.number("heap_end")).c_str(),
                grouped(s.number("heap_min")).c_str());
  const auto task = s.values.find("stack_task");
  out += format("  worst stack use       %s of %s bytes (task %s)\n",
                grouped(s.number("stack_used")).c_str(), grouped(s.number("stack_size")).c_str(),
                task != s.values.end() ? task->second.c_str() : "?");
  out += format(
      "  timer drift           %s ns over %s periods of %s ticks (worst callback "
      "lateness %s ns)\n",
      grouped(s.number("drift_ns")).c_str(), grouped(s.number("timer_fires")).c_str(),
      grouped(s.number("timer_period_ticks")).c_str(),
      grouped(s.number("worst_timer_late_ns")).c_str());
  out += format("  deadline misses       %s in %s periods of one tick (worst lateness %s ns)\n",
                grouped(s.number("deadline_misses")).c_str(),
                grouped(s.number("deadline_periods")).c_str(),
                grouped(s.number("worst_late_ns")).c_str());
  out += format("  interrupt lateness    %s ns at worst (the load's own timer interrupt)\n",
                grouped(s.number("worst_irq_late_ns")).c_str());
  if (s.number("timing_checked") == 0)
    out += "  (real time, not icount: lateness, drift and deadline misses measured, not checked)\n";
  return out;
}

}  // namespace petrel::tool
