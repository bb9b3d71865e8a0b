// printf-style formatter: see petrel/fmt.h for the supported subset.
//
// One pass over the format. Literal runs go to the sink as they are; each
// directive is parsed completely first, and only when it is one we support are
// its arguments fetched. Numbers are converted into a small stack buffer;
// padding and precision zeros are written from constant runs, so no width or
// precision ever needs a bigger buffer. No libc, no heap, no exceptions.
#include "petrel/fmt.h"

#include <stdint.h>

#include <type_traits>

#include "petrel/string.h"

namespace petrel {
namespace {

// Widths and precisions saturate here (INT_MAX, the most printf could accept).
constexpr size_t kMaxField = 0x7fffffff;

// Padding is written in chunks of this many characters.
constexpr char kSpaces[] = "                ";
constexpr char kZeros[] = "0000000000000000";
constexpr size_t kRun = sizeof(kSpaces) - 1;
static_assert(sizeof(kZeros) == sizeof(kSpaces));

// Enough for any 64-bit value in octal (22 digits), decimal (20) or hex (16).
constexpr size_t kDigitBuffer = 24;
static_assert(sizeof(uintmax_t) <= 8, "kDigitBuffer assumes 64-bit uintmax_t");

class Out {
 public:
  explicit Out(Sink sink) : sink_(sink) {}

  void put(const char* text, size_t len) {
    if (len == 0) return;
    if (sink_.write != nullptr) sink_.write(sink_.ctx, text, len);
    total_ += len;
  }

  void repeat(char c, size_t count) {
    const char* run = c == '0' ? kZeros : kSpaces;
    while (count > 0) {
      const size_t n = count < kRun ? count : kRun;
      put(run, n);
      count -= n;
    }
  }

  size_t total() const { return total_; }

 private:
  Sink sink_;
  size_t total_ = 0;
};

enum class Length : uint8_t { kNone, kChar, kShort, kLong, kLongLong, kSize, kMax, kPtrdiff };

struct Spec {
  bool left = false;   // '-'
  bool plus = false;   // '+'
  bool space = false;  // ' '
  bool alt = false;    // '#'
  bool zero = false;   // '0'
  bool width_star = false;
  bool precision_star = false;
  bool has_precision = false;
  size_t width = 0;
  size_t precision = 0;
  Length length = Length::kNone;
  char conv = '\0';
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

const char* parse_number(const char* p, size_t* out) {
  size_t value = 0;
  while (is_digit(*p)) {
    value = value * 10 + static_cast<size_t>(*p - '0');
    if (value > kMaxField) value = kMaxField;
    ++p;
  }
  *out = value;
  return p;
}

// Parses the directive that starts just after a '%'. Returns the character
// after the conversion letter, or nullptr when the format ends first.
const char* parse(const char* p, Spec* s) {
  for (;; ++p) {
    if (*p == '-') {
      s->left = true;
    } else if (*p == '+') {
      s->plus = true;
    } else if (*p == ' ') {
      s->space = true;
    } else if (*p == '#') {
      s->alt = true;
    } else if (*p == '0') {
      s->zero = true;
    } else {
      break;
    }
  }
  if (*p == '*') {
    s->width_star = true;
    ++p;
  } else {
    p = parse_number(p, &s->width);
  }
  if (*p == '.') {
    ++p;
    s->has_precision = true;
    if (*p == '*') {
      s->precision_star = true;
      ++p;
    } else {
      p = parse_number(p, &s->precision);  // "%.d" means precision 0
    }
  }
  switch (*p) {
    case 'h':
      ++p;
      s->length = Length::kShort;
      if (*p == 'h') {
        ++p;
        s->length = Length::kChar;
      }
      break;
    case 'l':
      ++p;
      s->length = Length::kLong;
      if (*p == 'l') {
        ++p;
        s->length = Length::kLongLong;
      }
      break;
    case 'z':
      s->length = Length::kSize;
      ++p;
      break;
    case 'j':
      s->length = Length::kMax;
      ++p;
      break;
    case 't':
      s->length = Length::kPtrdiff;
      ++p;
      break;
    default:
      break;
  }
  if (*p == '\0') return nullptr;
  s->conv = *p;
  return p + 1;
}

bool is_integer_conv(char c) {
  return c == 'd' || c == 'i' || c == 'u' || c == 'x' || c == 'X' || c == 'o';
}

// `text_len` is the length of the whole directive, '%' included.
bool supported(const Spec& s, size_t text_len) {
  if (is_integer_conv(s.conv)) return true;
  if (s.conv == 'c' || s.conv == 's' || s.conv == 'p') return s.length == Length::kNone;
  if (s.conv == '%') return text_len == 2;  // only the plain "%%"
  return false;
}

intmax_t fetch_signed(va_list* ap, Length length) {
  switch (length) {
    case Length::kChar:
      return static_cast<signed char>(va_arg(*ap, int));
    case Length::kShort:
      return static_cast<short>(va_arg(*ap, int));
    case Length::kLong:
      return va_arg(*ap, long);
    case Length::kLongLong:
      return va_arg(*ap, long long);
    case Length::kSize:
      return va_arg(*ap, std::make_signed_t<size_t>);
    case Length::kMax:
      return va_arg(*ap, intmax_t);
    case Length::kPtrdiff:
      return va_arg(*ap, ptrdiff_t);
    case Length::kNone:
      break;
  }
  return va_arg(*ap, int);
}

uintmax_t fetch_unsigned(va_list* ap, Length length) {
  switch (length) {
    case Length::kChar:
      return static_cast<unsigned char>(va_arg(*ap, unsigned));
    case Length::kShort:
      return static_cast<unsigned short>(va_arg(*ap, unsigned));
    case Length::kLong:
      return va_arg(*ap, unsigned long);
    case Length::kLongLong:
      return va_arg(*ap, unsigned long long);
    case Length::kSize:
      return va_arg(*ap, size_t);
    case Length::kMax:
      return va_arg(*ap, uintmax_t);
    case Length::kPtrdiff:
      return va_arg(*ap, std::make_unsigned_t<ptrdiff_t>);
    case Length::kNone:
      break;
  }
  return va_arg(*ap, unsigned);
}

// Writes `text` (exactly `len` characters) padded with spaces to the width.
void emit_padded(Out& out, const Spec& s, const char* text, size_t len) {
  const size_t pad = s.width > len ? s.width - len : 0;
  if (!s.left) out.repeat(' ', pad);
  out.put(text, len);
  if (s.left) out.repeat(' ', pad);
}

// d i u x X o p. `magnitude` is the absolute value; `negative` its sign.
void emit_integer(Out& out, const Spec& s, uintmax_t magnitude, bool negative) {
  const bool is_signed = s.conv == 'd' || s.conv == 'i';
  const unsigned base = s.conv == 'o' ? 8 : (s.conv == 'u' || is_signed) ? 10 : 16;
  const char* digit_set = s.conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";

  char digits[kDigitBuffer];
  size_t count = 0;
  if (!(magnitude == 0 && s.has_precision && s.precision == 0)) {
    uintmax_t v = magnitude;
    do {
      digits[kDigitBuffer - 1 - count] = digit_set[v % base];
      ++count;
      v /= base;
    } while (v != 0);
  }
  const char* first = digits + kDigitBuffer - count;

  size_t zeros = s.has_precision && s.precision > count ? s.precision - count : 0;
  // '#' with 'o': the first digit printed must be 0.
  if (s.alt && s.conv == 'o' && zeros == 0 && (count == 0 || *first != '0')) zeros = 1;

  char prefix[2];
  size_t prefix_len = 0;
  if (is_signed) {
    if (negative) {
      prefix[prefix_len++] = '-';
    } else if (s.plus) {
      prefix[prefix_len++] = '+';
    } else if (s.space) {
      prefix[prefix_len++] = ' ';
    }
  } else if (s.conv == 'p' || (s.alt && magnitude != 0 && (s.conv == 'x' || s.conv == 'X'))) {
    prefix[prefix_len++] = '0';
    prefix[prefix_len++] = s.conv == 'X' ? 'X' : 'x';
  }

  const size_t body = prefix_len + zeros + count;
  size_t pad = s.width > body ? s.width - body : 0;
  const bool zero_pad = s.zero && !s.left && !s.has_precision;
  if (!s.left && !zero_pad) {
    out.repeat(' ', pad);
    pad = 0;
  }
  out.put(prefix, prefix_len);
  if (zero_pad) {
    out.repeat('0', pad);
    pad = 0;
  }
  out.repeat('0', zeros);
  out.put(first, count);
  out.repeat(' ', pad);  // only left-justified output still has padding here
}

// Fetches the arguments of a supported directive and writes its output.
void convert(Out& out, Spec& s, va_list* ap) {
  if (s.width_star) {
    const int w = va_arg(*ap, int);
    if (w < 0) s.left = true;
    // Negate in unsigned arithmetic so INT_MIN does not overflow.
    const size_t mag = w < 0 ? 0u - static_cast<unsigned>(w) : static_cast<unsigned>(w);
    s.width = mag > kMaxField ? kMaxField : mag;
  }
  if (s.precision_star) {
    const int p = va_arg(*ap, int);
    s.has_precision = p >= 0;  // a negative precision is taken as omitted
    s.precision = p >= 0 ? static_cast<size_t>(p) : 0;
  }

  switch (s.conv) {
    case '%':
      out.put("%", 1);
      return;
    case 'c': {
      const char c = static_cast<char>(static_cast<unsigned char>(va_arg(*ap, int)));
      emit_padded(out, s, &c, 1);
      return;
    }
    case 's': {
      const char* str = va_arg(*ap, const char*);
      if (str == nullptr) {
        // Like glibc: "(null)", or nothing if the precision cannot fit all of it.
        constexpr size_t kNullLen = 6;
        str = (s.has_precision && s.precision < kNullLen) ? "" : "(null)";
      }
      // Bounded: with a precision the string need not be NUL-terminated.
      const size_t len = s.has_precision ? str::length_bounded(str, s.precision) : str::length(str);
      emit_padded(out, s, str, len);
      return;
    }
    case 'p': {
      const void* ptr = va_arg(*ap, const void*);
      if (ptr == nullptr) {
        emit_padded(out, s, "(nil)", 5);  // like glibc; precision and '0' ignored
        return;
      }
      s.plus = s.space = false;  // no sign for pointers
      emit_integer(out, s, reinterpret_cast<uintptr_t>(ptr), false);
      return;
    }
    case 'd':
    case 'i': {
      const intmax_t v = fetch_signed(ap, s.length);
      // 0 - (unsigned)v is the magnitude even for INTMAX_MIN.
      const uintmax_t mag = v < 0 ? 0u - static_cast<uintmax_t>(v) : static_cast<uintmax_t>(v);
      emit_integer(out, s, mag, v < 0);
      return;
    }
    default:
      emit_integer(out, s, fetch_unsigned(ap, s.length), false);
      return;
  }
}

struct Buffer {
  char* buf;
  size_t room;  // characters that still fit, not counting the NUL
  size_t used;
};

void buffer_write(void* ctx, const char* text, size_t len) {
  auto* b = static_cast<Buffer*>(ctx);
  const size_t n = len < b->room ? len : b->room;
  str::copy(b->buf + b->used, text, n);
  b->used += n;
  b->room -= n;
}

}  // namespace

// Cold: no measured path prints, and the formatter is the largest code every
// image carries; GCC optimizes it for size (hello.bin within 64 KiB,
// docs/build.md).
[[gnu::cold]] size_t vformat(Sink sink, const char* fmt, va_list ap) {
  // A copy we can pass by pointer: va_list may be an array type (x86-64), so
  // `&ap` of a parameter would not be a va_list*.
  va_list args;
  va_copy(args, ap);
  Out out(sink);
  const char* p = fmt;
  while (*p != '\0') {
    if (*p != '%') {
      const char* run = p;
      while (*p != '\0' && *p != '%') ++p;
      out.put(run, static_cast<size_t>(p - run));
      continue;
    }
    const char* start = p;
    Spec spec;
    const char* end = parse(p + 1, &spec);
    if (end == nullptr) {  // the format ends inside a directive: print it as is
      out.put(start, str::length(start));
      break;
    }
    p = end;
    const size_t text_len = static_cast<size_t>(end - start);
    if (supported(spec, text_len)) {
      convert(out, spec, &args);
    } else {
      out.put(start, text_len);  // e.g. "%f": literal, no argument consumed
    }
  }
  va_end(args);
  return out.total();
}

size_t vformat_to(char* buf, size_t size, const char* fmt, va_list ap) {
  Buffer b{buf, size > 0 ? size - 1 : 0, 0};
  const size_t total = vformat(Sink{size > 0 ? buffer_write : nullptr, &b}, fmt, ap);
  if (size > 0) buf[b.used] = '\0';
  return total;
}

size_t format_to(char* buf, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const size_t n = vformat_to(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

}  // namespace petrel
