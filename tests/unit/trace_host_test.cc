// The scheduler trace's kernel side on the host port, built with the trace
// on and a ring of 64 events (petrel_kernel_host_traced): the trace points
// of a priority inversion, the drain read back by the host tool's reader
// (tools/petrel/trace_events.h), and a full ring.
#include <string>
#include <vector>

#include "kernel_fixture.h"
#include "petrel/console.h"
#include "petrel/kernel/mutex.h"
#include "petrel/kernel/trace.h"
#include "trace_events.h"

namespace petrel::kernel::test {
namespace {

static_assert(config::kTrace && trace::kCapacity == 64, "built with the trace on, 64 events");

std::string* g_out;
void capture(const char* text, size_t len) {
  g_out->append(text, len);
}

struct TraceHost : KernelTest {
  std::string out;
  void SetUp() override {
    KernelTest::SetUp();
    trace::reset();
    g_out = &out;
    console_set_output(capture, "capture");
  }
  void TearDown() override {
    console_flush();
    KernelTest::TearDown();
  }
  // The ring as the host tool reads it from the console.
  tool::TraceModel drained() {
    trace::drain();
    console_flush();
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
      lines.push_back(out.substr(start, nl - start));
    std::string error;
    const auto log = tool::parse_trace(lines, &error);
    EXPECT_TRUE(log.has_value()) << error << "\n" << out;
    dropped = log ? log->dropped : 0;
    return log ? tool::build_model(*log) : tool::TraceModel{};
  }
  uint32_t dropped = 0;
};

// The instants of `m` as "event task [detail]", in order, without the
// ready events and creations (their order is the scheduler's business).
std::vector<std::string> story(const tool::TraceModel& m) {
  std::vector<std::string> out;
  for (const tool::TraceInstant& in : m.instants) {
    if (in.kind == tool::TraceKind::kReady || in.kind == tool::TraceKind::kTaskCreate) continue;
    std::string line = std::string(tool::trace_kind_name(in.kind)) + " " + m.task_name(in.task);
    if (in.kind == tool::TraceKind::kPriority || in.kind == tool::TraceKind::kBlock)
      line += " " + in.detail.substr(0, in.detail.find(" 0x"));
    out.push_back(line);
  }
  return out;
}

TEST_F(TraceHost, APriorityInversionIsRecordedInOrder) {
  static Mutex m{MutexType::kNormal};
  ASSERT_TRUE(mutex_init(&m, MutexType::kNormal).ok());
  static Task* high_task;
  auto high = [] {
    ASSERT_TRUE(mutex_lock(&m).ok());  // blocks: low holds it
    ASSERT_TRUE(mutex_unlock(&m).ok());
  };
  auto low = [&] {
    ASSERT_TRUE(mutex_lock(&m).ok());
    task_resume(high_task);  // high runs, blocks on m, and lends low its priority
    EXPECT_EQ(task_priority(nullptr), 3);
    ASSERT_TRUE(mutex_unlock(&m).ok());  // high runs at once
    EXPECT_EQ(task_priority(nullptr), 1);
  };
  high_task = spawn_fn("high", 3, &high);
  task_suspend(high_task);
  spawn_fn("low", 1, &low);
  scheduler_start();

  const tool::TraceModel model = drained();
  EXPECT_EQ(dropped, 0u);
  const std::vector<std::string> expected = {
      "switch low",  // (high was suspended before the start)
      "mutex lock low",    "mutex take low",
      "switch high",  // resumed: it outranks low
      "mutex lock high",   "priority low 1 -> 3", "block high on mutex", "switch low",
      "mutex unlock low",  "mutex take high",     "priority low 3 -> 1", "switch high",
      "mutex unlock high", "task delete high",    "switch low",          "task delete low",
  };
  std::vector<std::string> got = story(model);
  // After low's deletion: the idle task and the scheduler's stop.
  ASSERT_GE(got.size(), expected.size()) << ::testing::PrintToString(got);
  got.resize(expected.size());
  EXPECT_EQ(got, expected);
  EXPECT_EQ(model.task_name(1), "high");
  EXPECT_EQ(model.task_name(2), "low");
}

TEST_F(TraceHost, AFullRingKeepsTheFirstEventsAndCountsTheRest) {
  for (uint32_t i = 0; i < 100; ++i) trace::mark(i);
  const tool::TraceModel model = drained();
  EXPECT_EQ(dropped, 36u);
  ASSERT_EQ(model.instants.size(), 64u);
  for (uint32_t i = 0; i < 64; ++i) {
    EXPECT_EQ(model.instants[i].kind, tool::TraceKind::kMark);
    EXPECT_EQ(model.instants[i].value, i);
  }
  EXPECT_NE(out.find("@petrel-trace begin v=1 freq="), std::string::npos);
  EXPECT_NE(out.find(" events=64 dropped=36 capacity=64\n"), std::string::npos) << out;
}

TEST_F(TraceHost, TheDrainStopsRecording) {
  trace::mark(1);
  EXPECT_EQ(drained().instants.size(), 1u);
  trace::mark(2);  // after the drain (the guest's exit): dropped
  EXPECT_EQ(trace::g_ring.dropped, 1u);
}

}  // namespace
}  // namespace petrel::kernel::test
