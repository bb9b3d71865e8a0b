// The trace pump (trace_stream.h): take() the recorded events, write them as
// lines to dom0's vchan, sleep 10 ms when the ring had less than a batch.
#include "petrel/xen/trace_stream.h"

#include "petrel/bootargs.h"
#include "petrel/console.h"
#include "petrel/kernel/config.h"
#include "petrel/kernel/task.h"
#include "petrel/kernel/trace.h"
#include "petrel/xen/types.h"
#include "petrel/xen/vchan.h"

namespace petrel::xen::trace_stream {
namespace {

namespace trace = kernel::trace;

constexpr size_t kBatch = 256;
constexpr kernel::Ticks kPeriod{10};

trace::Event g_batch[kBatch];
// A batch's lines: its batch line and kBatch event lines.
char g_text[(kBatch + 1) * trace::kStreamLineMax];
bool g_connected = false;
bool g_stop = false;     // finish() asks the pump to stop
bool g_stopped = false;  // the pump stopped: what it sent, dom0 has read

void pump_task(void*) {
  auto v = vchan::server(kDomain0, kPath, 1024, 65536);
  if (!v) {
    print("petrel: trace stream: %s\n", v.error().message);
    return;
  }
  if (Status st = (*v)->wait_connected(kernel::Ticks{120'000}); !st) {
    print("petrel: trace stream: no reader in dom0: %s\n", st.error().message);
    (*v)->close();
    return;
  }
  __atomic_store_n(&g_connected, true, __ATOMIC_RELEASE);
  size_t len = trace::stream_header(g_text);
  if (Status st = (*v)->write_all(g_text, len, kernel::Ticks{5000}); !st) {
    print("petrel: trace stream: %s\n", st.error().message);
    return;
  }
  for (;;) {
    if (__atomic_load_n(&g_stop, __ATOMIC_ACQUIRE)) {
      // Between batches: what was sent is read (5 s at most), then stop.
      (void)(*v)->wait_drained(kernel::Ticks{5000});
      __atomic_store_n(&g_stopped, true, __ATOMIC_RELEASE);
      return;
    }
    uint32_t dropped = 0;
    const size_t n = trace::take(g_batch, kBatch, &dropped);
    if (n != 0 || dropped != 0) {
      len = trace::batch_line(g_text, trace::streamed() - n, n, dropped);
      for (size_t i = 0; i < n; ++i) len += trace::event_line(g_text + len, g_batch[i]);
      // Lost if dom0 stops reading: the drain's streamed= then counts them.
      if (Status st = (*v)->write_all(g_text, len, kernel::Ticks{5000}); !st) {
        print("petrel: trace stream: %s; streaming stops\n", st.error().message);
        return;
      }
    }
    if (n < kBatch) kernel::task_delay(kPeriod);
  }
}

}  // namespace

bool reader_connected() {
  return __atomic_load_n(&g_connected, __ATOMIC_ACQUIRE);
}

Status finish(kernel::Ticks timeout) {
  if (!reader_connected()) return Error{Errc::kNotFound, "trace stream: not streaming"};
  __atomic_store_n(&g_stop, true, __ATOMIC_RELEASE);
  for (uint64_t waited = 0; !__atomic_load_n(&g_stopped, __ATOMIC_ACQUIRE); waited += 10) {
    if (waited >= timeout.count)
      return Error{Errc::kTimeout, "trace stream: the pump did not finish in time"};
    kernel::task_delay(kernel::Ticks{10});
  }
  return ok();
}

Status start_if_asked(const char* bootargs) {
  if constexpr (!kernel::config::kTrace) return ok();
  if (!bootarg_present(bootargs, "trace-stream")) return ok();
  auto t = kernel::task_create(kernel::TaskConfig{"trace-pump", 1, 8 * 1024, pump_task, nullptr});
  if (!t) return t.error();
  return ok();
}

}  // namespace petrel::xen::trace_stream
