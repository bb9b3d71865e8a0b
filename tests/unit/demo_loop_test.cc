// The demo's telemetry and control loop (examples/demo/telemetry.h,
// loop.h) and dom0's logger core (tools/dom0/demo_log.h): records are
// sealed and checked, lateness turns into control error, the emergency stop
// brakes the motor, and the logger counts good, lost and damaged records per
// phase from any stream it is fed, however it is cut.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "../../examples/demo/loop.h"
#include "../../tools/dom0/demo_log.h"

namespace demo {
namespace {

// `periods` records of a loop that starts each period `late_ns` late,
// from t = 0.
std::vector<demo_sample> run(uint64_t periods, uint64_t late_ns, uint64_t estop_from = UINT64_MAX) {
  ControlLoop loop;
  std::vector<demo_sample> out;
  for (uint64_t i = 0; i < periods; ++i)
    out.push_back(loop.period(i * kPeriodNs + late_ns, late_ns, i >= estop_from));
  return out;
}

double rms_error(const std::vector<demo_sample>& v) {
  double sum = 0;
  for (const auto& s : v) sum += (s.setpoint - s.speed) * (s.setpoint - s.speed);
  return std::sqrt(sum / static_cast<double>(v.size()));
}

TEST(DemoTelemetry, ARecordIsSealedAndItsCheckCatchesAFlippedBit) {
  const auto v = run(3, 0);
  for (const auto& s : v) {
    EXPECT_EQ(s.magic, DEMO_MAGIC);
    EXPECT_EQ(s.check, demo_check(&s));
  }
  EXPECT_EQ(v[2].seq, 2u);
  demo_sample bad = v[1];
  reinterpret_cast<unsigned char*>(&bad)[13] ^= 0x10;
  EXPECT_NE(bad.check, demo_check(&bad));
}

TEST(DemoLoop, TracksTheSetPoint) {
  const auto v = run(900, 0);  // the first step, 100 rad/s
  EXPECT_NEAR(v.back().speed, 100.0, 1.0);
  EXPECT_EQ(v.back().flags, 0);
}

TEST(DemoLoop, LatenessTurnsIntoControlError) {
  // The same profile, periods 1 ms apart but sampled 0.9 ms late, against a
  // loop whose every other period is skipped (the plant runs on, with the
  // voltage held, for 2 ms): the late, sparse loop tracks worse.
  ControlLoop sparse;
  std::vector<demo_sample> late;
  for (uint64_t i = 0; i < 3000; i += 3)
    late.push_back(sparse.period(i * kPeriodNs, 2 * kPeriodNs, false));
  const auto on_time = run(3000, 0);
  EXPECT_GT(rms_error(late), rms_error(on_time) * 1.05);
  EXPECT_NE(late[1].flags & DEMO_FLAG_MISS, 0);
  EXPECT_EQ(on_time[1].flags & DEMO_FLAG_MISS, 0);
}

TEST(DemoLoop, TheEmergencyStopBrakesTheMotorWithinASecond) {
  const auto v = run(2500, 0, 1500);  // 250 rad/s when the stop comes
  EXPECT_GT(v[1499].speed, 200.0);
  EXPECT_NE(v[1500].flags & DEMO_FLAG_ESTOP, 0);
  EXPECT_EQ(v[1500].volts, 0.0f);
  EXPECT_LT(std::fabs(v[2499].speed), 1.0);
}

TEST(DemoLoop, ALongStallIntegratesInSmallSteps) {
  // A domain paused for 10 s: the motor, at 100 rad/s with the drive held,
  // neither blows up nor stops.
  ControlLoop loop;
  demo_sample s{};
  for (uint64_t i = 0; i < 1000; ++i) s = loop.period(i * kPeriodNs, 0, false);
  s = loop.period(11'000 * kPeriodNs, 10'000 * kPeriodNs, false);
  EXPECT_TRUE(std::isfinite(s.speed));
  EXPECT_GT(s.speed, 50.0f);
  EXPECT_LT(s.speed, 500.0f);
  EXPECT_NE(s.flags & DEMO_FLAG_MISS, 0);
}

std::vector<uint8_t> bytes_of(const std::vector<demo_sample>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(demo_sample));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

std::vector<std::string> lines_starting(const std::vector<std::string>& report,
                                        const std::string& head) {
  std::vector<std::string> out;
  for (const auto& l : report)
    if (l.rfind(head, 0) == 0) out.push_back(l);
  return out;
}

TEST(DemoLog, SumsUpAnIntactStreamPerPhaseFedInAnyPieces) {
  auto v = run(2000, 300'000);
  v.back() = ControlLoop::end_of(v.back());
  const auto b = bytes_of(v);
  TelemetryLog log;
  // 1..97 bytes at a time; the load starts after the first 1000 records.
  auto feed = [&](size_t from, size_t to) {
    for (size_t piece = 1, at = from; at < to; piece = piece % 97 + 1) {
      const size_t n = std::min(piece, to - at);
      log.feed(b.data() + at, n);
      at += n;
    }
  };
  feed(0, b.size() / 2);
  log.start_load();
  feed(b.size() / 2, b.size());
  const auto r = log.report("petrel");
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(r[0], "demo-log: petrel stream records 2000 lost 0 corrupt_bytes 0 trailing 0 end yes");
  const auto phases = lines_starting(r, "demo-log: petrel phase ");
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_EQ(phases[0].rfind("demo-log: petrel phase quiet periods 1000 misses 0 p50_ns 300000 "
                            "p99_ns 300000 max_ns 300000 rms_error ",
                            0),
            0u)
      << phases[0];
  EXPECT_EQ(phases[1].rfind("demo-log: petrel phase load periods 1000 misses 0 ", 0), 0u)
      << phases[1];
  EXPECT_EQ(lines_starting(r, "demo-log: petrel series ").size(), 100u);  // 2 s in 20 ms bins
  EXPECT_TRUE(lines_starting(r, "demo-log: petrel estop ").empty());
}

TEST(DemoLog, DamagedBytesAreSkippedAndLostRecordsCounted) {
  auto v = run(100, 0);
  auto b = bytes_of(v);
  b[10 * 32 + 20] ^= 0xff;                                           // record 10 damaged
  b.erase(b.begin() + 40 * 32, b.begin() + 43 * 32);                 // 40..42 lost
  b.insert(b.begin() + 60 * 32, {0x54, 0x4d, 0x64, 0x50, 1, 2, 3});  // garbage with the magic
  TelemetryLog log;
  log.feed(b.data(), b.size());
  log.feed("\x54\x4d\x64", 3);  // a cut record at the end
  EXPECT_EQ(log.records(), 96u);
  EXPECT_EQ(log.lost(), 4u);  // the damaged one and the three removed
  EXPECT_EQ(log.corrupt_bytes(), 32u + 7u);
  EXPECT_FALSE(log.ended());
  const auto r = log.report("linux");
  EXPECT_EQ(r[0], "demo-log: linux stream records 96 lost 4 corrupt_bytes 39 trailing 3 end no");
}

TEST(DemoLog, CountsMissesAndReportsTheEmergencyStop) {
  ControlLoop loop;
  std::vector<demo_sample> v;
  for (uint64_t i = 0; i < 3000; ++i) {
    const uint64_t late = i % 100 == 0 ? 2 * kPeriodNs : 50'000;  // 30 misses
    v.push_back(loop.period(i * kPeriodNs + late, late, i >= 2000));
  }
  v.back() = ControlLoop::end_of(v.back());
  TelemetryLog log;
  const auto b = bytes_of(v);
  log.feed(b.data(), b.size());
  const auto r = log.report("petrel");
  const auto phases = lines_starting(r, "demo-log: petrel phase ");
  ASSERT_EQ(phases.size(), 1u);  // no load phase was marked; the stop ends the quiet one
  EXPECT_EQ(phases[0].rfind("demo-log: petrel phase quiet periods 2000 misses 20 p50_ns 50000 "
                            "p99_ns 50000 max_ns 2000000 ",
                            0),
            0u)
      << phases[0];
  const auto stop = lines_starting(r, "demo-log: petrel estop ");
  ASSERT_EQ(stop.size(), 1u);
  // Period 2000 started 2 ms late.
  EXPECT_EQ(stop[0].rfind("demo-log: petrel estop t_ms 2002 speed ", 0), 0u) << stop[0];
  EXPECT_NE(stop[0].find(" final_speed 0.00 final_t_ms 2999"), std::string::npos) << stop[0];
}

}  // namespace
}  // namespace demo
