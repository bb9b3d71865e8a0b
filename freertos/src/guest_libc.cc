// The C library subset FreeRTOS C applications get on a Petrel guest
// (include/guest-libc/stdio.h): formatted console output on
// petrel::vformat and the console. Guest builds only.
#include <stdarg.h>
#include <stddef.h>

#include "petrel/console.h"
#include "petrel/fmt.h"

#if __STDC_HOSTED__
#error "guest_libc.cc is for freestanding guests only (the host has its own libc)"
#endif

struct PetrelFile;

extern "C" {

int vprintf(const char* fmt, va_list ap) {
  return static_cast<int>(petrel::vprint(fmt, ap));
}

int printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap) {
  return static_cast<int>(petrel::vformat_to(buf, size, fmt, ap));
}

int snprintf(char* buf, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

int puts(const char* s) {
  const petrel::ConsoleLock lock;  // the text and its newline stay together
  size_t n = 0;
  while (s[n] != '\0') ++n;
  petrel::console_write(s, n);
  petrel::console_write("\n", 1);
  return 1;
}

int putchar(int c) {
  const char ch = static_cast<char>(c);
  petrel::console_write(&ch, 1);
  return static_cast<unsigned char>(ch);
}

int fflush(PetrelFile*) {
  petrel::console_flush();
  return 0;
}

}  // extern "C"
