// Streaming the scheduler trace to dom0 while the guest runs
// (docs/debugging.md "Streaming with a dom0"). In a traced build
// (PETREL_TRACE=ON), with "trace-stream" on the guest's command line and
// xenstore there (a guest made by `xl create`), boot starts a task,
// "trace-pump", that serves a vchan for dom0 at data/petrel-trace and sends
// what the ring recorded (kernel/trace.h: take()) every 10 ms as the
// stream's lines. The ring is then no longer the limit of a trace: it only
// has to hold what 10 ms (and the pump's turn) record. What the pump had not
// sent when the guest ends is drained at exit as usual, `streamed=N` saying
// how many went before. `petrel trace APP --dom0` reads both
// (tools/dom0/trace-stream.sh is dom0's side).
//
// The pump runs at priority 1: tasks above it that keep the CPU busy for
// longer than the ring holds make it drop events (counted, and reported).
// Its own work (vchan writes, their event-channel notifications) is in the
// trace, on its lane.
#pragma once

#include "petrel/kernel/ticks.h"
#include "petrel/result.h"

namespace petrel::xen::trace_stream {

// The vchan's xenstore path, under the guest's home.
inline constexpr const char* kPath = "data/petrel-trace";

// Starts the pump when the trace is built in and the command line asks for
// it; nothing otherwise. Boot calls it once xenstore is up.
Status start_if_asked(const char* bootargs);

// True once dom0's reader has connected: from then on the stream carries
// what is recorded. (Before, events wait in the ring, as many as it holds.)
bool reader_connected();

// Ends the stream before the app exits: the pump finishes the batch it is
// sending, waits until dom0 has read everything sent, and stops; what is
// recorded after goes to the drain at exit. Without it, a batch the pump
// is sending when the guest ends is lost (counted as such). Task context;
// waits up to `timeout` (in ticks), then fails (kTimeout); kNotFound when
// no stream is running.
Status finish(kernel::Ticks timeout);

}  // namespace petrel::xen::trace_stream
