// trace-stream: more trace events than the ring holds, for the streamed
// trace (`petrel trace trace-stream --dom0`, tests/system/trace_stream.sh).
// Once dom0's reader is connected, a task records the marks 0 .. kMarks - 1
// in rounds of kRound, and after each waits until the pump
// (xen/trace_stream.h) has taken most of what the ring holds (less than a
// round is left), however slowly dom0 reads; then it ends the stream
// (finish(): dom0 has read all of it) and the guest exits 0. Without streaming the ring
// (8192 events in the traced presets) would keep the first marks and drop the rest.
#include <petrel/console.h>
#include <petrel/exit.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/task.h>
#include <petrel/kernel/trace.h>
#include <petrel/xen/trace_stream.h>

namespace {

using namespace petrel;
using namespace petrel::kernel;

constexpr uint32_t kMarks = 12000;
constexpr uint32_t kRound = 2000;

void marker(void*) {
  for (int i = 0; !xen::trace_stream::reader_connected(); ++i) {
    if (i == 3000) {
      print("trace-stream: no reader of the trace stream after 30 s\n");
      exit(1);
    }
    task_delay(Ticks{10});
  }
  for (uint32_t m = 0; m < kMarks;) {
    for (uint32_t i = 0; i < kRound && m < kMarks; ++i) trace::mark(m++);
    for (int i = 0; __atomic_load_n(&trace::g_ring.claimed, __ATOMIC_RELAXED) >= kRound; ++i) {
      if (i == 6000) {
        print("trace-stream: the pump has not emptied the ring in 60 s (after mark %u)\n", m);
        exit(1);
      }
      task_delay(Ticks{10});
    }
  }
  // The whole stream read by dom0 before the exit: nothing lost.
  if (Status st = xen::trace_stream::finish(Ticks{30'000}); !st) {
    print("trace-stream: %s\n", st.error().message);
    exit(1);
  }
  print("trace-stream: %u marks recorded\n", kMarks);
  exit(0);
}

}  // namespace

extern "C" int main() {
  if (!task_create(TaskConfig{"marker", 2, 8 * 1024, marker, nullptr}))
    panic("trace-stream: cannot create the task");
  scheduler_start();
  return 0;
}
