// The bench guest's result table (bench/kernel_bench.cc prints it between
// "bench: begin" and "bench: end"), and the side-by-side table of two
// architectures that `petrel bench` records in bench/RESULTS.md:
//
//   | benchmark | ready tasks | operations | counter ticks per op | ns per op |
//   |---|---|---|---|---|
//   | yield (one task switch)            |     2 |   200000 | 33.12 | 530.00 |
//
// Pure functions: text in, text out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::tool {

struct BenchRow {
  std::string benchmark;     // without its padding: "yield (one task switch)"
  unsigned ready_tasks = 0;  // 2
  std::string operations;    // the other cells as printed: "200000"
  std::string ticks_per_op;  // "33.12"
  std::string ns_per_op;     // "530.00" (some rows print integers: "698512")
  double ns = 0;             // ns_per_op as a number
};

struct BenchTable {
  std::vector<BenchRow> rows;  // in the order printed
  // Lines skipped because they are not a well-formed row: not one cell per
  // column, no benchmark name, a ready-tasks count that is not an unsigned
  // integer, or an ns-per-op that is not a finite number >= 0. Blank lines,
  // the header and the |---| line are not counted.
  size_t malformed = 0;
};

// Parses the lines of a table; never fails (bad lines are skipped and counted).
BenchTable parse_bench_table(std::string_view text);

struct MergedBenchTable {
  // | benchmark | ready tasks | A ns per op | B ns per op | B / A |
  // One row per (benchmark, ready tasks), in the order of table A, with the
  // rows only B has placed after the row they follow in B. A row only one
  // side has shows "-" for the other side and for the ratio; so does a zero
  // ns-per-op in A. A key printed twice in one table pairs with the second
  // occurrence in the other, and so on.
  std::string markdown;
  size_t rows = 0;                          // rows of the merged table
  size_t rows_a = 0, rows_b = 0;            // well-formed rows of each table
  size_t only_a = 0, only_b = 0;            // rows that found no partner
  size_t malformed_a = 0, malformed_b = 0;  // lines skipped (BenchTable::malformed)
};

// Parses two tables (a_text from architecture a_title, say "AArch64", and
// b_text from b_title, say "AArch32") and merges them by (benchmark, ready
// tasks): each side's ns per op as printed and the ratio B / A with two
// decimals.
MergedBenchTable merge_bench_tables(std::string_view a_title, std::string_view a_text,
                                    std::string_view b_title, std::string_view b_text);

}  // namespace petrel::tool
