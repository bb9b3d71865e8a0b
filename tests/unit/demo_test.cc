// `petrel demo`'s results (tools/petrel/demo.h): the loggers' lines read
// back, malformed ones refused, what a run failed to show named, and the
// table and plot made from them.
#include "demo.h"

#include <gtest/gtest.h>

namespace petrel::tool {
namespace {

std::vector<std::string> good_lines(const std::string& side) {
  const std::string p = "demo-log: " + side + " ";
  return {
      p + "stream records 8000 lost 0 corrupt_bytes 0 trailing 0 end yes",
      p + "phase quiet periods 3000 misses 2 p50_ns 120000 p99_ns 900000 max_ns 3000000 "
          "rms_error 17.50",
      p + "phase load periods 4000 misses 5 p50_ns 130000 p99_ns 950000 max_ns 8000000 "
          "rms_error 18.25",
      p + "estop t_ms 7000 speed 250.00 final_speed 0.00 final_t_ms 7999",
      p + "series 0 quiet 1708 100.0 34.9",
      p + "series 20 load 150 100.0 74.6",
      p + "series 7000 stopped 150 0.0 250.0",
  };
}

TEST(Demo, ReadsOneSidesReportAmongOtherLines) {
  auto lines = good_lines("petrel");
  for (auto& l : good_lines("linux")) lines.push_back(l);
  lines.insert(lines.begin(), "demo: both loops running; 3 s quiet");
  std::string error;
  auto s = parse_demo_side(lines, "linux", &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->records, 8000u);
  EXPECT_TRUE(s->ended);
  ASSERT_EQ(s->phases.size(), 2u);
  EXPECT_EQ(s->phases[1].name, "load");
  EXPECT_EQ(s->phases[1].max_ns, 8000000u);
  EXPECT_DOUBLE_EQ(s->phases[1].rms_error, 18.25);
  ASSERT_TRUE(s->estop);
  EXPECT_EQ(s->estop->final_t_ms, 7999u);
  ASSERT_EQ(s->series.size(), 3u);
  EXPECT_EQ(s->series[0].max_late_us, 1708u);
  EXPECT_EQ(s->series[2].phase, "stopped");
}

TEST(Demo, RefusesMalformedLinesAndAMissingReport) {
  const std::vector<std::string> bad = {
      "demo-log: petrel stream records 8000 lost 0 corrupt_bytes 0 trailing 0 end maybe",
      "demo-log: petrel stream records 8000 lost -1 corrupt_bytes 0 trailing 0 end yes",
      "demo-log: petrel phase idle periods 1 misses 0 p50_ns 1 p99_ns 1 max_ns 1 rms_error 1",
      "demo-log: petrel phase quiet periods 1 misses 0 p50_ns 1 p99_ns 1 max_ns 1 rms_error nan",
      "demo-log: petrel phase quiet periods 1 misses 0 p50_ns 1 p99_ns 1 max_ns 1",
      "demo-log: petrel series 20 load 150 100.0",
      "demo-log: petrel series 20 later 150 100.0 74.6",
      "demo-log: petrel estop t_ms 1 speed x final_speed 0 final_t_ms 2",
      "demo-log: petrel something else",
  };
  for (const std::string& line : bad) {
    auto lines = good_lines("petrel");
    lines.push_back(line);
    std::string error;
    EXPECT_FALSE(parse_demo_side(lines, "petrel", &error)) << line;
    EXPECT_NE(error.find("malformed"), std::string::npos) << error;
  }
  auto lines = good_lines("petrel");
  lines.push_back(lines[1]);  // a phase twice
  std::string error;
  EXPECT_FALSE(parse_demo_side(lines, "petrel", &error));
  EXPECT_FALSE(parse_demo_side(good_lines("petrel"), "linux", &error));
  EXPECT_NE(error.find("reported nothing"), std::string::npos) << error;
}

DemoRun good_run() {
  std::string error;
  DemoRun r;
  r.label = "null, vwfi=native";
  r.petrel = *parse_demo_side(good_lines("petrel"), "petrel", &error);
  r.linux_loop = *parse_demo_side(good_lines("linux"), "linux", &error);
  r.linux_loop.estop.reset();
  r.stop_timing = DemoStopTiming{4200, 731500};
  return r;
}

TEST(Demo, ReadsTheGuestsTimingOfTheStop) {
  const std::string head =
      "motor-control: emergency stop: the button's interrupt reached the estop task in ";
  auto t =
      parse_stop_timing({"motor-control: 3 periods", head + "4200 ns, the drive was cut 731500 "
                                                            "ns after it"});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to_task_ns, 4200u);
  EXPECT_EQ(t->to_cut_ns, 731500u);
  for (const std::string& bad : {head + "4200 ns, the drive was cut 731500 ns",
                                 head + "x ns, the drive was cut 1 ns after it",
                                 head + "1 ns, the drive was not 1 ns after it"})
    EXPECT_FALSE(parse_stop_timing({bad})) << bad;
  EXPECT_FALSE(parse_stop_timing({}));
}

TEST(Demo, AGoodRunHasNoProblems) {
  EXPECT_TRUE(demo_problems(good_run()).empty());
}

TEST(Demo, NamesWhatARunFailedToShow) {
  DemoRun r = good_run();
  r.petrel.lost = 3;
  r.linux_loop.ended = false;
  r.linux_loop.phases.pop_back();
  r.petrel.estop->final_speed = 40;
  const auto p = demo_problems(r);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0], "Petrel loop (null, vwfi=native): 3 records lost on the way");
  EXPECT_EQ(p[1], "Linux loop (null, vwfi=native): the stream ended without its last record");
  EXPECT_EQ(p[2], "Linux loop (null, vwfi=native): no periods measured in the load phase");
  EXPECT_EQ(p[3],
            "Petrel loop (null, vwfi=native): the motor did not stop: 40.00 rad/s 999 ms after "
            "the emergency stop");
  r = good_run();
  r.stop_timing.reset();
  ASSERT_EQ(demo_problems(r).size(), 1u);
  EXPECT_NE(demo_problems(r)[0].find("no timing"), std::string::npos);
  r = good_run();
  r.petrel.estop.reset();
  ASSERT_EQ(demo_problems(r).size(), 1u);
  EXPECT_NE(demo_problems(r)[0].find("never reached"), std::string::npos);
  r = good_run();
  r.petrel.estop->final_t_ms = 7300;  // stopped, but not watched for the second
  EXPECT_EQ(demo_problems(r).size(), 1u);
}

TEST(Demo, TheTableHasARowPerConfigurationLoopAndPhase) {
  const std::string t = demo_table({good_run()});
  EXPECT_NE(t.find("| null, vwfi=native | Petrel guest | idle | 3000 | 2 | 120.0 | 900.0 | "
                   "3000.0 | 17.50 |\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("| null, vwfi=native | Linux process in dom0 | loaded | 4000 | 5 | 130.0 | "
                   "950.0 | 8000.0 | 18.25 |\n"),
            std::string::npos)
      << t;
  const std::string stops = demo_stops({good_run()});
  EXPECT_EQ(stops,
            "- null, vwfi=native: the emergency stop reached the loop at 7000 ms, at 250.0 rad/s; "
            "999 ms later the motor turned at 0.00 rad/s. The button's interrupt reached the "
            "stop task 4.2 us after it entered Petrel, and the drive was cut 731.5 us after it "
            "(at the next period). Telemetry: 8000 records from Petrel, 8000 from Linux, 0 lost, "
            "0 bytes damaged.\n");
}

TEST(Demo, ThePlotHasTwoPanelsPerRunAndEscapesItsText) {
  DemoRun r = good_run();
  r.label = "a<b";
  const std::string svg = demo_svg({r, good_run()}, "title & more");
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_NE(svg.find("title &amp; more"), std::string::npos);
  EXPECT_NE(svg.find("a&lt;b: lateness"), std::string::npos);
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
  size_t polylines = 0;
  for (size_t at = 0; (at = svg.find("<polyline", at)) != std::string::npos; ++at) ++polylines;
  EXPECT_EQ(polylines, 10u);  // per run: 2 lateness lines, set-point and 2 speeds
  EXPECT_NE(svg.find("</svg>\n"), std::string::npos);
}

}  // namespace
}  // namespace petrel::tool
