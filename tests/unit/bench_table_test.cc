// The host tool's reading of the bench guest's table and the side-by-side
// table of two architectures (tools/petrel/bench_table.h).
#include "bench_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace petrel::tool {
namespace {

// As the guest prints it: padded names, integer and two-decimal cells.
constexpr const char* kArm64 =
    R"(| benchmark | ready tasks | operations | counter ticks per op | ns per op |
|---|---|---|---|---|
| guest entry -> first task running  |     1 |        1 | 43657 | 698512 |
| yield (one task switch)            |     2 |   200000 | 33.12 | 530.00 |
| yield (one task switch)            |    16 |   200000 | 33.12 | 529.94 |
| interrupt -> task running (min)    |     2 |     2000 | 171 | 2736 |
)";

constexpr const char* kArm32 =
    R"(| benchmark | ready tasks | operations | counter ticks per op | ns per op |
|---|---|---|---|---|
| guest entry -> first task running  |     1 |        1 | 40000 | 640000 |
| yield (one task switch)            |     2 |   200000 | 37.50 | 600.00 |
| yield (one task switch)            |    16 |   200000 | 37.50 | 600.00 |
| interrupt -> task running (min)    |     2 |     2000 | 190 | 3040 |
)";

TEST(BenchTable, ParsesRows) {
  BenchTable t = parse_bench_table(kArm64);
  EXPECT_EQ(t.malformed, 0u);
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.rows[0].benchmark, "guest entry -> first task running");
  EXPECT_EQ(t.rows[0].ready_tasks, 1u);
  EXPECT_EQ(t.rows[0].ns_per_op, "698512");
  EXPECT_DOUBLE_EQ(t.rows[0].ns, 698512);
  EXPECT_EQ(t.rows[1].benchmark, "yield (one task switch)");
  EXPECT_EQ(t.rows[1].ready_tasks, 2u);
  EXPECT_EQ(t.rows[1].operations, "200000");
  EXPECT_EQ(t.rows[1].ticks_per_op, "33.12");
  EXPECT_EQ(t.rows[1].ns_per_op, "530.00");
  EXPECT_DOUBLE_EQ(t.rows[1].ns, 530);
  EXPECT_EQ(t.rows[2].ready_tasks, 16u);
}

TEST(BenchTable, NameLongerThanItsPadding) {
  BenchTable t = parse_bench_table(
      "| notify give + take (with 2 switches) |    64 |    10000 | 75.26 | 1204.25 |\r\n");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].benchmark, "notify give + take (with 2 switches)");
  EXPECT_EQ(t.rows[0].ready_tasks, 64u);
  EXPECT_EQ(t.rows[0].ns_per_op, "1204.25");
}

TEST(BenchTable, EmptyText) {
  BenchTable t = parse_bench_table("");
  EXPECT_TRUE(t.rows.empty());
  EXPECT_EQ(t.malformed, 0u);
  EXPECT_EQ(parse_bench_table("\n\n  \n").malformed, 0u);
}

TEST(BenchTable, SkipsAndCountsMalformedLines) {
  BenchTable t = parse_bench_table(
      "| benchmark | ready tasks | operations | counter ticks per op | ns per op |\n"
      "|---|---|---|---|---|\n"
      "| yield |     2 |   200000 | 33.12 | 530.00 |\n"
      "| too few cells | 2 | 3 |\n"
      "| too | many | cells | 1 | 2 | 3 |\n"
      "|  | 2 | 1 | 1 | 1 |\n"  // no name
      "| tasks not a number | x | 1 | 1 | 1 |\n"
      "| negative tasks | -2 | 1 | 1 | 1 |\n"
      "| ns not a number | 2 | 1 | 1 | fast |\n"
      "| ns with trailing text | 2 | 1 | 1 | 12.5 ns |\n"
      "| ns negative | 2 | 1 | 1 | -3.00 |\n"
      "| ns infinite | 2 | 1 | 1 | inf |\n"
      "| ns empty | 2 | 1 | 1 |  |\n"
      "| unclosed row | 2 | 1 | 1 | 5.00\n"
      "plain text, not a row\n"
      "|\n"
      "||\n"
      "| semaphore | 64 | 10000 | 99.29 | 1588.71 |");  // no final newline
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].benchmark, "yield");
  EXPECT_EQ(t.rows[1].benchmark, "semaphore");
  EXPECT_EQ(t.rows[1].ready_tasks, 64u);
  EXPECT_EQ(t.malformed, 14u);
}

TEST(BenchTable, MergesByBenchmarkAndReadyTasks) {
  MergedBenchTable m = merge_bench_tables("AArch64", kArm64, "AArch32", kArm32);
  EXPECT_EQ(m.rows, 4u);
  EXPECT_EQ(m.only_a, 0u);
  EXPECT_EQ(m.only_b, 0u);
  EXPECT_EQ(m.malformed_a, 0u);
  EXPECT_EQ(m.malformed_b, 0u);
  EXPECT_EQ(
      m.markdown,
      "| benchmark                         | ready tasks | AArch64 ns per op | AArch32 ns per "
      "op | AArch32 / AArch64 |\n"
      "|---|---|---|---|---|\n"
      "| guest entry -> first task running |           1 |            698512 |            "
      "640000 |              0.92 |\n"
      "| yield (one task switch)           |           2 |            530.00 |            "
      "600.00 |              1.13 |\n"
      "| yield (one task switch)           |          16 |            529.94 |            "
      "600.00 |              1.13 |\n"
      "| interrupt -> task running (min)   |           2 |              2736 |              "
      "3040 |              1.11 |\n");
}

// The merged table's cells, row by row, without the padding.
std::vector<std::vector<std::string>> cells(const std::string& markdown) {
  std::vector<std::vector<std::string>> rows;
  size_t start = 0;
  while (start < markdown.size()) {
    size_t nl = markdown.find('\n', start);
    std::string line = markdown.substr(start, nl - start);
    start = nl == std::string::npos ? markdown.size() : nl + 1;
    std::vector<std::string> row;
    size_t p = 1;
    while (p < line.size()) {
      size_t bar = line.find('|', p);
      std::string c = line.substr(p, bar - p);
      c.erase(0, c.find_first_not_of(' '));
      c.erase(c.find_last_not_of(' ') + 1);
      row.push_back(c);
      p = bar + 1;
    }
    rows.push_back(row);
  }
  return rows;
}

TEST(BenchTable, RowOnOneSideOnlyShowsADash) {
  const char* a =
      "| first | 1 | 1 | 1 | 100 |\n"
      "| only in a | 2 | 1 | 1 | 10.00 |\n"
      "| shared | 2 | 1 | 1 | 200.00 |\n"
      "| last | 1 | 1 | 1 | 50 |\n";
  const char* b =
      "| only in b, before everything | 1 | 1 | 1 | 7.00 |\n"
      "| first | 1 | 1 | 1 | 150 |\n"
      "| shared | 2 | 1 | 1 | 100.00 |\n"
      "| only in b, after shared | 2 | 1 | 1 | 9.50 |\n"
      "| shared | 16 | 1 | 1 | 1.00 |\n";  // a different key: other ready tasks
  MergedBenchTable m = merge_bench_tables("AArch64", a, "AArch32", b);
  EXPECT_EQ(m.rows, 7u);
  EXPECT_EQ(m.rows_a, 4u);
  EXPECT_EQ(m.rows_b, 5u);
  EXPECT_EQ(m.only_a, 2u);
  EXPECT_EQ(m.only_b, 3u);
  auto rows = cells(m.markdown);
  ASSERT_EQ(rows.size(), 9u);
  using Row = std::vector<std::string>;
  EXPECT_EQ(rows[0], (Row{"benchmark", "ready tasks", "AArch64 ns per op", "AArch32 ns per op",
                          "AArch32 / AArch64"}));
  EXPECT_EQ(rows[1], (Row{"---", "---", "---", "---", "---"}));
  EXPECT_EQ(rows[2], (Row{"only in b, before everything", "1", "-", "7.00", "-"}));
  EXPECT_EQ(rows[3], (Row{"first", "1", "100", "150", "1.50"}));
  EXPECT_EQ(rows[4], (Row{"only in a", "2", "10.00", "-", "-"}));
  EXPECT_EQ(rows[5], (Row{"shared", "2", "200.00", "100.00", "0.50"}));
  EXPECT_EQ(rows[6], (Row{"only in b, after shared", "2", "-", "9.50", "-"}));
  EXPECT_EQ(rows[7], (Row{"shared", "16", "-", "1.00", "-"}));
  EXPECT_EQ(rows[8], (Row{"last", "1", "50", "-", "-"}));
}

TEST(BenchTable, MergeSkipsMalformedRowsAndCountsThem) {
  const char* a =
      "| benchmark | ready tasks | operations | counter ticks per op | ns per op |\n"
      "|---|---|---|---|---|\n"
      "| yield | 2 | 1 | 1 | 500.00 |\n"
      "| yield | two | 1 | 1 | 500.00 |\n"
      "garbage\n";
  const char* b =
      "| yield | 2 | 1 | 1 | 600.00 |\n"
      "| broken | 2 | 1 |\n";
  MergedBenchTable m = merge_bench_tables("AArch64", a, "AArch32", b);
  EXPECT_EQ(m.malformed_a, 2u);
  EXPECT_EQ(m.malformed_b, 1u);
  EXPECT_EQ(m.rows, 1u);
  EXPECT_EQ(m.rows_a, 1u);
  EXPECT_EQ(m.rows_b, 1u);
  auto rows = cells(m.markdown);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2], (std::vector<std::string>{"yield", "2", "500.00", "600.00", "1.20"}));
}

TEST(BenchTable, ZeroOnTheFirstSideGivesNoRatio) {
  MergedBenchTable m =
      merge_bench_tables("A", "| x | 1 | 1 | 0 | 0 |\n", "B", "| x | 1 | 1 | 1 | 16 |\n");
  auto rows = cells(m.markdown);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][4], "B / A");
  EXPECT_EQ(rows[2], (std::vector<std::string>{"x", "1", "0", "16", "-"}));
}

TEST(BenchTable, RepeatedKeysPairInOrder) {
  MergedBenchTable m = merge_bench_tables("A", "| x | 1 | 1 | 1 | 10 |\n| x | 1 | 1 | 1 | 20 |\n",
                                          "B", "| x | 1 | 1 | 1 | 30 |\n");
  EXPECT_EQ(m.only_a, 1u);
  auto rows = cells(m.markdown);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[2], (std::vector<std::string>{"x", "1", "10", "30", "3.00"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"x", "1", "20", "-", "-"}));
}

TEST(BenchTable, BothEmpty) {
  MergedBenchTable m = merge_bench_tables("AArch64", "", "AArch32", "not a table\n");
  EXPECT_EQ(m.rows, 0u);
  EXPECT_EQ(m.rows_a, 0u);
  EXPECT_EQ(m.rows_b, 0u);
  EXPECT_EQ(m.malformed_b, 1u);
  EXPECT_EQ(m.markdown,
            "| benchmark | ready tasks | AArch64 ns per op | AArch32 ns per op | AArch32 / AArch64 "
            "|\n|---|---|---|---|---|\n");
}

}  // namespace
}  // namespace petrel::tool
