// The host side of the scheduler trace (tools/petrel/trace_events.h,
// trace_output.h): reading a traced guest's `@petrel-trace` lines, the
// model built from them, and the JSON, SVG and summary written from it, on
// known event streams, and the errors for malformed and truncated ones.
#include "trace_events.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "trace_output.h"

namespace petrel::tool {
namespace {

// An event line as the guest prints it (kernel/src/trace.cc).
std::string event(uint64_t stamp, TraceKind kind, uint32_t small, uint32_t half, uint32_t word) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "@petrel-trace e %016llx %08x %08x",
                static_cast<unsigned long long>(stamp),
                static_cast<unsigned>(kind) | small << 8 | half << 16, word);
  return buf;
}

uint64_t name_bytes(const char* s) {
  uint64_t v = 0;
  for (int i = 0; i < 8 && s[i] != '\0'; ++i)
    v |= uint64_t{static_cast<unsigned char>(s[i])} << (8 * i);
  return v;
}

constexpr uint32_t kMutex = 0x40081230;
constexpr uint32_t kMutexQueue = 0x40081240;
constexpr uint32_t kLow = 1, kHigh = 2, kIdle = 3;

// A priority inversion resolved by inheritance, on a 1 MHz counter (a tick
// is a microsecond): low takes the mutex; an interrupt wakes high, which
// blocks on the mutex; low is boosted, gives it, drops back; high runs.
std::vector<std::string> inversion_events() {
  using K = TraceKind;
  return {
      event(10, K::kTaskCreate, 1, 0, kLow),
      event(name_bytes("low"), K::kTaskName, 0, 0, kLow),
      event(11, K::kReady, 1, 0, kLow),
      event(12, K::kTaskCreate, 3, 0, kHigh),
      event(name_bytes("high"), K::kTaskName, 0, 0, kHigh),
      event(13, K::kTaskCreate, 0, 0, kIdle),
      event(name_bytes("idle"), K::kTaskName, 0, 0, kIdle),
      event(100, K::kSwitch, 0, 0, kLow),  // from boot
      event(110, K::kMutexLock, 0, 0, kMutex),
      event(111, K::kMutexTake, 0, kLow, kMutex),
      event(200, K::kIrqEnter, 0, 0, 27),
      event(201, K::kTimerFire, 0, 0, 0),
      event(202, K::kReady, 3, 0, kHigh),
      event(203, K::kIrqExit, 0, 0, 27),
      event(205, K::kSwitch, 1, kLow, kHigh),  // low ready, preempted: 5 us after the interrupt
      event(210, K::kMutexLock, 0, 0, kMutex),
      event(211, K::kPriority, 3, 1, kLow),
      event(212, K::kBlock, 1, kHigh, kMutexQueue),
      event(213, K::kSwitch, 2, kHigh, kLow),
      event(300, K::kMutexUnlock, 0, 0, kMutex),
      event(301, K::kMutexTake, 0, kHigh, kMutex),
      event(302, K::kReady, 3, 0, kHigh),
      event(303, K::kPriority, 1, 3, kLow),
      event(304, K::kSwitch, 1, kLow, kHigh),
      event(400, K::kSwitch, 2, kHigh, kIdle),
      event(500, K::kSwitch, 0, kIdle, 0),  // the scheduler stops
  };
}

std::vector<std::string> framed(const std::vector<std::string>& events, size_t announced) {
  std::vector<std::string> lines = {"hello from the guest",
                                    "@petrel-trace begin v=1 freq=1000000 events=" +
                                        std::to_string(announced) + " dropped=0 capacity=8192"};
  lines.insert(lines.end(), events.begin(), events.end());
  lines.push_back("@petrel-trace end events=" + std::to_string(announced));
  lines.emplace_back("@petrel-exit reason=poweroff code=0");
  return lines;
}

std::vector<std::string> inversion() {
  const auto e = inversion_events();
  return framed(e, e.size());
}

TraceModel model_of(const std::vector<std::string>& lines) {
  std::string error;
  const auto log = parse_trace(lines, &error);
  EXPECT_TRUE(log.has_value()) << error;
  return log ? build_model(*log) : TraceModel{};
}

std::string error_of(const std::vector<std::string>& lines) {
  std::string error;
  EXPECT_FALSE(parse_trace(lines, &error).has_value());
  return error;
}

TEST(TraceParse, ReadsEveryEventAndSkipsOtherLines) {
  std::string error;
  const auto log = parse_trace(inversion(), &error);
  ASSERT_TRUE(log.has_value()) << error;
  EXPECT_EQ(log->frequency, 1000000u);
  EXPECT_EQ(log->capacity, 8192u);
  EXPECT_EQ(log->dropped, 0u);
  ASSERT_EQ(log->records.size(), inversion_events().size());
  const TraceRecord& boost = log->records[16];
  EXPECT_EQ(boost.kind, TraceKind::kPriority);
  EXPECT_EQ(boost.stamp, 211u);
  EXPECT_EQ(boost.small, 3);
  EXPECT_EQ(boost.half, 1);
  EXPECT_EQ(boost.word, kLow);
}

TEST(TraceModel, NamesTasksAndFollowsWhoRuns) {
  const TraceModel m = model_of(inversion());
  EXPECT_EQ(m.task_name(kLow), "low");
  EXPECT_EQ(m.task_name(kHigh), "high");
  EXPECT_EQ(m.tasks.at(kHigh).priority, 3u);
  EXPECT_EQ(m.begin, 10u);
  EXPECT_EQ(m.end, 500u);
  // low 100-205 and 213-304; high 205-213 and 304-400; idle 400-500.
  EXPECT_EQ(m.tasks.at(kLow).run_ticks, 105u + 91u);
  EXPECT_EQ(m.tasks.at(kHigh).run_ticks, 8u + 96u);
  EXPECT_EQ(m.tasks.at(kIdle).run_ticks, 100u);
  ASSERT_EQ(m.runs.size(), 5u);
  EXPECT_EQ(m.runs[0].id, kLow);
  EXPECT_EQ(m.runs[0].begin, 100u);
  EXPECT_EQ(m.runs[0].end, 205u);
  ASSERT_EQ(m.irqs.size(), 1u);
  EXPECT_EQ(m.irqs[0].id, 27u);
  EXPECT_EQ(m.irqs[0].begin, 200u);
  EXPECT_EQ(m.irqs[0].end, 203u);
}

TEST(TraceModel, MeasuresInterruptToTaskLatency) {
  const TraceModel m = model_of(inversion());
  // high was made ready at 302 by low's unlock, not by an interrupt: one.
  ASSERT_EQ(m.latencies.size(), 1u);
  EXPECT_EQ(m.latencies[0].intid, 27u);
  EXPECT_EQ(m.latencies[0].task, kHigh);
  EXPECT_EQ(m.latencies[0].ticks(), 5u);  // from the handler's entry (200) to the switch (205)
}

TEST(TraceModel, SaysWhatABlockWaitsOnAndWhoCalls) {
  const TraceModel m = model_of(inversion());
  const TraceInstant* block = nullptr;
  const TraceInstant* handover = nullptr;
  for (const TraceInstant& in : m.instants) {
    if (in.kind == TraceKind::kBlock) block = &in;
    if (in.kind == TraceKind::kMutexTake && in.at == 301) handover = &in;
  }
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(block->task, kHigh);
  EXPECT_EQ(block->detail, "on mutex 0x40081230");
  ASSERT_NE(handover, nullptr);
  EXPECT_EQ(handover->task, kHigh);  // the new owner, though low's unlock runs it
}

TEST(TraceModel, TimeNeverGoesBackwards) {
  auto e = inversion_events();
  // A trace point interrupted between its counter read and its slot.
  e.insert(e.begin() + 14, event(199, TraceKind::kSemGive, 1, 0, 0x5000));
  const TraceModel m = model_of(framed(e, e.size()));
  uint64_t last = 0;
  for (const TraceInstant& in : m.instants) {
    EXPECT_GE(in.at, last);
    last = in.at;
  }
}

TEST(TraceModel, ReadsNamesLongerThanEightCharacters) {
  std::vector<std::string> e = {
      event(10, TraceKind::kTaskCreate, 5, 0, 9),
      event(name_bytes("sensor-r"), TraceKind::kTaskName, 0, 0, 9),
      event(name_bytes("eader-01"), TraceKind::kTaskName, 1, 0, 9),
      event(20, TraceKind::kSwitch, 0, 0, 9),
  };
  EXPECT_EQ(model_of(framed(e, e.size())).task_name(1), "sensor-reader-01");  // the first task
}

TEST(TraceModel, AnIdCreatedAgainIsANewTask) {
  // kernel_reset starts the kernel's IDs at 1 again (kernel-tests, the bench).
  std::vector<std::string> e = {
      event(10, TraceKind::kTaskCreate, 5, 0, 1),
      event(name_bytes("first"), TraceKind::kTaskName, 0, 0, 1),
      event(20, TraceKind::kSwitch, 0, 0, 1),
      event(30, TraceKind::kTaskDelete, 0, 0, 1),
      event(40, TraceKind::kSwitch, 0, 1, 0),
      event(50, TraceKind::kTaskCreate, 7, 0, 1),
      event(name_bytes("second"), TraceKind::kTaskName, 0, 0, 1),
      event(60, TraceKind::kSwitch, 0, 0, 1),
      event(100, TraceKind::kSwitch, 0, 1, 0),
  };
  const TraceModel m = model_of(framed(e, e.size()));
  ASSERT_EQ(m.tasks.size(), 2u);
  EXPECT_EQ(m.task_name(1), "first");
  EXPECT_EQ(m.task_name(2), "second");
  EXPECT_EQ(m.tasks.at(1).id, 1u);
  EXPECT_EQ(m.tasks.at(2).id, 1u);
  EXPECT_EQ(m.tasks.at(1).run_ticks, 20u);
  EXPECT_EQ(m.tasks.at(2).run_ticks, 40u);
  EXPECT_EQ(m.tasks.at(2).priority, 7u);
  // Each has its lane and its stretch in the timeline.
  const std::string svg = trace_svg(m, "reset");
  EXPECT_NE(svg.find(">first</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>first: 20.000 us</title>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>second: 40.000 us</title>"), std::string::npos) << svg;
}

TEST(TraceParse, RefusesAGuestWithoutATrace) {
  EXPECT_NE(error_of({"hello", "@petrel-exit reason=poweroff code=0"}).find("no trace"),
            std::string::npos);
}

TEST(TraceParse, RefusesATruncatedTrace) {
  auto lines = inversion();
  lines.resize(lines.size() - 6);  // the run ended (or the console lost) the tail
  const std::string error = error_of(lines);
  EXPECT_NE(error.find("truncated"), std::string::npos) << error;
  EXPECT_NE(error.find("of 26 events"), std::string::npos) << error;
}

TEST(TraceParse, RefusesAnEndThatDoesNotMatchTheEvents) {
  auto e = inversion_events();
  const size_t announced = e.size();
  e.erase(e.begin() + 5);  // a line lost in the middle
  const std::string error = error_of(framed(e, announced));
  EXPECT_NE(error.find("announced 26"), std::string::npos) << error;
}

TEST(TraceParse, RefusesMoreEventsThanAnnounced) {
  const auto e = inversion_events();
  const std::string error = error_of(framed(e, e.size() - 1));
  EXPECT_NE(error.find("more events than"), std::string::npos) << error;
}

TEST(TraceParse, NamesTheMalformedLine) {
  auto lines = inversion();
  lines[5] = "@petrel-trace e 00000000000000c8 0000";  // cut short
  const std::string error = error_of(lines);
  EXPECT_NE(error.find("trace line 6 "), std::string::npos) << error;
  EXPECT_NE(error.find("malformed event"), std::string::npos) << error;

  lines[5] = "@petrel-trace e 00000000000000c8 0000000g 0000001b";  // not hex
  EXPECT_NE(error_of(lines).find("hex digits"), std::string::npos);
  lines[5] = "@petrel-trace e 00000000000000C8 00000008 0000001b";  // uppercase
  EXPECT_NE(error_of(lines).find("hex digits"), std::string::npos);
  lines[5] = "@petrel-trace x 1 2 3";
  EXPECT_NE(error_of(lines).find("unknown trace line"), std::string::npos);
}

TEST(TraceParse, RefusesUnknownKinds) {
  auto lines = inversion();
  lines[5] = event(200, static_cast<TraceKind>(99), 0, 0, 0);
  EXPECT_NE(error_of(lines).find("unknown event kind 99"), std::string::npos);
}

TEST(TraceParse, RefusesABadBeginLine) {
  auto lines = inversion();
  lines[1] = "@petrel-trace begin v=2 freq=1000000 events=26 dropped=0 capacity=8192";
  EXPECT_NE(error_of(lines).find("this tool reads v=1"), std::string::npos);
  lines[1] = "@petrel-trace begin v=1 freq=0 events=26 dropped=0 capacity=8192";
  EXPECT_NE(error_of(lines).find("malformed begin"), std::string::npos);
  lines[1] = "@petrel-trace begin v=1 freq=1000000 events=26";
  EXPECT_NE(error_of(lines).find("malformed begin"), std::string::npos);
  lines[1] = "@petrel-trace begin v=1 freq=1000000 events=9000 dropped=0 capacity=8192";
  EXPECT_NE(error_of(lines).find("malformed begin"), std::string::npos);
}

TEST(TraceParse, RefusesEventsOutsideTheFrame) {
  const auto e = inversion_events();
  std::vector<std::string> before = {e[0]};
  EXPECT_NE(error_of(before).find("before the trace's begin"), std::string::npos);

  auto lines = inversion();
  lines.insert(lines.end() - 1, e[0]);
  EXPECT_NE(error_of(lines).find("after the trace's end"), std::string::npos);

  lines = inversion();
  lines.insert(lines.begin() + 3, lines[1]);
  EXPECT_NE(error_of(lines).find("second trace begins"), std::string::npos);
}

TEST(TraceOutput, JsonHasTheEventsInOrderOneALine) {
  const TraceModel m = model_of(inversion());
  const std::string j = trace_json(m, "pi-trace (AArch64)");
  EXPECT_EQ(j.rfind("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", 0), 0u);
  EXPECT_EQ(j.substr(j.size() - 4), "\n]}\n");
  EXPECT_NE(j.find("\"tid\":1,\"args\":{\"name\":\"low\"}"), std::string::npos);
  // The order the system test checks (tests/system/trace_order.sh).
  const size_t take = j.find("\"name\":\"mutex take\"");
  const size_t block = j.find("\"name\":\"block\"");
  const size_t boost = j.find("\"name\":\"priority\"");
  const size_t unlock = j.find("\"name\":\"mutex unlock\"");
  ASSERT_NE(take, std::string::npos);
  EXPECT_LT(take, boost);
  EXPECT_LT(boost, block);
  EXPECT_LT(block, unlock);
  EXPECT_NE(j.find("\"task\":\"high\",\"object\":\"0x40081230\",\"detail\":\"on mutex "
                   "0x40081230\""),
            std::string::npos);
  // Microseconds from the first event: the switch at 205 is at 195 us.
  EXPECT_NE(j.find("\"ts\":195.000,\"args\":{\"seq\":"), std::string::npos);
  // A running stretch: low from 100 to 205.
  EXPECT_NE(j.find("{\"name\":\"low\",\"cat\":\"run\",\"ph\":\"X\",\"pid\":1,\"tid\":1,"
                   "\"ts\":90.000,\"dur\":105.000}"),
            std::string::npos);
}

TEST(TraceOutput, JsonEscapesNames) {
  std::vector<std::string> e = {
      event(10, TraceKind::kTaskCreate, 5, 0, 9),
      event(name_bytes("a\"b\\c"), TraceKind::kTaskName, 0, 0, 9),
      event(20, TraceKind::kSwitch, 0, 0, 9),
  };
  const std::string j = trace_json(model_of(framed(e, e.size())), "t");
  EXPECT_NE(j.find("\"name\":\"a\\\"b\\\\c\""), std::string::npos) << j;
}

TEST(TraceOutput, SvgHasALanePerTaskAndLabelsTheLongestLatency) {
  const TraceModel m = model_of(inversion());
  const std::string s = trace_svg(m, "pi-trace");
  EXPECT_EQ(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  for (const char* lane : {">interrupts</text>", ">high</text>", ">low</text>", ">idle</text>"})
    EXPECT_NE(s.find(lane), std::string::npos) << lane;
  EXPECT_LT(s.find(">high</text>"), s.find(">low</text>"));  // by priority
  EXPECT_NE(s.find("irq 27 -&gt; high: 5.000 us</text>"), std::string::npos);
  EXPECT_NE(s.find("<title>irq 27: 3.000 us</title>"), std::string::npos);
  EXPECT_EQ(s.substr(s.size() - 7), "</svg>\n");
}

TEST(TraceOutput, SummaryGivesSharesAndTheWorstLatency) {
  const std::string s = trace_summary(model_of(inversion()));
  EXPECT_NE(s.find("23 events over 490.000 us"), std::string::npos) << s;
  // 196 of 490 ticks.
  EXPECT_NE(s.find("low                     1     40.00%"), std::string::npos) << s;
  EXPECT_NE(s.find("high                    3     21.22%"), std::string::npos) << s;
  EXPECT_NE(s.find("worst interrupt -> task latency: 5.000 us (irq 27 -> high, at 190.000 us"),
            std::string::npos)
      << s;
}

TEST(TraceOutput, SummarySaysWhenNoInterruptWokeATask) {
  std::vector<std::string> e = {
      event(10, TraceKind::kTaskCreate, 5, 0, 9),
      event(20, TraceKind::kSwitch, 0, 0, 9),
      event(30, TraceKind::kSwitch, 0, 9, 0),
  };
  EXPECT_NE(trace_summary(model_of(framed(e, e.size()))).find("none seen"), std::string::npos);
}

}  // namespace
}  // namespace petrel::tool
