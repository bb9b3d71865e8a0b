/* stdio.h for FreeRTOS C applications on a Petrel guest (freestanding: no
 * libc). Only formatted output to the Petrel console, built on
 * petrel::vformat (%d %i %u %x %X %o %c %s %p %%, flags, width, precision,
 * hh h l ll z j t; no floating point). Implemented in
 * freertos/src/guest_libc.cc. Host builds use the host's own stdio.h. */
#ifndef PETREL_GUEST_STDIO_H
#define PETREL_GUEST_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EOF (-1)

int printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char* fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int snprintf(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int puts(const char* s);
int putchar(int c);
/* Output is line buffered; fflush(NULL) (or any stream) flushes it. */
typedef struct PetrelFile FILE;
int fflush(FILE* stream);

#ifdef __cplusplus
}
#endif

#endif /* PETREL_GUEST_STDIO_H */
