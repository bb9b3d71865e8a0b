#include "rt_loaded.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "text.h"

namespace petrel::tool {
namespace {

constexpr const char* kPrefix = "rt-loop: ";

std::string us(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(ns) / 1000.0);
  return buf;
}

std::string bucket_label(const LoopResult::Bucket& b) {
  auto t = [](uint64_t v) {
    return v >= 1000 ? std::to_string(v / 1000) + " ms" : std::to_string(v) + " us";
  };
  if (b.hi_us == 0) return ">= " + t(b.lo_us);
  return "< " + t(b.hi_us);
}

}  // namespace

std::optional<LoopResult> parse_loop_result(const std::vector<std::string>& guest,
                                            std::string* error) {
  LoopResult r;
  bool have_periods = false, have_figures = false;
  for (const auto& line : guest) {
    const auto w = words_after(line, kPrefix);
    if (!w || w->empty()) continue;
    if ((*w)[0] == "periods") {
      if (!key_values(*w, 0, {{"periods", &r.periods}, {"period_us", &r.period_us}})) {
        *error = "malformed line: " + line;
        return std::nullopt;
      }
      have_periods = true;
    } else if ((*w)[0] == "p50_ns") {
      if (!key_values(*w, 0,
                      {{"p50_ns", &r.p50_ns},
                       {"p99_ns", &r.p99_ns},
                       {"p999_ns", &r.p999_ns},
                       {"max_ns", &r.max_ns},
                       {"misses", &r.misses}})) {
        *error = "malformed line: " + line;
        return std::nullopt;
      }
      have_figures = true;
    } else if ((*w)[0] == "hist") {
      LoopResult::Bucket b;
      if (w->size() != 4 || !parse_whole((*w)[1], &b.lo_us) || !parse_whole((*w)[2], &b.hi_us) ||
          !parse_whole((*w)[3], &b.count) || (b.hi_us != 0 && b.hi_us <= b.lo_us) ||
          (!r.hist.empty() && (r.hist.back().hi_us != b.lo_us))) {
        *error = "malformed histogram line: " + line;
        return std::nullopt;
      }
      r.hist.push_back(b);
    }
  }
  if (!have_periods || !have_figures || r.hist.empty()) {
    *error = "the guest printed no complete result (rt-loop: periods, p50_ns and hist lines)";
    return std::nullopt;
  }
  uint64_t total = 0;
  for (const auto& b : r.hist) total += b.count;
  if (total != r.periods || r.hist.back().hi_us != 0) {
    *error = "the histogram holds " + std::to_string(total) + " samples, not the " +
             std::to_string(r.periods) + " periods (lines lost?)";
    return std::nullopt;
  }
  if (!(r.p50_ns <= r.p99_ns && r.p99_ns <= r.p999_ns && r.p999_ns <= r.max_ns) ||
      r.misses > r.periods) {
    *error = "the percentiles are out of order, or more misses than periods";
    return std::nullopt;
  }
  return r;
}

std::string loaded_table(const std::vector<LoadedRun>& runs) {
  std::string t =
      "| configuration | periods | p50 us | p99 us | p99.9 us | max us | deadline misses |\n"
      "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& run : runs) {
    const LoopResult& r = run.result;
    t += "| " + run.label + " | " + std::to_string(r.periods) + " | " + us(r.p50_ns) + " | " +
         us(r.p99_ns) + " | " + us(r.p999_ns) + " | " + us(r.max_ns) + " | " +
         std::to_string(r.misses) + " |\n";
  }
  return t;
}

std::string loaded_svg(const std::vector<LoadedRun>& runs, const std::string& title) {
  static const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
  constexpr int kWidth = 820, kHeight = 400;
  constexpr int kLeft = 60, kRight = 20, kTop = 50, kBottom = 70;
  const size_t buckets = runs.empty() ? 0 : runs[0].result.hist.size();
  uint64_t most = 1;
  for (const auto& run : runs)
    for (const auto& b : run.result.hist) most = std::max(most, b.count);
  const double decades = std::ceil(std::log10(static_cast<double>(most) + 1));
  const double plot_h = kHeight - kTop - kBottom;
  auto y_of = [&](uint64_t count) {
    const double v = count == 0 ? 0 : std::log10(static_cast<double>(count) + 1) / decades;
    return kTop + plot_h * (1 - v);
  };
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
    << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << kWidth / 2 << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">"
    << xml_escape(title) << "</text>\n";
  // The count axis: a line per decade.
  for (int d = 0; d <= static_cast<int>(decades); ++d) {
    const double y = kTop + plot_h * (1 - d / decades);
    s << "<line x1=\"" << kLeft << "\" x2=\"" << kWidth - kRight << "\" y1=\"" << y << "\" y2=\""
      << y << "\" stroke=\"#ddd\"/>\n"
      << "<text x=\"" << kLeft - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">"
      << static_cast<uint64_t>(std::pow(10, d)) << "</text>\n";
  }
  s << "<text x=\"14\" y=\"" << kTop + plot_h / 2 << "\" transform=\"rotate(-90 14 "
    << kTop + plot_h / 2 << ")\" text-anchor=\"middle\">periods (log scale)</text>\n";
  const double group_w =
      buckets == 0 ? 0 : (kWidth - kLeft - kRight) / static_cast<double>(buckets);
  const double bar_w = runs.empty() ? 0 : group_w * 0.8 / static_cast<double>(runs.size());
  for (size_t i = 0; i < buckets; ++i) {
    const double x0 = kLeft + group_w * static_cast<double>(i) + group_w * 0.1;
    for (size_t r = 0; r < runs.size(); ++r) {
      if (i >= runs[r].result.hist.size()) continue;
      const uint64_t count = runs[r].result.hist[i].count;
      const double y = y_of(count);
      s << "<rect x=\"" << x0 + bar_w * static_cast<double>(r) << "\" y=\"" << y << "\" width=\""
        << bar_w << "\" height=\"" << kTop + plot_h - y << "\" fill=\"" << kColors[r % 4]
        << "\"><title>" << xml_escape(runs[r].label) << ": " << count << "</title></rect>\n";
    }
    s << "<text x=\"" << x0 + group_w * 0.4 << "\" y=\"" << kTop + plot_h + 14
      << "\" text-anchor=\"middle\">" << xml_escape(bucket_label(runs[0].result.hist[i]))
      << "</text>\n";
  }
  s << "<text x=\"" << kLeft + (kWidth - kLeft - kRight) / 2 << "\" y=\"" << kTop + plot_h + 32
    << "\" text-anchor=\"middle\">lateness of the 1 kHz task's wake-up</text>\n";
  for (size_t r = 0; r < runs.size(); ++r) {
    const double y = kHeight - 22;
    const double x = kLeft + 300.0 * static_cast<double>(r);
    s << "<rect x=\"" << x << "\" y=\"" << y - 9 << "\" width=\"10\" height=\"10\" fill=\""
      << kColors[r % 4] << "\"/>\n<text x=\"" << x + 14 << "\" y=\"" << y << "\">"
      << xml_escape(runs[r].label) << "</text>\n";
  }
  s << "</svg>\n";
  return s.str();
}

}  // namespace petrel::tool
