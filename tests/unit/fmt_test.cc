// Unit tests for petrel::vformat / vformat_to / format_to.
//
// The bulk of the checking compares format_to with the host's snprintf over a
// table of every flag, width, precision and length combination, and also
// checks that the streamed (Sink) output is the same text.
#include "petrel/fmt.h"

#include <gtest/gtest.h>
#include <stdint.h>
#include <stdio.h>

#include <climits>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using petrel::format_to;
using petrel::Sink;

// Records every chunk the formatter writes.
struct Recorder {
  std::vector<std::string> chunks;
  std::string text() const {
    std::string all;
    for (const auto& c : chunks) all += c;
    return all;
  }
  static void write(void* ctx, const char* text, size_t len) {
    static_cast<Recorder*>(ctx)->chunks.emplace_back(text, len);
  }
  Sink sink() { return Sink{&Recorder::write, this}; }
};

// Streams through a Recorder; `*total` gets vformat's return value.
// Deliberately has no format attribute: callers may pass odd formats.
Recorder Streamed(size_t* total, const char* fmt, ...) {
  Recorder r;
  va_list ap;
  va_start(ap, fmt);
  *total = petrel::vformat(r.sink(), fmt, ap);
  va_end(ap);
  return r;
}

// Formats with petrel into a string. It has no format attribute, so the
// compiler does not check its arguments: this is the helper for intentionally
// unsupported or mismatched formats ("%f" with no argument, "%5%", ...), which
// -Wformat would otherwise (rightly) reject at compile time.
std::string Unchecked(const char* fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  const size_t n = petrel::vformat_to(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  EXPECT_LT(n, sizeof(buf));
  return std::string(buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
}

// Checked formatting, for the ordinary cases.
__attribute__((format(printf, 1, 2))) std::string Fmt(const char* fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  const size_t n = petrel::vformat_to(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  EXPECT_LT(n, sizeof(buf));
  return std::string(buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
}

int g_failures = 0;  // table mismatches, reported at most kMaxReports times
constexpr int kMaxReports = 20;

void Report(const std::string& fmt, const std::string& want, const std::string& got,
            const char* what) {
  if (++g_failures <= kMaxReports) {
    ADD_FAILURE() << what << " for format \"" << fmt << "\": expected \"" << want << "\" got \""
                  << got << "\"";
  }
}

// The format strings here are built at run time, which -Wformat-nonliteral
// and -Wformat-security (in -Wformat=2) would flag; that is the point.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
template <typename... Args>
void Compare(const std::string& fmt, Args... args) {
  char want[1024];
  const int wn = snprintf(want, sizeof(want), fmt.c_str(), args...);
  ASSERT_GE(wn, 0);
  ASSERT_LT(static_cast<size_t>(wn), sizeof(want));
  const std::string expected(want, static_cast<size_t>(wn));  // may hold a NUL (%c)

  char got[1024];
  std::memset(got, 0x7f, sizeof(got));
  const size_t n = format_to(got, sizeof(got), fmt.c_str(), args...);
  const std::string actual(got, n < sizeof(got) ? n : 0);
  if (n != expected.size() || actual != expected || got[n] != '\0') {
    Report(fmt, expected, actual, "format_to");
  }

  size_t total = 0;
  const Recorder r = Streamed(&total, fmt.c_str(), args...);
  if (total != expected.size() || r.text() != expected) {
    Report(fmt, expected, r.text(), "vformat");
  }
}
#pragma GCC diagnostic pop

// One directive with its optional '*' width and precision arguments.
struct Shape {
  std::string flags;
  std::string width;  // "", a number or "*"
  int width_arg;
  std::string precision;  // "", ".", ".N" or ".*"
  int precision_arg;

  std::string directive(const std::string& length, char conv) const {
    return "[%" + flags + width + precision + length + conv + "]";
  }
  template <typename T>
  void check(const std::string& length, char conv, T value) const {
    const std::string fmt = directive(length, conv);
    const bool ws = width == "*";
    const bool ps = precision == ".*";
    if (ws && ps) {
      Compare(fmt, width_arg, precision_arg, value);
    } else if (ws) {
      Compare(fmt, width_arg, value);
    } else if (ps) {
      Compare(fmt, precision_arg, value);
    } else {
      Compare(fmt, value);
    }
  }
};

std::vector<Shape> Shapes(const std::vector<std::string>& flag_sets) {
  struct W {
    const char* text;
    int arg;
  };
  const W widths[] = {{"", 0},  {"1", 0}, {"5", 0},  {"25", 0},
                      {"*", 7}, {"*", 0}, {"*", -8}, {"*", -1}};
  const W precisions[] = {{"", 0},    {".", 0},   {".0", 0}, {".1", 0}, {".3", 0},
                          {".22", 0}, {".*", -1}, {".*", 0}, {".*", 5}};
  std::vector<Shape> out;
  for (const auto& f : flag_sets) {
    for (const auto& w : widths) {
      for (const auto& p : precisions) out.push_back(Shape{f, w.text, w.arg, p.text, p.arg});
    }
  }
  return out;
}

const std::vector<std::string> kAllFlags = {"",   "-",  "+",  " ",  "#",  "0",    "-0",
                                            "+0", " 0", "#0", "-#", "+ ", "-+ #0"};

template <typename T>
void CheckValues(const std::vector<Shape>& shapes, const char* length, const char* convs,
                 std::initializer_list<T> values) {
  for (const Shape& s : shapes) {
    for (const char* c = convs; *c != '\0'; ++c) {
      for (T v : values) s.check(length, *c, v);
    }
  }
}

class FormatTable : public ::testing::Test {
 protected:
  void SetUp() override { g_failures = 0; }
  void TearDown() override { EXPECT_EQ(g_failures, 0) << "table mismatches (first few shown)"; }
};

TEST_F(FormatTable, SignedIntegers) {
  const auto shapes = Shapes(kAllFlags);
  CheckValues<int>(shapes, "hh", "di", {0, 1, -1, 127, -128, 255, 300, -300});
  CheckValues<int>(shapes, "h", "di", {0, 1, -1, 32767, -32768, 65535, 70000});
  CheckValues<int>(shapes, "", "di", {0, 1, -1, 9, 10, 42, -42, INT_MIN, INT_MAX});
  CheckValues<long>(shapes, "l", "di", {0, 1, -1, LONG_MIN, LONG_MAX});
  CheckValues<long long>(shapes, "ll", "di",
                         {0, 1, -1, LLONG_MIN, LLONG_MAX, -1234567890123LL, INT64_MIN});
  using ssize = std::make_signed_t<size_t>;
  CheckValues<ssize>(
      shapes, "z", "di",
      {0, -1, 77, static_cast<ssize>(SIZE_MAX >> 1), -static_cast<ssize>(SIZE_MAX >> 1) - 1});
  CheckValues<intmax_t>(shapes, "j", "di", {0, -5, INTMAX_MIN, INTMAX_MAX});
  CheckValues<ptrdiff_t>(shapes, "t", "di", {0, -5, PTRDIFF_MIN, PTRDIFF_MAX});
}

TEST_F(FormatTable, UnsignedIntegers) {
  const auto shapes = Shapes(kAllFlags);
  CheckValues<unsigned>(shapes, "hh", "uxXo", {0u, 1u, 7u, 8u, 255u, 256u, 0xfffu});
  CheckValues<unsigned>(shapes, "h", "uxXo", {0u, 1u, 0x7fffu, 0xffffu, 0x12345u});
  CheckValues<unsigned>(shapes, "", "uxXo", {0u, 1u, 8u, 10u, 15u, 16u, 0xdeadbeefu, UINT_MAX});
  CheckValues<unsigned long>(shapes, "l", "uxXo", {0ul, 1ul, 0x80ul, ULONG_MAX});
  CheckValues<unsigned long long>(
      shapes, "ll", "uxXo",
      {0ull, 1ull, UINT64_MAX, 0x8000000000000000ull, 0x123456789abcdef0ull, 01234567ull});
  CheckValues<size_t>(shapes, "z", "uxXo", {size_t{0}, size_t{4096}, SIZE_MAX});
  CheckValues<uintmax_t>(shapes, "j", "uxXo", {uintmax_t{0}, uintmax_t{9}, UINTMAX_MAX});
  using uptrdiff = std::make_unsigned_t<ptrdiff_t>;
  CheckValues<uptrdiff>(shapes, "t", "uxXo", {uptrdiff{0}, uptrdiff{31}, ~uptrdiff{0}});
}

TEST_F(FormatTable, Characters) {
  // glibc ignores the precision and every flag but '-' for %c, as we do.
  CheckValues<int>(Shapes(kAllFlags), "", "c", {'a', ' ', '%', 0, 0x7f, 0x80, 0xff, -1, 0x141});
}

TEST_F(FormatTable, Strings) {
  const std::string long_string(150, 'L');
  CheckValues<const char*>(Shapes(kAllFlags), "", "s",
                           {"", "a", "hello", "hello, world!", "%d", long_string.c_str(), nullptr});
}

TEST_F(FormatTable, Pointers) {
  // '+' and ' ' are left out: glibc gives pointers a sign, Petrel does not.
  const auto shapes = Shapes({"", "-", "#", "0", "-0", "#0", "-#"});
  int local = 0;
  CheckValues<const void*>(
      shapes, "", "p",
      {nullptr, reinterpret_cast<void*>(1), reinterpret_cast<void*>(0xabc),
       reinterpret_cast<void*>(0xdeadbeefcafeULL), &local, reinterpret_cast<void*>(UINTPTR_MAX)});
}

TEST(Format, EdgeValues) {
  EXPECT_EQ(Fmt("%lld", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(Fmt("%lld", static_cast<long long>(INT64_MAX)), "9223372036854775807");
  EXPECT_EQ(Fmt("%llu", static_cast<unsigned long long>(UINT64_MAX)), "18446744073709551615");
  EXPECT_EQ(Fmt("%llx", static_cast<unsigned long long>(UINT64_MAX)), "ffffffffffffffff");
  EXPECT_EQ(Fmt("%#llo", static_cast<unsigned long long>(UINT64_MAX)), "01777777777777777777777");
  EXPECT_EQ(Fmt("%#llX", 0xabcdefULL), "0XABCDEF");
  EXPECT_EQ(Fmt("%#x|%#o|%#.0o|%.0d|%5.0d|", 0u, 0u, 0u, 0, 0), "0|0|0||     |");
  EXPECT_EQ(Unchecked("%08.3d|%-08d|%+08d|% 08d", 5, 5, 5, 5),
            "     005|5       |+0000005| 0000005");
  EXPECT_EQ(Fmt("%d%%", 50), "50%");
  EXPECT_EQ(Unchecked("%s|%.3s|%8.6s", nullptr, nullptr, nullptr), "(null)||  (null)");
  EXPECT_EQ(Fmt("%p", static_cast<void*>(nullptr)), "(nil)");
  EXPECT_EQ(Fmt("%p", reinterpret_cast<void*>(0x1234abcd)), "0x1234abcd");
  EXPECT_EQ(Fmt("%*d|%-*d|%*d", -4, 1, -4, 2, 4, 3), "1   |2   |   3");
  EXPECT_EQ(Fmt("%.*d|%.*s", -1, 7, 2, "abc"), "7|ab");
}

TEST(Format, PointersIgnoreSignFlags) {
  EXPECT_EQ(Unchecked("%+p|% p", reinterpret_cast<void*>(0x10), reinterpret_cast<void*>(0x10)),
            "0x10|0x10");
}

TEST(Format, StringPrecisionReadsNoFurther) {
  // Not NUL-terminated and on the heap, so ASan reports any read past it.
  std::unique_ptr<char[]> raw(new char[4]{'a', 'b', 'c', 'd'});
  EXPECT_EQ(Fmt("%.4s", raw.get()), "abcd");
  EXPECT_EQ(Fmt("%.2s", raw.get()), "ab");
  EXPECT_EQ(Fmt("[%6.4s]", raw.get()), "[  abcd]");
  EXPECT_EQ(Fmt("%.*s", 3, raw.get()), "abc");
}

TEST(Format, UnsupportedDirectivesAreLiteral) {
  // No argument is consumed, so later directives still see theirs.
  EXPECT_EQ(Unchecked("%f"), "%f");
  EXPECT_EQ(Unchecked("a%fb%d", 5), "a%fb5");
  EXPECT_EQ(Unchecked("%e %g %a %E %G %A %F", 1), "%e %g %a %E %G %A %F");
  EXPECT_EQ(Unchecked("%n|%d", 3), "%n|3");
  EXPECT_EQ(Unchecked("%ls|%lc|%hs|%lp|%d", 4), "%ls|%lc|%hs|%lp|4");
  EXPECT_EQ(Unchecked("%-08.3f|%s", "x"), "%-08.3f|x");
  EXPECT_EQ(Unchecked("%*f|%.*f|%d", 9), "%*f|%.*f|9");  // '*' takes nothing either
  EXPECT_EQ(Unchecked("%Lf|%qd|%y|%k", 1), "%Lf|%qd|%y|%k");
  EXPECT_EQ(Unchecked("%5%|%-%|%"), "%5%|%-%|%");
  EXPECT_EQ(Unchecked("%\xc3\xa9"), "%\xc3\xa9");
}

TEST(Format, IncompleteDirectiveAtEnd) {
  EXPECT_EQ(Unchecked("%"), "%");
  EXPECT_EQ(Unchecked("abc%"), "abc%");
  EXPECT_EQ(Unchecked("x%-"), "x%-");
  EXPECT_EQ(Unchecked("x%5."), "x%5.");
  EXPECT_EQ(Unchecked("x%ll"), "x%ll");
  EXPECT_EQ(Unchecked("x%hh"), "x%hh");
  EXPECT_EQ(Unchecked("x%*", 3), "x%*");
}

TEST(Format, EmptyFormat) {
  char buf[4] = {'x', 'x', 'x', 'x'};
  EXPECT_EQ(Unchecked(""), "");
  EXPECT_EQ(format_to(buf, sizeof(buf), "%s", ""), 0u);
  EXPECT_EQ(buf[0], '\0');
  EXPECT_EQ(buf[1], 'x');
  size_t total = 1;
  EXPECT_TRUE(Streamed(&total, "").chunks.empty());
  EXPECT_EQ(total, 0u);
}

// Truncation at every buffer size, against snprintf.
void CheckTruncation(const char* fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  char full[512];
  const size_t len = petrel::vformat_to(full, sizeof(full), fmt, ap2);
  va_end(ap2);
  ASSERT_LT(len, sizeof(full));
  for (size_t size = 0; size <= len + 3; ++size) {
    std::vector<char> buf(len + 8, '\x7f');
    va_list aq;
    va_copy(aq, ap);
    const size_t n = petrel::vformat_to(size == 0 ? nullptr : buf.data(), size, fmt, aq);
    va_end(aq);
    EXPECT_EQ(n, len) << "size " << size;
    if (size == 0) {
      for (char c : buf) EXPECT_EQ(c, '\x7f');
      continue;
    }
    const size_t kept = size - 1 < len ? size - 1 : len;
    EXPECT_EQ(std::string(buf.data(), kept), std::string(full, kept)) << "size " << size;
    EXPECT_EQ(buf[kept], '\0') << "size " << size;
    for (size_t i = kept + 1; i < buf.size(); ++i) EXPECT_EQ(buf[i], '\x7f') << "size " << size;
  }
  va_end(ap);
}

TEST(Format, TruncatesAtEverySize) {
  CheckTruncation("hello %s, %d%% done [%-6x] %#o %p", "world", -42, 0xbeefu, 8u,
                  reinterpret_cast<void*>(0x1000));
  CheckTruncation("%30s|%-12lld|%020llu", "right", static_cast<long long>(INT64_MIN),
                  static_cast<unsigned long long>(UINT64_MAX));
  CheckTruncation("no directives at all");
  CheckTruncation("%c%c%c", 'a', 'b', 'c');
  CheckTruncation("%f%5%%");
}

TEST(Format, TruncationMatchesSnprintf) {
  char want[32];
  char got[32];
  for (size_t size = 1; size <= sizeof(want); ++size) {
    const int wn = snprintf(want, size, "[%8.3x|%-5s|%+05d]", 0x1fu, "ab", 7);
    const size_t gn = format_to(got, size, "[%8.3x|%-5s|%+05d]", 0x1fu, "ab", 7);
    EXPECT_EQ(static_cast<size_t>(wn), gn);
    EXPECT_STREQ(want, got) << "size " << size;
  }
  EXPECT_EQ(format_to(nullptr, 0, "%d", 12345), 5u);
}

TEST(Format, StreamsInSmallPieces) {
  size_t total = 0;
  const Recorder r = Streamed(&total, "hello %300d|%-200s|%.150x|%%|tail", 7, "s", 1u);
  EXPECT_EQ(total, r.text().size());
  char want[1024];
  const int wn = snprintf(want, sizeof(want), "hello %300d|%-200s|%.150x|%%|tail", 7, "s", 1u);
  EXPECT_EQ(r.text(), std::string(want, static_cast<size_t>(wn)));
  // Literal runs arrive whole; padding and digits in small chunks.
  ASSERT_FALSE(r.chunks.empty());
  EXPECT_EQ(r.chunks.front(), "hello ");
  EXPECT_EQ(r.chunks.back(), "|tail");
  for (const auto& c : r.chunks) {
    EXPECT_FALSE(c.empty());
    EXPECT_LE(c.size(), 24u) << "\"" << c << "\"";
  }
}

size_t CountOnly(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const size_t n = petrel::vformat(Sink{nullptr, nullptr}, fmt, ap);
  va_end(ap);
  return n;
}

TEST(Format, NullSinkOnlyCounts) {
  EXPECT_EQ(CountOnly(""), 0u);
  EXPECT_EQ(CountOnly("%d-%s|%40p", 12, "ab", static_cast<void*>(nullptr)), 46u);
}

}  // namespace
