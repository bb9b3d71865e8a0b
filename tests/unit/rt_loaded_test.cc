// rt-loop's output and what the tool makes of it (tools/petrel/rt_loaded.h).
#include "rt_loaded.h"

#include <gtest/gtest.h>

namespace petrel::tool {
namespace {

std::vector<std::string> good_output() {
  return {"rt-loop: measuring 10 periods of 1000 us",
          "some other line",
          "rt-loop: periods 10 period_us 1000",
          "rt-loop: p50_ns 3000 p99_ns 12000 p999_ns 12000 max_ns 1500000 misses 1",
          "rt-loop: hist 0 2 0",
          "rt-loop: hist 2 5 6",
          "rt-loop: hist 5 1000 3",
          "rt-loop: hist 1000 0 1"};
}

TEST(LoopResult, ReadsEveryFigure) {
  std::string error;
  const auto r = parse_loop_result(good_output(), &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->periods, 10u);
  EXPECT_EQ(r->period_us, 1000u);
  EXPECT_EQ(r->p50_ns, 3000u);
  EXPECT_EQ(r->p999_ns, 12000u);
  EXPECT_EQ(r->max_ns, 1500000u);
  EXPECT_EQ(r->misses, 1u);
  ASSERT_EQ(r->hist.size(), 4u);
  EXPECT_EQ(r->hist[1].lo_us, 2u);
  EXPECT_EQ(r->hist[1].count, 6u);
  EXPECT_EQ(r->hist[3].hi_us, 0u);
}

TEST(LoopResult, ALostHistogramLineIsAnError) {
  auto lines = good_output();
  lines.erase(lines.begin() + 5);  // "hist 2 5 6"
  std::string error;
  EXPECT_FALSE(parse_loop_result(lines, &error));
  EXPECT_NE(error.find("malformed histogram"), std::string::npos) << error;
  lines = good_output();
  lines.pop_back();  // the open bucket
  EXPECT_FALSE(parse_loop_result(lines, &error));
  EXPECT_NE(error.find("not the 10 periods"), std::string::npos) << error;
}

TEST(LoopResult, MalformedOrMissingLinesAreErrors) {
  std::string error;
  auto lines = good_output();
  lines[3] = "rt-loop: p50_ns 3000 p99_ns x p999_ns 12000 max_ns 1500000 misses 1";
  EXPECT_FALSE(parse_loop_result(lines, &error));
  EXPECT_NE(error.find("malformed line"), std::string::npos);
  lines = good_output();
  lines[3] = "rt-loop: p50_ns 13000 p99_ns 12000 p999_ns 12000 max_ns 1500000 misses 1";
  EXPECT_FALSE(parse_loop_result(lines, &error));
  EXPECT_NE(error.find("out of order"), std::string::npos);
  EXPECT_FALSE(parse_loop_result({"rt-loop: measuring 10 periods"}, &error));
  EXPECT_NE(error.find("no complete result"), std::string::npos);
}

TEST(LoadedReport, TableInMicrosecondsAndAPlotWithEveryRun) {
  std::string error;
  const auto r = parse_loop_result(good_output(), &error);
  ASSERT_TRUE(r);
  const std::vector<LoadedRun> runs = {{"null & native", *r}, {"credit2 <shared>", *r}};
  const std::string table = loaded_table(runs);
  EXPECT_NE(table.find("| null & native | 10 | 3.0 | 12.0 | 12.0 | 1500.0 | 1 |"),
            std::string::npos)
      << table;
  const std::string svg = loaded_svg(runs, "a <title>");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("a &lt;title&gt;"), std::string::npos);
  EXPECT_NE(svg.find("credit2 &lt;shared&gt;"), std::string::npos);
  EXPECT_NE(svg.find("&gt;= 1 ms"), std::string::npos);
  // One bar per run and bucket, with its count.
  size_t bars = 0;
  for (size_t at = svg.find("<title>"); at != std::string::npos; at = svg.find("<title>", at + 1))
    ++bars;
  EXPECT_EQ(bars, 8u);
  EXPECT_NE(svg.find("<title>null &amp; native: 6</title>"), std::string::npos);
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
}

}  // namespace
}  // namespace petrel::tool
