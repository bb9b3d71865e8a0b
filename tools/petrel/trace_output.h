// What `petrel trace` writes from a TraceModel (trace_events.h): a
// Chrome/Perfetto trace-event JSON file, an SVG timeline, and the summary
// it prints. Pure code, unit-tested on the host.
#pragma once

#include <string>

#include "trace_events.h"

namespace petrel::tool {

// The trace-event format ("JSON Object Format": {"traceEvents": [...]}),
// which Perfetto's UI and chrome://tracing open. One process (`title`);
// one thread per task (tid = task ID) with its name and a complete ("X")
// event per stretch it ran; interrupt handlers on a thread of their own
// (tid 0, "interrupts"); every record as an instant ("i") event on its
// task's thread, with args task, object, detail and seq (its place in the
// ring). Times are microseconds from the first event. One event per line,
// the instants in ring order first, so the order can be checked by line
// (tests/system/trace_order.sh).
std::string trace_json(const TraceModel& model, const std::string& title);

// A timeline: a lane per task (highest creation priority on top) with the
// stretches it ran, a lane of interrupt handlers, ticks where a task
// blocked, and the `labelled` longest interrupt -> task latencies drawn
// from the interrupt to the task's start and labelled with their length.
std::string trace_svg(const TraceModel& model, const std::string& title, size_t labelled = 3);

// The printed summary: events and span, each task's CPU share, the worst
// interrupt -> task latency (or that none was seen).
std::string trace_summary(const TraceModel& model);

// "12.345 us", "1.234 ms", from counter ticks.
std::string trace_duration(const TraceModel& model, uint64_t ticks);

}  // namespace petrel::tool
