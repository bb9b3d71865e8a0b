// The operating-system calls picolibc asks of its platform, on a Petrel
// guest: exit, signals (abort), the clock, and file descriptors.
//
// - exit(n) and _exit(n) end the domain with status n, like returning n from
//   main (after at-exit handlers; Petrel guests have no static destructors,
//   so picolibc's __libc_fini_array finds no .fini_array to run).
// - abort() and raise() of a signal without a handler crash the domain with
//   a report naming the signal.
// - time(), gettimeofday() and clock() count from boot (the guest has no
//   wall clock): the kernel's monotonic clock.
// - libgcc's atomics find no LSE in the (absent) auxiliary vector.
// - There is no file system: descriptors 1 and 2 write to the console and
//   descriptor 0 reads end-of-file; open() fails with ENOENT, so fopen()
//   returns NULL.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "libc_internal.h"
#include "petrel/console.h"
#include "petrel/exit.h"
#include "petrel/time.h"

namespace {

constexpr pid_t kPid = 1;

void flush_stdout() {
  petrel::libc::flush_line();  // stdio.cc: always linked (an object library)
  petrel::console_flush();
}

}  // namespace

extern "C" {

void _exit(int status) {
  flush_stdout();
  petrel::exit(status);
}

// libgcc's out-of-line atomics (which picolibc's AArch64 build calls) ask
// the Linux auxiliary vector whether the CPU has LSE atomics. No bits: they
// use load/store-exclusive, correct on every ARMv8 CPU.
unsigned long __getauxval(unsigned long) {
  return 0;
}

pid_t getpid() {
  return kPid;
}

int kill(pid_t pid, int sig) {
  if (pid != kPid) {
    errno = ESRCH;
    return -1;
  }
  if (sig == 0) return 0;
  flush_stdout();
  petrel::panic("killed by signal %d%s", sig, sig == SIGABRT ? " (abort)" : "");
}

int gettimeofday(struct timeval* tv, void*) {
  if (tv != nullptr) {
    const uint64_t us = petrel::now_ns() / 1000;
    tv->tv_sec = static_cast<time_t>(us / 1000000);
    tv->tv_usec = static_cast<suseconds_t>(us % 1000000);
  }
  return 0;
}

// clock(): the processor time of the whole guest, which is all of its time
// since boot (CLOCKS_PER_SEC units).
clock_t times(struct tms* t) {
  const auto ticks = static_cast<clock_t>(petrel::now_ns() / (1000000000 / CLOCKS_PER_SEC));
  if (t != nullptr) {
    t->tms_utime = ticks;
    t->tms_stime = 0;
    t->tms_cutime = 0;
    t->tms_cstime = 0;
  }
  return ticks;
}

ssize_t write(int fd, const void* buf, size_t n) {
  if (fd != STDOUT_FILENO && fd != STDERR_FILENO) {
    errno = EBADF;
    return -1;
  }
  petrel::console_write(static_cast<const char*>(buf), n);
  return static_cast<ssize_t>(n);
}

ssize_t read(int fd, void*, size_t) {
  if (fd != STDIN_FILENO) {
    errno = EBADF;
    return -1;
  }
  return 0;
}

int open(const char*, int, ...) {
  errno = ENOENT;
  return -1;
}

int close(int fd) {
  if (fd >= STDIN_FILENO && fd <= STDERR_FILENO) return 0;
  errno = EBADF;
  return -1;
}

off_t lseek(int, off_t, int) {
  errno = ESPIPE;
  return -1;
}

}  // extern "C"
