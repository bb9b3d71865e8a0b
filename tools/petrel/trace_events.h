// The scheduler trace on the host side (`petrel trace`, docs/debugging.md):
// reading the `@petrel-trace` lines a traced guest prints at exit
// (kernel/include/petrel/kernel/trace.h) and making sense of them: who ran
// when, interrupts, and how long a task woken by an interrupt took to run.
// Pure code, unit-tested on the host (tests/unit/trace_events_test.cc).
//
// The guest's lines (console prefixes removed):
//   @petrel-trace begin v=1 freq=HZ events=N dropped=D capacity=C [streamed=S]
//   @petrel-trace e STAMP HEAD WORD          N of them; hex, 16, 8 and 8 digits
//   @petrel-trace end events=N
// HEAD is kind | small << 8 | half << 16. A guest that streamed its trace
// over vchan (xen/trace_stream.h: dom0 prints what it receives) drains at
// exit only what it had not sent: streamed=S, the events sent before. The
// stream's lines:
//   @petrel-trace stream v=1 freq=HZ capacity=C
//   @petrel-trace batch first=F events=N dropped=D    then N `e` lines Anything wrong (a line cut
//   short
// or garbled, events missing, no end) is an error that says which line and
// what was expected: a trace with a hole would tell a wrong story.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::tool {

// The kernel's trace::Kind, number for number.
enum class TraceKind : uint8_t {
  kNone = 0,  // a slot claimed but never written (the run ended first)
  kTaskCreate = 1,
  kTaskName = 2,
  kTaskDelete = 3,
  kSwitch = 4,
  kReady = 5,
  kBlock = 6,
  kPriority = 7,
  kIrqEnter = 8,
  kIrqExit = 9,
  kEvtchn = 10,
  kTimerFire = 11,
  kQueueSend = 12,
  kQueueReceive = 13,
  kSemGive = 14,
  kSemTake = 15,
  kMutexLock = 16,
  kMutexTake = 17,
  kMutexUnlock = 18,
  kMark = 19,
  kCount
};

// "switch", "mutex take", ...: the event names of the JSON output.
const char* trace_kind_name(TraceKind kind);

struct TraceRecord {
  uint64_t stamp = 0;  // counter value (kTaskName: 8 bytes of the name)
  TraceKind kind = TraceKind::kNone;
  uint8_t small = 0;
  uint16_t half = 0;
  uint32_t word = 0;
};

struct TraceLog {
  uint64_t frequency = 0;  // counter ticks per second
  uint32_t capacity = 0;   // the guest's ring, in events
  uint32_t dropped = 0;    // events the full ring refused
  uint64_t streamed = 0;   // events the guest sent over vchan before its drain
  uint64_t lost = 0;       // of those, how many never arrived (sent as the guest ended)
  std::vector<TraceRecord> records;
};

// The trace among `lines` (the guest's console text; other lines are
// skipped); nothing, with *error saying what is wrong, if there is none or
// it is malformed or truncated.
std::optional<TraceLog> parse_trace(const std::vector<std::string>& lines, std::string* error);

// A streamed trace: the stream's lines (`stream`, as dom0 printed them) and
// the guest's drain at exit (`drain`), one log. A batch that does not start
// where the one before ended is an error (a hole in the middle); events the
// drain counts as streamed that never arrived are the log's `lost` (the
// pump held them when the guest ended). No stream line at all is an error
// only if the drain says events were streamed.
std::optional<TraceLog> parse_streamed_trace(const std::vector<std::string>& stream,
                                             const std::vector<std::string>& drain,
                                             std::string* error);

// --- what the records say ---

// Tasks are known by their number in the trace (1, 2, ... in the order
// they appear), not the kernel's ID, which starts again at 1 after a
// kernel_reset (kernel-tests, the bench): a task created under an ID seen
// before is a new task. Every `task` below is such a number.
struct TraceTask {
  uint32_t id = 0;         // the kernel's (Task::id)
  std::string name;        // "task 7" until its name is seen
  unsigned priority = 0;   // at creation
  uint64_t run_ticks = 0;  // counter ticks it ran within the trace
};

struct TraceSlice {  // a task running, or an interrupt handler
  uint32_t id = 0;   // task number, or interrupt ID
  uint64_t begin = 0, end = 0;
};

// A task made ready inside an interrupt handler, and when it ran.
struct TraceLatency {
  uint32_t intid = 0;
  uint32_t task = 0;
  uint64_t irq_at = 0;  // the outermost handler's entry
  uint64_t run_at = 0;  // the switch to the task
  uint64_t ticks() const { return run_at - irq_at; }
};

// One record in time order, with the task it concerns resolved (the
// running task for calls, the record's own for ready and priority).
struct TraceInstant {
  uint64_t at = 0;
  TraceKind kind = TraceKind::kNone;
  uint32_t task = 0;    // 0: no task (before the first switch)
  uint32_t object = 0;  // the object, interrupt ID or port; 0: none
  unsigned value = 0;   // kPriority: the new priority; kSwitch: the task switched to
  bool from_isr = false;
  std::string detail;  // "on mutex 0x40081230", "3 -> 5", ...
};

struct TraceModel {
  uint64_t frequency = 0;
  uint64_t begin = 0, end = 0;  // counter values of the first and last event
  uint32_t dropped = 0;
  size_t unfinished = 0;                // slots claimed but never written
  std::map<uint32_t, TraceTask> tasks;  // by task number
  std::vector<TraceSlice> runs;         // tasks running
  std::vector<TraceSlice> irqs;         // interrupt handlers (outermost)
  std::vector<TraceLatency> latencies;
  std::vector<TraceInstant> instants;  // every record but names, in order

  double seconds(uint64_t ticks) const {
    return frequency == 0 ? 0 : static_cast<double>(ticks) / static_cast<double>(frequency);
  }
  const std::string& task_name(uint32_t task) const;
  // The longest interrupt -> task latencies, longest first (at most n).
  std::vector<TraceLatency> worst_latencies(size_t n) const;
};

// Follows the records in ring order; a counter value below the one before
// (a trace point interrupted between its counter read and its slot) counts
// as the one before, so time never goes backwards.
TraceModel build_model(const TraceLog& log);

}  // namespace petrel::tool
