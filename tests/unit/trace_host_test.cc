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
  // The drain's console lines (the guest's exit).
  std::vector<std::string> drain_lines() {
    trace::drain();
    console_flush();
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
      lines.push_back(out.substr(start, nl - start));
    return lines;
  }
  // The ring as the host tool reads it from the console.
  tool::TraceModel drained() {
    std::string error;
    const auto log = tool::parse_trace(drain_lines(), &error);
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
  EXPECT_NE(out.find(" events=64 dropped=36 capacity=64 streamed=0\n"), std::string::npos) << out;
}

TEST_F(TraceHost, TheDrainStopsRecording) {
  trace::mark(1);
  EXPECT_EQ(drained().instants.size(), 1u);
  trace::mark(2);  // after the drain (the guest's exit): dropped
  EXPECT_EQ(trace::g_ring.dropped, 1u);
}

// --- streaming: take() and the lines the pump sends (xen/trace_stream.h) ---

std::string without_newline(const char* line, size_t len) {
  return std::string(line, len > 0 && line[len - 1] == '\n' ? len - 1 : len);
}

// What the pump does once: take up to `max` events and add their batch to
// `stream`; returns how many it took.
size_t pump(std::vector<std::string>* stream, size_t max) {
  static trace::Event batch[64];
  uint32_t dropped = 0;
  const size_t n = trace::take(batch, max, &dropped);
  char line[trace::kStreamLineMax];
  if (stream->empty()) stream->push_back(without_newline(line, trace::stream_header(line)));
  if (n == 0 && dropped == 0) return 0;
  stream->push_back(
      without_newline(line, trace::batch_line(line, trace::streamed() - n, n, dropped)));
  for (size_t i = 0; i < n; ++i)
    stream->push_back(without_newline(line, trace::event_line(line, batch[i])));
  return n;
}

std::vector<uint32_t> marks(const tool::TraceLog& log) {
  std::vector<uint32_t> v;
  for (const tool::TraceRecord& r : log.records)
    if (r.kind == tool::TraceKind::kMark) v.push_back(r.word);
  return v;
}

TEST_F(TraceHost, TakeHandsOutTheEventsInOrderAndTheRingStartsAgain) {
  for (uint32_t i = 0; i < 10; ++i) trace::mark(i);
  trace::Event got[100];
  uint32_t dropped = 1;
  ASSERT_EQ(trace::take(got, 4, &dropped), 4u);
  EXPECT_EQ(dropped, 0u);
  EXPECT_EQ(got[3].word, 3u);
  ASSERT_EQ(trace::take(got, 100, &dropped), 6u);
  EXPECT_EQ(got[0].word, 4u);
  EXPECT_EQ(got[5].word, 9u);
  EXPECT_EQ(trace::g_ring.claimed, 0u) << "every claimed slot taken: the ring starts again";
  // A second pass through the ring: 64 fit, 6 are dropped and counted.
  for (uint32_t i = 0; i < 70; ++i) trace::mark(100 + i);
  ASSERT_EQ(trace::take(got, 100, &dropped), 64u);
  EXPECT_EQ(dropped, 6u);
  EXPECT_EQ(got[0].word, 100u);
  EXPECT_EQ(got[63].word, 163u);
  EXPECT_EQ(trace::streamed(), 74u);
  EXPECT_EQ(trace::take(got, 100, &dropped), 0u);
  EXPECT_EQ(dropped, 0u);
}

TEST_F(TraceHost, AClaimedSlotNotYetWrittenEndsTheBatchUntilItIs) {
  trace::mark(0);
  // A task preempted inside its trace point: the slot claimed, not written.
  const uint32_t slot = __atomic_fetch_add(&trace::g_ring.claimed, 1, __ATOMIC_RELAXED);
  trace::mark(2);
  trace::Event got[8];
  uint32_t dropped = 0;
  ASSERT_EQ(trace::take(got, 8, &dropped), 1u);
  EXPECT_EQ(got[0].word, 0u);
  EXPECT_EQ(trace::take(got, 8, &dropped), 0u) << "still not written";
  EXPECT_EQ(trace::g_ring.claimed, 3u) << "no reset while a slot is in flight";
  trace::g_ring.events[slot].stamp = 5;
  trace::g_ring.events[slot].word = 1;
  trace::g_ring.events[slot].head = static_cast<uint32_t>(trace::Kind::kMark);
  ASSERT_EQ(trace::take(got, 8, &dropped), 2u);
  EXPECT_EQ(got[0].word, 1u);
  EXPECT_EQ(got[1].word, 2u);
}

// A claim that found the ring full, its task preempted before ring_full()
// set `claimed` back: the reader starts the ring again in between, and the
// late ring_full() must not mark the emptied ring full.
TEST_F(TraceHost, ALateFullMarkDoesNotFillAnEmptiedRing) {
  for (uint32_t i = 0; i < 64; ++i) trace::mark(i);
  __atomic_fetch_add(&trace::g_ring.claimed, 1, __ATOMIC_RELAXED);  // the 65th claim
  trace::Event got[64];
  uint32_t dropped = 0;
  ASSERT_EQ(trace::take(got, 64, &dropped), 64u);
  EXPECT_EQ(trace::g_ring.claimed, 0u) << "every slot taken: the ring starts again";
  trace::ring_full();  // the preempted claim's task runs on
  EXPECT_EQ(trace::g_ring.claimed, 0u);
  trace::mark(100);
  ASSERT_EQ(trace::take(got, 64, &dropped), 1u);
  EXPECT_EQ(got[0].word, 100u);
  EXPECT_EQ(dropped, 1u) << "the 65th event";
}

TEST_F(TraceHost, TheStreamAndTheDrainAtExitMakeOneTrace) {
  std::vector<std::string> stream;
  for (uint32_t i = 0; i < 40; ++i) trace::mark(i);
  EXPECT_EQ(pump(&stream, 64), 40u);
  for (uint32_t i = 40; i < 100; ++i) trace::mark(i);  // more than the ring, across passes
  EXPECT_EQ(pump(&stream, 25), 25u);
  EXPECT_EQ(pump(&stream, 64), 35u);
  for (uint32_t i = 100; i < 110; ++i) trace::mark(i);
  EXPECT_EQ(pump(&stream, 4), 4u);
  // The guest exits: the drain prints the rest, after the streamed ones.
  const std::vector<std::string> drain = drain_lines();
  EXPECT_NE(out.find(" events=6 dropped=0 capacity=64 streamed=104\n"), std::string::npos) << out;
  std::string error;
  const auto log = tool::parse_streamed_trace(stream, drain, &error);
  ASSERT_TRUE(log) << error;
  std::vector<uint32_t> expected(110);
  for (uint32_t i = 0; i < 110; ++i) expected[i] = i;
  EXPECT_EQ(marks(*log), expected);
  EXPECT_EQ(log->lost, 0u);
  EXPECT_EQ(log->dropped, 0u);

  // A batch lost on the way is a hole; the last one lost is counted.
  std::vector<std::string> holed = stream;
  holed.erase(holed.begin() + 1, holed.begin() + 2 + 40);  // the first batch
  EXPECT_FALSE(tool::parse_streamed_trace(holed, drain, &error));
  EXPECT_NE(error.find("the stream has a hole"), std::string::npos) << error;
  std::vector<std::string> cut(stream.begin(), stream.end() - 5);  // the last batch and its line
  const auto short_log = tool::parse_streamed_trace(cut, drain, &error);
  ASSERT_TRUE(short_log) << error;
  EXPECT_EQ(short_log->lost, 4u);
  EXPECT_EQ(marks(*short_log).size(), 106u);
  // No stream at all, though the guest streamed: said so.
  EXPECT_FALSE(tool::parse_streamed_trace({}, drain, &error));
  EXPECT_NE(error.find("no stream arrived"), std::string::npos) << error;
}

}  // namespace
}  // namespace petrel::kernel::test
