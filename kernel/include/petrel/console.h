// The console: formatted, line-buffered output to whichever device the
// platform chose (Xen's console_io, the vpl011 UART, later the PV ring).
//
// Output is buffered until a newline (Xen prints guest output by lines
// anyway) so one line costs one hypercall or one burst of UART writes.
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace petrel {

using ConsoleWriteFn = void (*)(const char* text, size_t len);

// Selects the output device; `name` is shown in banners ("xen console_io").
// Flushes what was buffered for the previous device first.
void console_set_output(ConsoleWriteFn write, const char* name);
const char* console_output_name();

void console_write(const char* text, size_t len);
void console_flush();
// Ends a partial line, if any, so what follows starts a new line.
void console_end_line();

// Holds the console for the calling task while it lives: no other task's
// output can enter the shared line buffer, so several writes stay together.
// While the scheduler runs it locks the scheduler (interrupts stay enabled:
// an interrupt handler that prints may still split a line). Nests. Every
// console function below takes it itself.
class ConsoleLock {
 public:
  ConsoleLock();
  ~ConsoleLock();
  ConsoleLock(const ConsoleLock&) = delete;
  ConsoleLock& operator=(const ConsoleLock&) = delete;

 private:
  bool locked_;
};

size_t print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
size_t vprint(const char* fmt, va_list ap);

}  // namespace petrel
