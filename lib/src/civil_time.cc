// UTC calendar dates from Unix time (petrel/civil_time.h).
#include "petrel/civil_time.h"

namespace petrel {
namespace {

bool leap(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

}  // namespace

CivilTime civil_from_unix(uint32_t seconds) {
  CivilTime t{};
  uint64_t days = seconds / 86400;
  const uint64_t rest = seconds % 86400;
  t.hour = static_cast<unsigned>(rest / 3600);
  t.minute = static_cast<unsigned>(rest % 3600 / 60);
  t.second = static_cast<unsigned>(rest % 60);
  // Whole years, then whole months: at most a few hundred steps for any
  // date a 32-bit RTC can hold, and plainly right.
  t.year = 1970;
  while (days >= (leap(t.year) ? 366u : 365u)) days -= leap(t.year++) ? 366 : 365;
  static constexpr uint8_t kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  t.month = 1;
  for (uint8_t length : kMonthDays) {
    const unsigned in_month = length + (t.month == 2 && leap(t.year) ? 1 : 0);
    if (days < in_month) break;
    days -= in_month;
    ++t.month;
  }
  t.day = static_cast<unsigned>(days) + 1;
  return t;
}

}  // namespace petrel
