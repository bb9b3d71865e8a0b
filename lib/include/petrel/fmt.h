// printf-style formatting without libc, for the guest and the host alike.
//
// vformat() walks the format once and hands text to a Sink in pieces, so
// printing needs no buffer and no heap (only ~24 bytes of stack for a number).
//
// Supported: %d %i %u %x %X %o %c %s %p %%, flags "-+ #0", width and precision
// (numbers or '*'; a negative '*' width means '-', a negative '*' precision
// means none), length modifiers hh h l ll z j t on the integer conversions.
// Results match C's printf (and glibc's) for this subset, plus:
//   - %s with NULL prints "(null)", or nothing when a precision below 6 would
//     cut it (as glibc does). With a precision, %s reads at most that many
//     bytes, so the string need not be NUL-terminated.
//   - %p prints "0x" and lowercase hex (width, '-', '0' and precision apply as
//     for %#x; '+' and ' ' are ignored); a null pointer prints "(nil)", like
//     glibc.
//   - %c and %s pad with spaces only; '0' is ignored for them.
//   - Widths and precisions saturate at INT_MAX.
//
// Anything else (%f %e %g %a, %n, %ls %lc, a length on %c %s %p, unknown
// letters, "%5%") is printed as the literal directive, so a bad format is
// visible rather than undefined. Such a directive consumes no argument (not
// even for a '*' inside it), so the arguments of every later directive are
// misaligned with the format: format_to() carries the printf format attribute
// so -Wformat (in -Wall) rejects such formats at compile time; give any new
// variadic wrapper the same attribute. A format that ends inside a directive
// ("50%", "%-5") prints that tail as is.
#pragma once

#include <stdarg.h>
#include <stddef.h>

// Length modifiers for 64-bit integers (uint64_t is unsigned long on
// AArch64 and the host, unsigned long long on AArch32), as <inttypes.h>'s
// PRIu64 and friends, which freestanding builds do not have:
//   print("%" PETREL_PRIu64 " ticks\n", ticks);
#if defined(__LP64__)
#define PETREL_PRI64 "l"
#else
#define PETREL_PRI64 "ll"
#endif
#define PETREL_PRIu64 PETREL_PRI64 "u"
#define PETREL_PRIx64 PETREL_PRI64 "x"
#define PETREL_PRId64 PETREL_PRI64 "d"

namespace petrel {

// Where vformat() sends its output: write(ctx, text, len) is called with each
// piece in order (len > 0, text not NUL-terminated, valid only for the call).
// A null write makes vformat() only count.
struct Sink {
  void (*write)(void* ctx, const char* text, size_t len);
  void* ctx;
};

// Returns the number of characters produced. As with vprintf, va_copy `ap`
// first if it is needed again afterwards.
size_t vformat(Sink sink, const char* fmt, va_list ap);

// snprintf semantics: writes at most size-1 characters plus a NUL (when
// size > 0) and returns the length the full output would have had, so the
// output was cut short exactly when the result is >= size. With size 0
// nothing is written and buf may be null.
size_t vformat_to(char* buf, size_t size, const char* fmt, va_list ap);
size_t format_to(char* buf, size_t size, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

}  // namespace petrel
