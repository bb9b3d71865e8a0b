#include "trace_output.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

namespace petrel::tool {
namespace {

// JSON and XML both: the characters that must not appear raw in a string.
std::string escaped(const std::string& s, bool xml) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (xml) {
      if (c == '<') {
        out += "&lt;";
      } else if (c == '>') {
        out += "&gt;";
      } else if (c == '&') {
        out += "&amp;";
      } else if (c == '"') {
        out += "&quot;";
      } else {
        out.push_back(u < 0x20 ? '?' : c);
      }
    } else if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string json(const std::string& s) {
  return "\"" + escaped(s, false) + "\"";
}

std::string number(double v, const char* format = "%.3f") {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Microseconds from the model's first event.
std::string micros(const TraceModel& m, uint64_t at) {
  return number(m.seconds(at - m.begin) * 1e6);
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

// Tasks in lane order: highest creation priority first, then in the order
// they appeared. Each with its number (TraceModel::tasks).
std::vector<std::pair<uint32_t, const TraceTask*>> lanes(const TraceModel& m) {
  std::vector<std::pair<uint32_t, const TraceTask*>> out;
  for (const auto& [n, t] : m.tasks) out.emplace_back(n, &t);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second->priority > b.second->priority;
  });
  return out;
}

}  // namespace

std::string trace_duration(const TraceModel& m, uint64_t ticks) {
  const double s = m.seconds(ticks);
  if (s >= 1) return number(s) + " s";
  if (s >= 1e-3) return number(s * 1e3) + " ms";
  return number(s * 1e6) + " us";
}

std::string trace_json(const TraceModel& m, const std::string& title) {
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  bool first = true;
  auto line = [&](const std::string& event) {
    if (!first) out += ",\n";
    first = false;
    out += event;
  };
  line("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":" + json(title) +
       "}}");
  line(
      "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":"
      "\"interrupts\"}}");
  for (const auto& [id, t] : m.tasks)
    line("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" + std::to_string(id) +
         ",\"args\":{\"name\":" + json(t.name) + "}}");
  size_t seq = 0;
  for (const TraceInstant& in : m.instants) {
    const bool irq_lane = in.kind == TraceKind::kIrqEnter || in.kind == TraceKind::kIrqExit ||
                          in.kind == TraceKind::kEvtchn || in.kind == TraceKind::kTimerFire;
    const uint32_t tid = irq_lane ? 0 : in.task;
    std::string args = "\"seq\":" + std::to_string(seq++) +
                       ",\"task\":" + json(in.task == 0 ? "" : m.task_name(in.task));
    if (in.object != 0) args += ",\"object\":" + json(hex32(in.object));
    if (in.kind == TraceKind::kPriority || in.kind == TraceKind::kTaskCreate)
      args += ",\"priority\":" + std::to_string(in.value);
    if (in.from_isr) args += ",\"from_isr\":true";
    if (!in.detail.empty()) args += ",\"detail\":" + json(in.detail);
    line(std::string("{\"name\":") + json(trace_kind_name(in.kind)) + ",\"cat\":\"petrel\"," +
         "\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" + std::to_string(tid) +
         ",\"ts\":" + micros(m, in.at) + ",\"args\":{" + args + "}}");
  }
  for (const TraceSlice& r : m.runs)
    line("{\"name\":" + json(m.task_name(r.id)) +
         ",\"cat\":\"run\",\"ph\":\"X\",\"pid\":1,\"tid\":" + std::to_string(r.id) + ",\"ts\":" +
         micros(m, r.begin) + ",\"dur\":" + micros(m, m.begin + (r.end - r.begin)) + "}");
  for (const TraceSlice& r : m.irqs)
    line("{\"name\":\"irq " + std::to_string(r.id) +
         "\",\"cat\":\"irq\",\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":" + micros(m, r.begin) +
         ",\"dur\":" + micros(m, m.begin + (r.end - r.begin)) + "}");
  for (const TraceLatency& l : m.latencies)
    line("{\"name\":\"irq " + std::to_string(l.intid) + " -> " +
         escaped(m.task_name(l.task), false) +
         "\",\"cat\":\"latency\",\"ph\":\"X\",\"pid\":1,\"tid\":" + std::to_string(l.task) +
         ",\"ts\":" + micros(m, l.irq_at) + ",\"dur\":" + micros(m, m.begin + l.ticks()) + "}");
  out += "\n]}\n";
  return out;
}

std::string trace_svg(const TraceModel& m, const std::string& title, size_t labelled) {
  constexpr double kLeft = 130, kWidth = 1200, kLane = 28, kTop = 50;
  const auto order = lanes(m);
  std::map<uint32_t, size_t> lane_of;
  for (size_t i = 0; i < order.size(); ++i) lane_of[order[i].first] = i + 1;  // lane 0: interrupts
  const double height = kTop + kLane * static_cast<double>(order.size() + 1) + 40;
  const uint64_t span = m.end > m.begin ? m.end - m.begin : 1;
  auto x = [&](uint64_t at) {
    return kLeft + kWidth * static_cast<double>(at - m.begin) / static_cast<double>(span);
  };
  auto y = [&](size_t lane) { return kTop + kLane * static_cast<double>(lane); };
  static const char* const kColours[] = {"#4e79a7", "#59a14f", "#f28e2b", "#b07aa1",
                                         "#76b7b2", "#edc948", "#9c755f", "#bab0ac"};

  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    number(kLeft + kWidth + 60, "%.0f") + "\" height=\"" + number(height, "%.0f") +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out += "<text x=\"10\" y=\"20\" font-size=\"14\">" + escaped(title, true) + ": " +
         trace_duration(m, span) + ", " + std::to_string(m.instants.size()) + " events</text>\n";
  // Lanes and their names.
  for (size_t lane = 0; lane <= order.size(); ++lane) {
    const std::string name = lane == 0 ? "interrupts" : order[lane - 1].second->name;
    out += "<text x=\"10\" y=\"" + number(y(lane) + 17, "%.1f") + "\">" + escaped(name, true) +
           "</text>\n";
    out += "<line x1=\"" + number(kLeft, "%.1f") + "\" x2=\"" + number(kLeft + kWidth, "%.1f") +
           "\" y1=\"" + number(y(lane) + kLane, "%.1f") + "\" y2=\"" +
           number(y(lane) + kLane, "%.1f") + "\" stroke=\"#ddd\"/>\n";
  }
  // Tasks running.
  for (const TraceSlice& r : m.runs) {
    const auto it = lane_of.find(r.id);
    if (it == lane_of.end()) continue;
    const double w = std::max(0.5, x(r.end) - x(r.begin));
    out += "<rect x=\"" + number(x(r.begin), "%.2f") + "\" y=\"" +
           number(y(it->second) + 4, "%.1f") + "\" width=\"" + number(w, "%.2f") + "\" height=\"" +
           number(kLane - 8, "%.1f") + "\" fill=\"" +
           kColours[(it->second - 1) % std::size(kColours)] + "\"><title>" +
           escaped(m.task_name(r.id), true) + ": " + trace_duration(m, r.end - r.begin) +
           "</title></rect>\n";
  }
  // Interrupt handlers, marked in their lane.
  for (const TraceSlice& r : m.irqs) {
    const double w = std::max(1.5, x(r.end) - x(r.begin));
    out += "<rect x=\"" + number(x(r.begin), "%.2f") + "\" y=\"" + number(y(0) + 4, "%.1f") +
           "\" width=\"" + number(w, "%.2f") + "\" height=\"" + number(kLane - 8, "%.1f") +
           "\" fill=\"#e15759\"><title>irq " + std::to_string(r.id) + ": " +
           trace_duration(m, r.end - r.begin) + "</title></rect>\n";
  }
  // Priority changes (inheritance): a small triangle, up or down.
  for (const TraceInstant& in : m.instants) {
    if (in.kind != TraceKind::kPriority) continue;
    const auto it = lane_of.find(in.task);
    if (it == lane_of.end()) continue;
    const bool up = in.value > m.tasks.at(in.task).priority;  // above its own: a boost
    const double cx = x(in.at), top = y(it->second) + 1, bottom = y(it->second) + 9;
    out += "<path d=\"M" + number(cx - 4, "%.2f") + " " + number(up ? bottom : top, "%.1f") + " L" +
           number(cx + 4, "%.2f") + " " + number(up ? bottom : top, "%.1f") + " L" +
           number(cx, "%.2f") + " " + number(up ? top : bottom, "%.1f") +
           " Z\" fill=\"#333\"><title>" + escaped(m.task_name(in.task), true) + ": priority " +
           escaped(in.detail, true) + "</title></path>\n";
  }
  // Blocks: a short dark tick where the task stopped to wait.
  for (const TraceInstant& in : m.instants) {
    if (in.kind != TraceKind::kBlock) continue;
    const auto it = lane_of.find(in.task);
    if (it == lane_of.end()) continue;
    out += "<line x1=\"" + number(x(in.at), "%.2f") + "\" x2=\"" + number(x(in.at), "%.2f") +
           "\" y1=\"" + number(y(it->second) + 2, "%.1f") + "\" y2=\"" +
           number(y(it->second) + kLane - 2, "%.1f") + "\" stroke=\"#333\"><title>" +
           escaped(m.task_name(in.task), true) + " blocks " + escaped(in.detail, true) +
           "</title></line>\n";
  }
  // The longest interrupt -> task latencies.
  for (const TraceLatency& l : m.worst_latencies(labelled)) {
    const auto it = lane_of.find(l.task);
    if (it == lane_of.end()) continue;
    const double x0 = x(l.irq_at), x1 = x(l.run_at), y0 = y(0) + kLane / 2,
                 y1 = y(it->second) + kLane / 2;
    out += "<line x1=\"" + number(x0, "%.2f") + "\" y1=\"" + number(y0, "%.1f") + "\" x2=\"" +
           number(x1, "%.2f") + "\" y2=\"" + number(y1, "%.1f") +
           "\" stroke=\"#e15759\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\"/>\n";
    out += "<text x=\"" + number(x1 + 3, "%.2f") + "\" y=\"" + number(y1 - 6, "%.1f") +
           "\" fill=\"#c03030\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">irq " +
           std::to_string(l.intid) + " -&gt; " + escaped(m.task_name(l.task), true) + ": " +
           trace_duration(m, l.ticks()) + "</text>\n";
  }
  // The time axis.
  const double axis = y(order.size()) + kLane + 16;
  for (int i = 0; i <= 4; ++i) {
    const uint64_t at = m.begin + span * static_cast<uint64_t>(i) / 4;
    out += "<text x=\"" + number(x(at), "%.1f") + "\" y=\"" + number(axis, "%.1f") +
           "\" text-anchor=\"" +
           (i == 0   ? "start"
            : i == 4 ? "end"
                     : "middle") +
           "\" fill=\"#555\">" + trace_duration(m, at - m.begin) + "</text>\n";
  }
  out += "</svg>\n";
  return out;
}

std::string trace_summary(const TraceModel& m) {
  const uint64_t span = m.end - m.begin;
  std::string out =
      "  " + std::to_string(m.instants.size()) + " events over " + trace_duration(m, span) +
      (m.dropped != 0 ? ", " + std::to_string(m.dropped) + " dropped (the guest's ring was full)"
                      : "") +
      "\n";
  out += "  task             priority  CPU share\n";
  for (const auto& [n, t] : lanes(m)) {
    char row[128];
    std::snprintf(
        row, sizeof row, "  %-16s %8u  %8.2f%%\n", t->name.c_str(), t->priority,
        span == 0 ? 0.0 : 100.0 * static_cast<double>(t->run_ticks) / static_cast<double>(span));
    out += row;
  }
  const std::vector<TraceLatency> worst = m.worst_latencies(1);
  if (worst.empty()) {
    out += "  worst interrupt -> task latency: none seen (no task was woken by an interrupt)\n";
  } else {
    const TraceLatency& l = worst.front();
    out += "  worst interrupt -> task latency: " + trace_duration(m, l.ticks()) + " (irq " +
           std::to_string(l.intid) + " -> " + m.task_name(l.task) + ", at " +
           trace_duration(m, l.irq_at - m.begin) + "; " + std::to_string(m.latencies.size()) +
           " wake-ups by interrupts seen)\n";
  }
  return out;
}

}  // namespace petrel::tool
