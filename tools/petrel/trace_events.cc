#include "trace_events.h"

#include <algorithm>
#include <cstdio>

#include "text.h"

namespace petrel::tool {
namespace {

constexpr std::string_view kPrefix = "@petrel-trace ";

const char* const kKindNames[] = {
    "none",           "task create", "task name",  "task delete",   "switch",
    "ready",          "block",       "priority",   "irq enter",     "irq exit",
    "evtchn upcall",  "timer fire",  "queue send", "queue receive", "semaphore give",
    "semaphore take", "mutex lock",  "mutex take", "mutex unlock",  "mark",
};
static_assert(std::size(kKindNames) == static_cast<size_t>(TraceKind::kCount));

// The object kind a call names, for "blocked on mutex 0x...".
const char* object_kind(TraceKind k) {
  switch (k) {
    case TraceKind::kQueueSend:
    case TraceKind::kQueueReceive:
      return "queue";
    case TraceKind::kSemGive:
    case TraceKind::kSemTake:
      return "semaphore";
    case TraceKind::kMutexLock:
    case TraceKind::kMutexTake:
    case TraceKind::kMutexUnlock:
      return "mutex";
    default:
      return nullptr;
  }
}

std::optional<uint64_t> hex(std::string_view s, size_t digits) {
  if (s.size() != digits) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    v = v << 4 | static_cast<uint64_t>(d);
  }
  return v;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const size_t start = s.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    s.remove_prefix(start);
    const size_t end = s.find(' ');
    out.push_back(s.substr(0, end));
    if (end == std::string_view::npos) break;
    s.remove_prefix(end);
  }
  return out;
}

// "key=N" (decimal) for the expected key.
std::optional<uint64_t> field(std::string_view word, std::string_view key) {
  if (word.size() <= key.size() + 1 || word.substr(0, key.size()) != key || word[key.size()] != '=')
    return std::nullopt;
  return decimal(word.substr(key.size() + 1));
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

}  // namespace

const char* trace_kind_name(TraceKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i < std::size(kKindNames) ? kKindNames[i] : "unknown";
}

// An `e` line's words (w[0] == "e"): the record, or nothing with *what.
std::optional<TraceRecord> parse_event(const std::vector<std::string_view>& w,
                                       std::string_view line, std::string* what) {
  if (w.size() != 4) {
    *what = "malformed event '" + std::string(line) + "'";
    return std::nullopt;
  }
  const auto stamp = hex(w[1], 16);
  const auto head = hex(w[2], 8);
  const auto word = hex(w[3], 8);
  if (!stamp || !head || !word) {
    *what =
        "malformed event '" + std::string(line) + "' (expected 16, 8 and 8 lowercase hex digits)";
    return std::nullopt;
  }
  const auto kind = static_cast<uint32_t>(*head & 0xff);
  if (kind >= static_cast<uint32_t>(TraceKind::kCount)) {
    *what = "unknown event kind " + std::to_string(kind);
    return std::nullopt;
  }
  TraceRecord r;
  r.stamp = *stamp;
  r.kind = static_cast<TraceKind>(kind);
  r.small = static_cast<uint8_t>(*head >> 8);
  r.half = static_cast<uint16_t>(*head >> 16);
  r.word = static_cast<uint32_t>(*word);
  return r;
}

std::optional<TraceLog> parse_trace(const std::vector<std::string>& lines, std::string* error) {
  TraceLog log;
  bool begun = false, ended = false;
  uint64_t expected = 0;
  auto fail = [&](size_t index, const std::string& what) {
    *error = "trace line " + std::to_string(index + 1) + " of the guest's output: " + what;
    return std::nullopt;
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.substr(0, kPrefix.size()) != kPrefix) {
      if (line == "@petrel-trace") return fail(i, "empty");
      continue;
    }
    const std::vector<std::string_view> w = words(line.substr(kPrefix.size()));
    if (w.empty()) return fail(i, "empty");
    if (w[0] == "begin") {
      if (begun) return fail(i, "a second trace begins before the first ended");
      if (w.size() != 6 && w.size() != 7)
        return fail(i, "malformed begin line '" + std::string(line) + "'");
      if (w[1] != "v=1")
        return fail(i, "trace format " + std::string(w[1]) + ", this tool reads v=1");
      const auto freq = field(w[2], "freq");
      const auto events = field(w[3], "events");
      const auto dropped = field(w[4], "dropped");
      const auto capacity = field(w[5], "capacity");
      const auto streamed = w.size() == 7 ? field(w[6], "streamed") : std::optional<uint64_t>(0);
      if (!freq || !events || !dropped || !capacity || !streamed || *freq == 0 ||
          *events > *capacity || *capacity > (1u << 24) || *dropped > UINT32_MAX)
        return fail(i, "malformed begin line '" + std::string(line) + "'");
      log.streamed = *streamed;
      log.frequency = *freq;
      log.capacity = static_cast<uint32_t>(*capacity);
      log.dropped = static_cast<uint32_t>(*dropped);
      expected = *events;
      log.records.reserve(expected);
      begun = true;
    } else if (w[0] == "e") {
      if (!begun) return fail(i, "an event before the trace's begin line");
      if (ended) return fail(i, "an event after the trace's end line");
      if (log.records.size() == expected)
        return fail(
            i, "more events than the " + std::to_string(expected) + " the begin line announced");
      std::string what;
      const auto r = parse_event(w, line, &what);
      if (!r) return fail(i, what);
      log.records.push_back(*r);
    } else if (w[0] == "end") {
      if (!begun) return fail(i, "the trace's end line before its begin line");
      if (ended) return fail(i, "a second end line");
      const auto events = w.size() == 2 ? field(w[1], "events") : std::nullopt;
      if (!events) return fail(i, "malformed end line '" + std::string(line) + "'");
      if (*events != expected || log.records.size() != expected)
        return fail(i, "the trace ends with " + std::to_string(log.records.size()) +
                           " events, but it announced " + std::to_string(expected) +
                           " (lines lost on the console)");
      ended = true;
    } else {
      return fail(i, "unknown trace line '" + std::string(line) + "'");
    }
  }
  if (!begun) {
    *error =
        "no trace in the guest's output (no '@petrel-trace begin' line: was the guest built "
        "with PETREL_TRACE=ON, and did it exit?)";
    return std::nullopt;
  }
  if (!ended) {
    *error = "the trace is truncated: " + std::to_string(log.records.size()) + " of " +
             std::to_string(expected) + " events, and no end line";
    return std::nullopt;
  }
  return log;
}

std::optional<TraceLog> parse_streamed_trace(const std::vector<std::string>& stream,
                                             const std::vector<std::string>& drain,
                                             std::string* error) {
  std::optional<TraceLog> log = parse_trace(drain, error);
  if (!log) return std::nullopt;
  std::vector<TraceRecord> records;
  uint64_t dropped = 0;
  uint64_t pending = 0;  // `e` lines the current batch still announces
  bool header = false;
  auto fail = [&](size_t index, const std::string& what) {
    *error = "stream line " + std::to_string(index + 1) + ": " + what;
    return std::nullopt;
  };
  for (size_t i = 0; i < stream.size(); ++i) {
    std::string_view line = stream[i];
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.substr(0, kPrefix.size()) != kPrefix) continue;
    const std::vector<std::string_view> w = words(line.substr(kPrefix.size()));
    if (w.empty()) return fail(i, "empty");
    if (w[0] == "stream") {
      const auto freq = w.size() == 4 && w[1] == "v=1" ? field(w[2], "freq") : std::nullopt;
      if (header || !freq || *freq != log->frequency)
        return fail(i, "unexpected stream header '" + std::string(line) + "'");
      header = true;
    } else if (w[0] == "batch") {
      const auto first = w.size() == 4 ? field(w[1], "first") : std::nullopt;
      const auto events = w.size() == 4 ? field(w[2], "events") : std::nullopt;
      const auto more = w.size() == 4 ? field(w[3], "dropped") : std::nullopt;
      if (!header || pending != 0 || !first || !events || !more)
        return fail(i, "malformed or misplaced batch line '" + std::string(line) + "'");
      if (*first != records.size())
        return fail(i, "the stream has a hole: this batch starts at event " +
                           std::to_string(*first) + ", the ones before ended at " +
                           std::to_string(records.size()) + " (lines lost on the way)");
      pending = *events;
      dropped += *more;
    } else if (w[0] == "e") {
      if (pending == 0) return fail(i, "an event outside a batch");
      std::string what;
      const auto r = parse_event(w, line, &what);
      if (!r) return fail(i, what);
      records.push_back(*r);
      --pending;
    } else {
      return fail(i, "unknown stream line '" + std::string(line) + "'");
    }
  }
  // A last batch cut short (the guest ended while dom0 printed it) counts
  // its missing events as lost, below.
  if (records.size() > log->streamed) {
    *error = "the stream carried " + std::to_string(records.size()) + " events, more than the " +
             std::to_string(log->streamed) + " the guest sent";
    return std::nullopt;
  }
  if (!header && log->streamed != 0) {
    *error = "the guest streamed " + std::to_string(log->streamed) +
             " events, but no stream arrived (was dom0's reader running?)";
    return std::nullopt;
  }
  log->lost = log->streamed - records.size();
  log->dropped = static_cast<uint32_t>(std::min<uint64_t>(log->dropped + dropped, UINT32_MAX));
  records.insert(records.end(), log->records.begin(), log->records.end());
  log->records = std::move(records);
  return log;
}

const std::string& TraceModel::task_name(uint32_t task) const {
  static const std::string kNoTask = "(none)";
  const auto it = tasks.find(task);
  return it == tasks.end() ? kNoTask : it->second.name;
}

std::vector<TraceLatency> TraceModel::worst_latencies(size_t n) const {
  std::vector<TraceLatency> out = latencies;
  std::stable_sort(out.begin(), out.end(), [](const TraceLatency& a, const TraceLatency& b) {
    return a.ticks() > b.ticks();
  });
  if (out.size() > n) out.resize(n);
  return out;
}

TraceModel build_model(const TraceLog& log) {
  TraceModel m;
  m.frequency = log.frequency;
  m.dropped = log.dropped;

  // Tasks by their number in the trace, in the order they appear: the
  // kernel's IDs start again at 1 after a kernel_reset (kernel-tests, the
  // bench), and a task created under an ID seen before is a new task.
  std::map<uint32_t, uint32_t> number_of_id;
  uint32_t next_number = 1;
  auto fresh = [&](uint32_t id) {
    const uint32_t n = next_number++;
    number_of_id[id] = n;
    TraceTask& t = m.tasks[n];
    t.id = id;
    t.name = "task " + std::to_string(id);
    return n;
  };
  // The number of the task the kernel calls `id` now (0: none, the boot
  // context). 16-bit fields hold an ID's low bits: IDs stay below 65536.
  auto number = [&](uint32_t id) -> uint32_t {
    if (id == 0) return 0;
    const auto it = number_of_id.find(id);
    return it != number_of_id.end() ? it->second : fresh(id);
  };
  auto task = [&](uint32_t n) -> TraceTask& { return m.tasks[n]; };
  std::map<uint32_t, std::string> name_chunks[2];

  bool timed = false;
  uint64_t now = 0;
  uint32_t current = 0;
  bool running = false;  // `current` runs since run_start
  uint64_t run_start = 0;
  unsigned irq_depth = 0;
  uint64_t irq_start = 0;
  uint32_t irq_id = 0;
  struct Pending {
    uint64_t irq_at;
    uint32_t intid;
  };
  std::map<uint32_t, Pending> woken_by_irq;
  // The last call on an object by each task since it last ran: what a
  // wait-queue block is on.
  std::map<uint32_t, std::pair<TraceKind, uint32_t>> last_call;

  for (const TraceRecord& r : log.records) {
    if (r.kind == TraceKind::kNone) {
      ++m.unfinished;
      continue;
    }
    if (r.kind == TraceKind::kTaskName) {
      if (r.small < 2) {
        std::string chunk;
        for (int i = 0; i < 8; ++i) {
          const char c = static_cast<char>(r.stamp >> (8 * i));
          if (c == '\0') break;
          chunk.push_back(c >= 0x20 && c < 0x7f ? c : '?');
        }
        name_chunks[r.small][r.word] = chunk;
        task(number(r.word)).name = name_chunks[0][r.word] + name_chunks[1][r.word];
      }
      continue;
    }
    if (!timed) {
      m.begin = now = r.stamp;
      timed = true;
    }
    now = std::max(now, r.stamp);

    TraceInstant in;
    in.at = now;
    in.kind = r.kind;
    in.task = current;
    in.object = r.word;
    switch (r.kind) {
      case TraceKind::kTaskCreate:
        name_chunks[0].erase(r.word);
        name_chunks[1].erase(r.word);
        in.task = fresh(r.word);
        task(in.task).priority = r.small;
        in.object = 0;
        in.value = r.small;
        in.detail = "priority " + std::to_string(r.small);
        break;
      case TraceKind::kTaskDelete:
        in.task = number(r.word);
        in.object = 0;
        break;
      case TraceKind::kSwitch: {
        const uint32_t next = number(r.word);
        if (running && current != 0) {
          m.runs.push_back({current, run_start, now});
          task(current).run_ticks += now - run_start;
        }
        const uint32_t prev = running ? current : number(r.half);
        in.detail = "from " + (prev == 0 ? std::string("(boot)") : task(prev).name);
        current = next;
        running = true;
        run_start = now;
        in.task = next;
        in.object = 0;
        in.value = next;
        if (next == 0) {  // the scheduler stopped: on the last task's lane
          in.task = prev;
          in.detail = "to (boot): the scheduler stopped";
        } else {
          (void)task(next);
        }
        last_call.erase(next);
        if (const auto it = woken_by_irq.find(next); it != woken_by_irq.end()) {
          m.latencies.push_back({it->second.intid, next, it->second.irq_at, now});
          woken_by_irq.erase(it);
        }
        break;
      }
      case TraceKind::kReady:
        in.task = number(r.word);
        in.object = 0;
        in.from_isr = irq_depth > 0;
        if (irq_depth > 0 && in.task != current)
          woken_by_irq.try_emplace(in.task, Pending{irq_start, irq_id});
        break;
      case TraceKind::kBlock: {
        in.task = r.half != 0 ? number(r.half) : current;
        const auto call = last_call.find(in.task);
        if (r.small == 0) {
          in.detail = "delay";
        } else if (call != last_call.end() && object_kind(call->second.first) != nullptr) {
          in.object = call->second.second;
          in.detail = std::string("on ") + object_kind(call->second.first) + " " +
                      hex32(call->second.second);
        } else {
          in.detail = "on wait queue " + hex32(r.word);
        }
        woken_by_irq.erase(in.task);
        break;
      }
      case TraceKind::kPriority:
        in.task = number(r.word);
        in.object = 0;
        in.value = r.small;
        in.detail = std::to_string(r.half) + " -> " + std::to_string(r.small);
        break;
      case TraceKind::kIrqEnter:
        in.detail = "irq " + std::to_string(r.word);
        if (irq_depth++ == 0) {
          irq_start = now;
          irq_id = r.word;
        }
        break;
      case TraceKind::kIrqExit:
        in.detail = "irq " + std::to_string(r.word);
        if (irq_depth > 0 && --irq_depth == 0) m.irqs.push_back({irq_id, irq_start, now});
        break;
      case TraceKind::kMutexTake:
        in.task = number(r.half);
        break;
      case TraceKind::kMark:
        in.object = 0;
        in.value = r.word;
        in.detail = std::to_string(r.word);
        break;
      case TraceKind::kEvtchn:
        in.detail = "port " + std::to_string(r.word);
        break;
      default:
        break;
    }
    if (object_kind(r.kind) != nullptr) {
      in.from_isr = r.small != 0;
      in.detail = std::string(object_kind(r.kind)) + " " + hex32(r.word);
      if (in.task != 0 && r.kind != TraceKind::kMutexTake) last_call[in.task] = {r.kind, r.word};
    }
    m.instants.push_back(std::move(in));
  }
  m.end = now;
  if (running && current != 0) {
    m.runs.push_back({current, run_start, now});
    task(current).run_ticks += now - run_start;
  }
  if (irq_depth > 0) m.irqs.push_back({irq_id, irq_start, now});
  return m;
}

}  // namespace petrel::tool
