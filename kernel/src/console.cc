#include "petrel/console.h"

#include "petrel/fmt.h"
#include "petrel/kernel/sched.h"

namespace petrel {
namespace {

// One line buffer for the whole guest. Until the scheduler exists, output
// happens with interrupts in whatever state the caller has; handlers that
// print (fault reports) flush first, so lines are not interleaved badly.
struct LineBuffer {
  static constexpr size_t kSize = 256;
  char text[kSize];
  size_t used = 0;
};

LineBuffer g_line;
ConsoleWriteFn g_output = nullptr;
const char* g_output_name = "none";
bool g_at_line_start = true;

void flush_locked() {
  if (g_output != nullptr && g_line.used > 0) g_output(g_line.text, g_line.used);
  if (g_output != nullptr) g_line.used = 0;
}

void sink_write(void*, const char* text, size_t len) {
  console_write(text, len);
}

}  // namespace

void console_set_output(ConsoleWriteFn write, const char* name) {
  flush_locked();
  g_output = write;
  g_output_name = name;
  flush_locked();
}

const char* console_output_name() {
  return g_output_name;
}

// Tasks share the line buffer: a task holds the scheduler lock while it
// writes, so another task cannot add to (or flush) its half-written line.
ConsoleLock::ConsoleLock() : locked_(kernel::scheduler_running() && !kernel::in_isr()) {
  if (locked_) kernel::scheduler_lock();
}

ConsoleLock::~ConsoleLock() {
  if (locked_) kernel::scheduler_unlock();
}

void console_write(const char* text, size_t len) {
  const ConsoleLock lock;
  for (size_t i = 0; i < len; ++i) {
    if (g_line.used == LineBuffer::kSize) {
      flush_locked();
      // No device yet and the buffer is full: drop the oldest line's tail
      // rather than overflow.
      if (g_line.used == LineBuffer::kSize) g_line.used = 0;
    }
    g_line.text[g_line.used++] = text[i];
    g_at_line_start = text[i] == '\n';
    if (text[i] == '\n') flush_locked();
  }
}

void console_flush() {
  const ConsoleLock lock;
  flush_locked();
}

void console_end_line() {
  if (!g_at_line_start) console_write("\n", 1);
}

size_t vprint(const char* fmt, va_list ap) {
  const ConsoleLock lock;  // one print stays one piece
  return vformat(Sink{sink_write, nullptr}, fmt, ap);
}

size_t print(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = vprint(fmt, ap);
  va_end(ap);
  return n;
}

}  // namespace petrel
