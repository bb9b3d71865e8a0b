// civil_from_unix (lib/src/civil_time.cc) against the C library's gmtime_r
// over the whole range a 32-bit RTC counts, leap days and century years
// included.
#include "petrel/civil_time.h"

#include <gtest/gtest.h>
#include <time.h>

namespace petrel {
namespace {

void ExpectSameAsGmtime(uint32_t seconds) {
  const time_t t = static_cast<time_t>(seconds);
  tm expected{};
  ASSERT_NE(gmtime_r(&t, &expected), nullptr);
  const CivilTime c = civil_from_unix(seconds);
  EXPECT_EQ(c.year, expected.tm_year + 1900) << seconds;
  EXPECT_EQ(c.month, static_cast<unsigned>(expected.tm_mon + 1)) << seconds;
  EXPECT_EQ(c.day, static_cast<unsigned>(expected.tm_mday)) << seconds;
  EXPECT_EQ(c.hour, static_cast<unsigned>(expected.tm_hour)) << seconds;
  EXPECT_EQ(c.minute, static_cast<unsigned>(expected.tm_min)) << seconds;
  EXPECT_EQ(c.second, static_cast<unsigned>(expected.tm_sec)) << seconds;
}

TEST(CivilTime, KnownDates) {
  const CivilTime epoch = civil_from_unix(0);
  EXPECT_EQ(epoch.year, 1970);
  EXPECT_EQ(epoch.month, 1u);
  EXPECT_EQ(epoch.day, 1u);
  const CivilTime leap_day = civil_from_unix(951782400);  // 2000-02-29 00:00:00
  EXPECT_EQ(leap_day.year, 2000);
  EXPECT_EQ(leap_day.month, 2u);
  EXPECT_EQ(leap_day.day, 29u);
  const CivilTime last = civil_from_unix(UINT32_MAX);  // 2106-02-07 06:28:15
  EXPECT_EQ(last.year, 2106);
  EXPECT_EQ(last.month, 2u);
  EXPECT_EQ(last.day, 7u);
  EXPECT_EQ(last.hour, 6u);
  EXPECT_EQ(last.minute, 28u);
  EXPECT_EQ(last.second, 15u);
}

TEST(CivilTime, EveryDayAgreesWithGmtime) {
  for (uint64_t s = 0; s <= UINT32_MAX; s += 86400 - 7)
    ExpectSameAsGmtime(static_cast<uint32_t>(s));
  ExpectSameAsGmtime(UINT32_MAX);
}

}  // namespace
}  // namespace petrel
