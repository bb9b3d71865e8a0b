#include "petrel/log.h"

#include "petrel/console.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/task.h"
#include "petrel/time.h"

namespace petrel {
namespace {

LogLevel g_level = LogLevel::kInfo;

const char* who() {
  if (kernel::in_isr()) return "isr";
  if (!kernel::scheduler_running()) return "boot";
  const kernel::Task* t = kernel::task_current();
  return t != nullptr ? t->name : "?";
}

}  // namespace

void log_set_level(LogLevel level) {
  g_level = level;
}
LogLevel log_level() {
  return g_level;
}
bool log_enabled(LogLevel level) {
  return static_cast<int>(level) <= static_cast<int>(g_level);
}

void vlog(LogLevel level, const char* fmt, va_list ap) {
  if (!log_enabled(level)) return;
  static constexpr char kLetters[] = {'E', 'W', 'I', 'D'};
  const uint64_t us = now_ns() / 1000;
  ConsoleLock lock;
  console_end_line();  // a log line always starts a line of its own
  print("[%5llu.%06llu] %c %s: ", static_cast<unsigned long long>(us / 1'000'000),
        static_cast<unsigned long long>(us % 1'000'000), kLetters[static_cast<int>(level) & 3],
        who());
  vprint(fmt, ap);
  print("\n");
}

void log(LogLevel level, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(level, fmt, ap);
  va_end(ap);
}

}  // namespace petrel
