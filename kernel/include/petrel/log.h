// The log: leveled, timestamped lines on the console (whichever device the
// platform chose: console_io, the vpl011, or the PV console ring that `xl
// console` and xenconsoled's log show).
//
//   log(LogLevel::kWarning, "queue %s full, dropped %u", name, n);
//   [    1.234567] W sensor: queue rx full, dropped 3
//
// Each line is written whole under the console lock (tasks never interleave
// inside a line); the time is seconds since the guest started, the letter
// the level (E, W, I, D), then the task's name ("boot" before the
// scheduler, "isr" in an interrupt handler). Lines below the threshold
// (default kInfo) cost one comparison.
#pragma once

#include <stdarg.h>

namespace petrel {

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

void log_set_level(LogLevel level);
LogLevel log_level();
bool log_enabled(LogLevel level);

void log(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void vlog(LogLevel level, const char* fmt, va_list ap);

}  // namespace petrel
