// The real-time latency matrix (tools/petrel/rt_matrix.h): its
// configurations, the join of the rt-bench guest's tables, and the section
// of bench/RESULTS.md it replaces.
#include "rt_matrix.h"

#include <gtest/gtest.h>

namespace petrel::tool {
namespace {

TEST(RtMatrix, EveryConfigurationOnceWithItsCommandLine) {
  const auto& configs = rt_configs();
  ASSERT_EQ(configs.size(), 6u);
  EXPECT_EQ(rt_cmdline(configs[0]), "sched=credit2");
  EXPECT_EQ(rt_cmdline(configs[3]), "sched=null vwfi=native");
  for (size_t i = 0; i < configs.size(); ++i)
    for (size_t j = i + 1; j < configs.size(); ++j)
      EXPECT_NE(rt_cmdline(configs[i]), rt_cmdline(configs[j]));
}

TEST(RtMatrix, JoinsTheTablesWithTheirConfiguration) {
  const std::string table =
      "| case | load | samples | min ns | avg ns | p99 ns | max ns |\n"
      "|---|---|---|---|---|---|---|\n"
      "| timer wake-up lateness | idle |  1000 | 1440 | 1450 | 1456 | 1504 |\n"
      "| interrupt -> task      | busy |  1000 | 2240 | 2240 | 2240 | 2240 |\n";
  const RtMatrix m = rt_matrix({{{"null", true}, table}, {{"credit2", false}, table}});
  EXPECT_EQ(m.rows, 4u);
  EXPECT_EQ(m.malformed, 0u);
  EXPECT_NE(m.markdown.find("| null | native | timer wake-up lateness | idle | 1000 | 1440 | "
                            "1450 | 1456 | 1504 |\n"),
            std::string::npos)
      << m.markdown;
  EXPECT_NE(m.markdown.find("| credit2 | trapped | interrupt -> task | busy | 1000 |"),
            std::string::npos);
  EXPECT_LT(m.markdown.find("| null |"), m.markdown.find("| credit2 |"));  // the runs' order
}

TEST(RtMatrix, CountsLinesThatAreNotRows) {
  const RtMatrix m = rt_matrix({{{"rtds", false},
                                 "| a | idle | 10 | 1 | 2 | 3 |\n"          // six cells
                                 "| a | idle | 10 | 1 | x | 3 | 4 |\n"      // not a number
                                 "|   | idle | 10 | 1 | 2 | 3 | 4 |\n"      // no case
                                 "panic: something\n"                       // not a row
                                 "| a | busy | 10 | 1 | 2 | 3 | 4 |\n"}});  // the one row
  EXPECT_EQ(m.rows, 1u);
  EXPECT_EQ(m.malformed, 4u);
}

TEST(ResultsSection, AppendedWhenMissingReplacedWhenThere) {
  const std::string heading = "## Real-time";
  EXPECT_EQ(with_section("", heading, "body\n"), "## Real-time\nbody\n");
  EXPECT_EQ(with_section("# R\ntext", heading, "body"), "# R\ntext\n\n## Real-time\nbody\n");
  const std::string file = "# R\n\n## A\na\n\n## Real-time\nold\nold\n\n## B\nb\n";
  EXPECT_EQ(with_section(file, heading, "new\n"),
            "# R\n\n## A\na\n\n## Real-time\nnew\n\n## B\nb\n");
  // A heading that only starts a line is not the heading.
  EXPECT_EQ(with_section("## Real-time matrix\nx\n", heading, "y\n"),
            "## Real-time matrix\nx\n\n## Real-time\ny\n");
}

TEST(ResultsSection, TheBodyIsWhatWasWritten) {
  const std::string heading = "## Real-time";
  const std::string body = "\nWritten at abc.\n\n### AArch64\n\n| x |\n";
  const std::string file = with_section("# R\n\n## A\na\n", heading, body);
  EXPECT_EQ(section_body(file, heading), body);
  EXPECT_EQ(section_body(with_section(file, "## Z", "z\n"), heading), body);
  EXPECT_FALSE(section_body("# R\n", heading));
}

}  // namespace
}  // namespace petrel::tool
