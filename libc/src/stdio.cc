// stdin, stdout and stderr for picolibc's stdio ("tinystdio", which calls a
// put function per character and has no buffering or locking of its own).
//
// Output goes to the Petrel console a line at a time from a line buffer
// that each task has in its thread-local storage, so lines printed by
// different tasks never mix, and no lock is held while printf formats. A
// line longer than the buffer goes out in pieces. A partial line (no '\n'
// yet) is written by fflush() and by exit(); one left by a task that is
// deleted is lost. An interrupt handler that prints uses the interrupted
// task's buffer (do not print from interrupt handlers, as on FreeRTOS).
//
// Input: a guest has no console input, so reading stdin gives EOF.
#include <stdio.h>

#include "libc_internal.h"
#include "petrel/console.h"

namespace {

struct Line {
  static constexpr size_t kSize = 120;
  char text[kSize];
  size_t used;
};
thread_local Line t_line;  // zero-initialized: .tbss

int put(char c, FILE*) {
  Line& line = t_line;
  line.text[line.used++] = c;
  if (c == '\n' || line.used == Line::kSize) petrel::libc::flush_line();
  return static_cast<unsigned char>(c);
}

int get(FILE*) {
  return EOF;
}

int flush(FILE*) {
  petrel::libc::flush_line();
  petrel::console_flush();
  return 0;
}

FILE g_console = FDEV_SETUP_STREAM(put, get, flush, _FDEV_SETUP_RW);

}  // namespace

namespace petrel::libc {

void flush_line() {
  Line& line = t_line;
  if (line.used == 0) return;
  console_write(line.text, line.used);
  line.used = 0;
}

}  // namespace petrel::libc

// picolibc's stdio.h declares these outside extern "C" (global variables
// are not mangled, so the names are the same), and `extern` keeps a const
// object's linkage external in C++.
extern FILE* const stdin = &g_console;
extern FILE* const stdout = &g_console;
extern FILE* const stderr = &g_console;
