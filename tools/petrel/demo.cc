#include "demo.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "text.h"

namespace petrel::tool {
namespace {

constexpr const char* kPrefix = "demo-log: ";

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string us(uint64_t ns) {
  return fixed(static_cast<double>(ns) / 1000.0, 1);
}

const DemoPhase* phase_of(const DemoSide& s, const char* name) {
  for (const DemoPhase& p : s.phases)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace

std::optional<DemoSide> parse_demo_side(const std::vector<std::string>& dom0,
                                        const std::string& side, std::string* error) {
  DemoSide s;
  bool stream = false;
  for (const std::string& line : dom0) {
    auto w = words_after(line, std::string(kPrefix) + side + " ");
    if (!w) continue;
    auto bad = [&] {
      *error = "malformed line from dom0's " + side + " logger: ";
      *error += line;
      return std::nullopt;
    };
    if (w->empty()) return bad();
    const std::string& kind = (*w)[0];
    if (kind == "stream") {
      std::string end;
      if (w->size() != 11 || (*w)[9] != "end" || ((*w)[10] != "yes" && (*w)[10] != "no"))
        return bad();
      const std::vector<std::string> head(w->begin(), w->begin() + 9);
      if (!key_values(head, 1,
                      {{"records", &s.records},
                       {"lost", &s.lost},
                       {"corrupt_bytes", &s.corrupt_bytes},
                       {"trailing", &s.trailing}}))
        return bad();
      s.ended = (*w)[10] == "yes";
      stream = true;
    } else if (kind == "phase") {
      DemoPhase p;
      if (w->size() < 2) return bad();
      p.name = (*w)[1];
      if ((p.name != "quiet" && p.name != "load") || phase_of(s, p.name.c_str()) != nullptr ||
          !key_values(*w, 2,
                      {{"periods", &p.periods},
                       {"misses", &p.misses},
                       {"p50_ns", &p.p50_ns},
                       {"p99_ns", &p.p99_ns},
                       {"max_ns", &p.max_ns},
                       {"rms_error", &p.rms_error}}))
        return bad();
      s.phases.push_back(p);
    } else if (kind == "estop") {
      DemoEstop e;
      if (!key_values(*w, 1,
                      {{"t_ms", &e.t_ms},
                       {"speed", &e.speed},
                       {"final_speed", &e.final_speed},
                       {"final_t_ms", &e.final_t_ms}}))
        return bad();
      s.estop = e;
    } else if (kind == "series") {
      DemoPoint pt;
      if (w->size() != 6 || !parse_whole((*w)[1], &pt.t_ms) ||
          !parse_whole((*w)[3], &pt.max_late_us) || !parse_real((*w)[4], &pt.setpoint) ||
          !parse_real((*w)[5], &pt.speed))
        return bad();
      pt.phase = (*w)[2];
      if (pt.phase != "quiet" && pt.phase != "load" && pt.phase != "stopped") return bad();
      s.series.push_back(pt);
    } else {
      return bad();
    }
  }
  if (!stream) {
    *error =
        "dom0's " + side + " logger reported nothing (no \"demo-log: " + side + " stream\" line)";
    return std::nullopt;
  }
  return s;
}

std::optional<DemoStopTiming> parse_stop_timing(const std::vector<std::string>& guest) {
  static const std::string kHead =
      "motor-control: emergency stop: the button's interrupt reached the estop task in ";
  for (const std::string& line : guest) {
    const auto words = words_after(line, kHead);
    if (!words) continue;
    const std::vector<std::string>& w = *words;
    // "N ns, the drive was cut M ns after it"
    const std::vector<std::string> shape = {"",    "ns,", "the", "drive", "was",
                                            "cut", "",    "ns",  "after", "it"};
    DemoStopTiming t;
    if (w.size() != shape.size() || !parse_whole(w[0], &t.to_task_ns) ||
        !parse_whole(w[6], &t.to_cut_ns))
      return std::nullopt;
    for (size_t i = 0; i < shape.size(); ++i)
      if (!shape[i].empty() && w[i] != shape[i]) return std::nullopt;
    return t;
  }
  return std::nullopt;
}

std::vector<std::string> demo_problems(const DemoRun& run) {
  std::vector<std::string> out;
  for (const auto& [name, side] :
       {std::pair{"Petrel", &run.petrel}, std::pair{"Linux", &run.linux_loop}}) {
    const std::string who = std::string(name) + " loop (" + run.label + "): ";
    if (side->records == 0) out.push_back(who + "no telemetry arrived");
    if (side->lost != 0)
      out.push_back(who + std::to_string(side->lost) + " records lost on the way");
    if (side->corrupt_bytes != 0 || side->trailing != 0)
      out.push_back(who + std::to_string(side->corrupt_bytes + side->trailing) +
                    " bytes of damaged or cut records");
    if (!side->ended) out.push_back(who + "the stream ended without its last record");
    for (const char* phase : {"quiet", "load"})
      if (phase_of(*side, phase) == nullptr)
        out.push_back(who + "no periods measured in the " + phase + " phase");
  }
  const DemoSide& p = run.petrel;
  if (!run.stop_timing)
    out.push_back("Petrel loop (" + run.label +
                  "): the guest gave no timing of the emergency stop");
  if (!p.estop) {
    out.push_back("Petrel loop (" + run.label + "): the emergency stop never reached the loop");
  } else if (std::fabs(p.estop->final_speed) >= 1.0 || p.estop->final_t_ms < p.estop->t_ms + 900) {
    out.push_back(
        "Petrel loop (" + run.label +
        "): the motor did not stop: " + fixed(p.estop->final_speed, 2) + " rad/s " +
        std::to_string(p.estop->final_t_ms - std::min(p.estop->final_t_ms, p.estop->t_ms)) +
        " ms after the emergency stop");
  }
  return out;
}

std::string demo_table(const std::vector<DemoRun>& runs) {
  std::string t =
      "| Xen | loop | dom0 | periods | deadline misses | lateness p50 us | p99 us | max us | "
      "control error, RMS rad/s |\n"
      "|---|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const DemoRun& run : runs)
    for (const auto& [name, side] : {std::pair{"Petrel guest", &run.petrel},
                                     std::pair{"Linux process in dom0", &run.linux_loop}})
      for (const DemoPhase& p : side->phases)
        t += "| " + run.label + " | " + name + " | " + (p.name == "load" ? "loaded" : "idle") +
             " | " + std::to_string(p.periods) + " | " + std::to_string(p.misses) + " | " +
             us(p.p50_ns) + " | " + us(p.p99_ns) + " | " + us(p.max_ns) + " | " +
             fixed(p.rms_error, 2) + " |\n";
  return t;
}

std::string demo_stops(const std::vector<DemoRun>& runs) {
  std::string out;
  for (const DemoRun& r : runs) {
    out += "- " + r.label + ": ";
    if (const auto& e = r.petrel.estop)
      out += "the emergency stop reached the loop at " + std::to_string(e->t_ms) + " ms, at " +
             fixed(e->speed, 1) + " rad/s; " +
             std::to_string(e->final_t_ms - std::min(e->final_t_ms, e->t_ms)) +
             " ms later the motor turned at " + fixed(e->final_speed, 2) + " rad/s. ";
    else
      out += "the emergency stop never reached the loop. ";
    if (const auto& t = r.stop_timing)
      out += "The button's interrupt reached the stop task " + us(t->to_task_ns) +
             " us after it entered Petrel, and the drive was cut " + us(t->to_cut_ns) +
             " us after it (at the next period). ";
    out += "Telemetry: " + std::to_string(r.petrel.records) + " records from Petrel, " +
           std::to_string(r.linux_loop.records) + " from Linux, " +
           std::to_string(r.petrel.lost + r.linux_loop.lost) + " lost, " +
           std::to_string(r.petrel.corrupt_bytes + r.linux_loop.corrupt_bytes) +
           " bytes damaged.\n";
  }
  return out;
}

std::string demo_svg(const std::vector<DemoRun>& runs, const std::string& title) {
  constexpr int kWidth = 900, kPanelH = 170, kGap = 44, kLeft = 64, kRight = 16, kTop = 44;
  constexpr const char* kPetrel = "#1f77b4";
  constexpr const char* kLinux = "#d62728";
  constexpr const char* kSetpoint = "#555";
  const int height = kTop + static_cast<int>(runs.size()) * 2 * (kPanelH + kGap) + 30;
  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << height
    << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << kWidth / 2 << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">"
    << xml_escape(title) << "</text>\n";
  const double plot_w = kWidth - kLeft - kRight;
  int top = kTop;
  // One panel: the axes, the title, and a polyline per series.
  struct Line {
    const std::vector<DemoPoint>* points;
    double (*value)(const DemoPoint&);
    const char* color;
  };
  auto panel = [&](const std::string& heading, double lo, double hi, bool log_scale,
                   const std::vector<std::pair<double, std::string>>& ticks,
                   const std::vector<Line>& lines, uint64_t t_end, uint64_t load_from) {
    const double y0 = top + kPanelH;
    auto y_of = [&](double v) {
      double f = log_scale ? (std::log10(std::max(v, lo)) - std::log10(lo)) /
                                 (std::log10(hi) - std::log10(lo))
                           : (v - lo) / (hi - lo);
      f = std::clamp(f, 0.0, 1.0);
      return y0 - f * kPanelH;
    };
    auto x_of = [&](uint64_t t) {
      return kLeft +
             plot_w * static_cast<double>(t) / static_cast<double>(std::max<uint64_t>(t_end, 1));
    };
    s << "<text x=\"" << kLeft << "\" y=\"" << top - 8 << "\" font-size=\"12\">"
      << xml_escape(heading) << "</text>\n";
    if (load_from != 0)
      s << "<rect x=\"" << x_of(load_from) << "\" y=\"" << top << "\" width=\""
        << kLeft + plot_w - x_of(load_from) << "\" height=\"" << kPanelH
        << "\" fill=\"#fff3e0\"><title>dom0 loaded</title></rect>\n";
    for (const auto& [v, label] : ticks)
      s << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_w << "\" y1=\"" << y_of(v)
        << "\" y2=\"" << y_of(v) << "\" stroke=\"#ddd\"/>\n<text x=\"" << kLeft - 6 << "\" y=\""
        << y_of(v) + 4 << "\" text-anchor=\"end\">" << xml_escape(label) << "</text>\n";
    s << "<rect x=\"" << kLeft << "\" y=\"" << top << "\" width=\"" << plot_w << "\" height=\""
      << kPanelH << "\" fill=\"none\" stroke=\"#888\"/>\n";
    for (const Line& l : lines) {
      s << "<polyline fill=\"none\" stroke-width=\"1\" stroke=\"" << l.color << "\" points=\"";
      for (const DemoPoint& p : *l.points) s << x_of(p.t_ms) << "," << y_of(l.value(p)) << " ";
      s << "\"/>\n";
    }
    s << "<text x=\"" << kLeft + plot_w << "\" y=\"" << y0 + 14 << "\" text-anchor=\"end\">"
      << fixed(static_cast<double>(t_end) / 1000.0, 1) << " s</text>\n<text x=\"" << kLeft
      << "\" y=\"" << y0 + 14 << "\">0 s</text>\n";
    top += kPanelH + kGap;
  };
  for (const DemoRun& run : runs) {
    uint64_t t_end = 1, load_from = 0;
    for (const DemoSide* side : {&run.petrel, &run.linux_loop})
      for (const DemoPoint& p : side->series) {
        t_end = std::max(t_end, p.t_ms);
        if (side == &run.petrel && p.phase == "load" && load_from == 0) load_from = p.t_ms;
      }
    panel(run.label + ": lateness of each period's start, worst per 20 ms (log scale)", 1, 100000,
          true,
          {{1, "1 us"},
           {10, "10 us"},
           {100, "100 us"},
           {1000, "1 ms"},
           {10000, "10 ms"},
           {100000, "100 ms"}},
          {{&run.linux_loop.series,
            [](const DemoPoint& p) { return static_cast<double>(p.max_late_us); }, kLinux},
           {&run.petrel.series,
            [](const DemoPoint& p) { return static_cast<double>(p.max_late_us); }, kPetrel}},
          t_end, load_from);
    panel(run.label + ": motor speed (rad/s) against the set-point; emergency stop at the end", 0,
          350, false, {{0, "0"}, {100, "100"}, {200, "200"}, {300, "300"}},
          {{&run.petrel.series, [](const DemoPoint& p) { return p.setpoint; }, kSetpoint},
           {&run.linux_loop.series, [](const DemoPoint& p) { return p.speed; }, kLinux},
           {&run.petrel.series, [](const DemoPoint& p) { return p.speed; }, kPetrel}},
          t_end, load_from);
  }
  const int y = height - 12;
  s << "<rect x=\"" << kLeft << "\" y=\"" << y - 9 << "\" width=\"10\" height=\"10\" fill=\""
    << kPetrel << "\"/><text x=\"" << kLeft + 14 << "\" y=\"" << y
    << "\">Petrel guest</text>\n<rect x=\"" << kLeft + 130 << "\" y=\"" << y - 9
    << "\" width=\"10\" height=\"10\" fill=\"" << kLinux << "\"/><text x=\"" << kLeft + 144
    << "\" y=\"" << y << "\">Linux process in dom0</text>\n<rect x=\"" << kLeft + 320 << "\" y=\""
    << y - 9 << "\" width=\"10\" height=\"10\" fill=\"" << kSetpoint << "\"/><text x=\""
    << kLeft + 334 << "\" y=\"" << y << "\">set-point</text>\n<rect x=\"" << kLeft + 420
    << "\" y=\"" << y - 9 << "\" width=\"10\" height=\"10\" fill=\"#fff3e0\" stroke=\"#ccc\"/>"
    << "<text x=\"" << kLeft + 434 << "\" y=\"" << y << "\">dom0 loaded</text>\n</svg>\n";
  return s.str();
}

}  // namespace petrel::tool
