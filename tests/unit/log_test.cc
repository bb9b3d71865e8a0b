// The log facility on the host port: line format, levels, task names.
#include "petrel/log.h"

#include <regex>
#include <string>

#include "kernel_fixture.h"
#include "petrel/console.h"

namespace petrel::kernel::test {
namespace {

std::string* g_out;
void capture(const char* text, size_t len) {
  g_out->append(text, len);
}

struct LogTest : KernelTest {
  std::string out;
  void SetUp() override {
    KernelTest::SetUp();
    g_out = &out;
    console_set_output(capture, "capture");
    log_set_level(LogLevel::kInfo);
  }
  void TearDown() override {
    console_flush();
    log_set_level(LogLevel::kInfo);
    KernelTest::TearDown();
  }
};

TEST_F(LogTest, LineFormat) {
  petrel::log(LogLevel::kWarning, "queue %s full, dropped %u", "rx", 3u);
  console_flush();
  EXPECT_TRUE(std::regex_match(
      out, std::regex(R"(\[ +[0-9]+\.[0-9]{6}\] W boot: queue rx full, dropped 3\n)")))
      << out;
}

TEST_F(LogTest, LevelsFilter) {
  petrel::log(LogLevel::kDebug, "hidden");
  petrel::log(LogLevel::kError, "shown");
  console_flush();
  EXPECT_EQ(out.find("hidden"), std::string::npos);
  EXPECT_NE(out.find("] E boot: shown\n"), std::string::npos);
  EXPECT_FALSE(log_enabled(LogLevel::kDebug));
  log_set_level(LogLevel::kDebug);
  EXPECT_TRUE(log_enabled(LogLevel::kDebug));
  petrel::log(LogLevel::kDebug, "now shown");
  console_flush();
  EXPECT_NE(out.find("] D boot: now shown\n"), std::string::npos);
  log_set_level(LogLevel::kError);
  petrel::log(LogLevel::kWarning, "filtered");
  console_flush();
  EXPECT_EQ(out.find("filtered"), std::string::npos);
}

TEST_F(LogTest, StartsOnItsOwnLine) {
  print("partial");
  petrel::log(LogLevel::kInfo, "x");
  console_flush();
  EXPECT_TRUE(std::regex_match(out, std::regex(R"(partial\n\[ +[0-9]+\.[0-9]{6}\] I boot: x\n)")))
      << out;
}

TEST_F(LogTest, NamesTheTask) {
  auto body = [] { petrel::log(LogLevel::kInfo, "from a task"); };
  spawn_fn("sensor", 3, &body);
  scheduler_start();
  console_flush();
  EXPECT_NE(out.find("] I sensor: from a task\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace petrel::kernel::test
