// Byte and string helpers (see petrel/string.h).
//
// In guests these are memcpy/memset/... (lib/src/string_abi.cc), so they must
// never call those themselves: no libc, no struct copies, and this file is
// built with -fno-tree-loop-distribute-patterns so GCC does not turn the loops
// below back into calls to memcpy/memset (which would recurse forever).
//
// Guests run with -mstrict-align, and before the MMU is on every access is
// Device-type, where any unaligned access faults. copy/move/fill therefore use
// whole words only when source and destination are aligned alike; the head and
// tail, and every other case, go byte by byte.
#include "petrel/string.h"

#include <stdint.h>

namespace petrel::str {
namespace {

// A word that may alias any object, so the word loops do not break strict
// aliasing for the caller's types.
using Word = uintptr_t __attribute__((may_alias));
constexpr uintptr_t kWordMask = sizeof(Word) - 1;

bool aligned_alike(const void* a, const void* b) {
  return ((reinterpret_cast<uintptr_t>(a) ^ reinterpret_cast<uintptr_t>(b)) & kWordMask) == 0;
}

bool word_aligned(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) & kWordMask) == 0;
}

}  // namespace

void* copy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  if (aligned_alike(d, s)) {
    while (n > 0 && !word_aligned(d)) {
      *d++ = *s++;
      --n;
    }
    auto* dw = reinterpret_cast<Word*>(d);
    const auto* sw = reinterpret_cast<const Word*>(s);
    for (; n >= sizeof(Word); n -= sizeof(Word)) *dw++ = *sw++;
    d = reinterpret_cast<unsigned char*>(dw);
    s = reinterpret_cast<const unsigned char*>(sw);
    // A 4-byte rest (a 64-bit word's half, e.g. a 4-byte queue item) in one
    // access: d and s are word aligned here.
    if (sizeof(Word) > 4 && n >= 4) {
      using Half = uint32_t __attribute__((may_alias));
      *reinterpret_cast<Half*>(d) = *reinterpret_cast<const Half*>(s);
      d += 4;
      s += 4;
      n -= 4;
    }
  }
  while (n > 0) {
    *d++ = *s++;
    --n;
  }
  return dst;
}

void* move(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  // Compare as integers: the regions may belong to different objects.
  const uintptr_t di = reinterpret_cast<uintptr_t>(d);
  const uintptr_t si = reinterpret_cast<uintptr_t>(s);
  if (di == si || n == 0) return dst;
  if (di < si || di - si >= n) {
    // dst is below src, or the regions do not overlap: forward copy is safe,
    // since each source byte is read before anything at or past it is written.
    return copy(dst, src, n);
  }
  // dst overlaps the end of src: copy backwards from the end.
  d += n;
  s += n;
  if (aligned_alike(d, s)) {
    while (n > 0 && !word_aligned(d)) {
      *--d = *--s;
      --n;
    }
    auto* dw = reinterpret_cast<Word*>(d);
    const auto* sw = reinterpret_cast<const Word*>(s);
    for (; n >= sizeof(Word); n -= sizeof(Word)) *--dw = *--sw;
    d = reinterpret_cast<unsigned char*>(dw);
    s = reinterpret_cast<const unsigned char*>(sw);
  }
  while (n > 0) {
    *--d = *--s;
    --n;
  }
  return dst;
}

void* fill(void* dst, int byte, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto b = static_cast<unsigned char>(byte);
  while (n > 0 && !word_aligned(d)) {
    *d++ = b;
    --n;
  }
  // The byte in every lane: 0x0101...01 * b.
  const uintptr_t pattern = (~uintptr_t{0} / 0xff) * b;
  auto* dw = reinterpret_cast<Word*>(d);
  // Four words a turn (task control blocks and thread-local blocks are
  // zeroed this way when a task is made), then one at a time.
  for (; n >= 4 * sizeof(Word); n -= 4 * sizeof(Word), dw += 4)
    dw[0] = dw[1] = dw[2] = dw[3] = pattern;
  for (; n >= sizeof(Word); n -= sizeof(Word)) *dw++ = pattern;
  d = reinterpret_cast<unsigned char*>(dw);
  while (n > 0) {
    *d++ = b;
    --n;
  }
  return dst;
}

int compare(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

size_t length(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

size_t length_bounded(const char* s, size_t max) {
  size_t n = 0;
  while (n < max && s[n] != '\0') ++n;
  return n;
}

int compare_strings(const char* a, const char* b) {
  // "No limit": SIZE_MAX is more than any string can hold.
  return compare_strings_n(a, b, ~size_t{0});
}

int compare_strings_n(const char* a, const char* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
    if (x == '\0') return 0;
  }
  return 0;
}

const char* find_char(const char* s, int c) {
  const auto wanted = static_cast<char>(c);  // like strchr: compared as char
  for (;; ++s) {
    if (*s == wanted) return s;
    if (*s == '\0') return nullptr;
  }
}

}  // namespace petrel::str
