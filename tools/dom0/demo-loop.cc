// demo-loop: the demo's control loop as a Linux process in dom0
// (docs/demo.md), for contrast with the Petrel guest: the same controller
// and motor (examples/demo/loop.h), woken every millisecond by
// clock_nanosleep(TIMER_ABSTIME) on CLOCK_MONOTONIC, with SCHED_FIFO at
// priority 90 and its memory locked where the kernel allows it (it says
// which it got on stderr). Writes one record per period to stdout until
// SIGTERM, then one marked as the end.
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "../../examples/demo/loop.h"

namespace {

volatile sig_atomic_t g_stop = 0;

void on_term(int) {
  g_stop = 1;
}

uint64_t ns_of(const timespec& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
}

timespec timespec_of(uint64_t ns) {
  timespec t{};
  t.tv_sec = static_cast<time_t>(ns / 1'000'000'000ull);
  t.tv_nsec = static_cast<long>(ns % 1'000'000'000ull);
  return t;
}

bool write_record(const demo_sample& s) {
  const char* p = reinterpret_cast<const char*>(&s);
  size_t left = sizeof s;
  while (left > 0) {
    const ssize_t n = write(1, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

int main() {
  struct sigaction sa {};
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  sched_param sp{};
  sp.sched_priority = 90;
  const bool fifo = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
  const bool locked = mlockall(MCL_CURRENT | MCL_FUTURE) == 0;
  std::fprintf(stderr, "demo-loop: SCHED_FIFO %s, memory %s\n", fifo ? "on" : "refused",
               locked ? "locked" : "not locked");
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  // The first release on a whole millisecond, as the guest's on a tick.
  const uint64_t start = (ns_of(now) / demo::kPeriodNs + 1) * demo::kPeriodNs;
  uint64_t release = start;
  demo::ControlLoop loop;
  demo_sample s{};
  while (g_stop == 0) {
    release += demo::kPeriodNs;
    const timespec at = timespec_of(release);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR && g_stop == 0) {
    }
    if (g_stop != 0) break;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const uint64_t t = ns_of(now);
    s = loop.period(t - start, t > release ? t - release : 0, false);
    if (!write_record(s)) return 1;
  }
  // The end: one more period, at the time of the stop, marked as the last.
  clock_gettime(CLOCK_MONOTONIC, &now);
  const uint64_t t = ns_of(now);
  s = loop.period(t - start, t > release ? t - release : 0, false);
  return write_record(demo::ControlLoop::end_of(s)) ? 0 : 1;
}
