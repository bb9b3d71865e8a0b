// Calendar dates and times of day in UTC, from seconds since 1970 (the
// PL031 real-time clock's count). Pure, freestanding, host-tested.
#pragma once

#include <stdint.h>

namespace petrel {

struct CivilTime {
  int64_t year;
  unsigned month, day, hour, minute, second;  // month and day from 1
};

// Seconds since 1970-01-01 00:00:00 UTC as a UTC date and time (the
// Gregorian calendar, no leap seconds).
CivilTime civil_from_unix(uint32_t seconds);

}  // namespace petrel
