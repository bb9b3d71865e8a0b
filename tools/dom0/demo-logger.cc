// demo-logger SIDE: dom0's telemetry logger for the demo (docs/demo.md).
// Reads the records of one control loop on stdin (from vchan-socket-proxy
// for the Petrel guest, from a pipe for the Linux loop) until the end of
// the stream, then prints its report (demo_log.h) on stdout. SIGUSR1 marks
// the start of dom0's load; SIGTERM ends the stream early.
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "demo_log.h"

namespace {

volatile sig_atomic_t g_load = 0;
volatile sig_atomic_t g_stop = 0;

void on_signal(int sig) {
  if (sig == SIGUSR1) g_load = 1;
  if (sig == SIGTERM) g_stop = 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: demo-logger SIDE\n");
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;  // no SA_RESTART: a signal ends the read
  sigaction(SIGUSR1, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  demo::TelemetryLog log;
  static char buf[65536];
  while (g_stop == 0) {
    const ssize_t n = read(0, buf, sizeof buf);
    if (g_load != 0) log.start_load();
    if (n > 0) {
      log.feed(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      if (n < 0) std::fprintf(stderr, "demo-logger %s: read: %s\n", argv[1], std::strerror(errno));
      break;
    }
  }
  for (const std::string& line : log.report(argv[1])) std::printf("%s\n", line.c_str());
  return 0;
}
