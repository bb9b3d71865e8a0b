// What every fuzz target shares: a check that stops the fuzzer (an abort
// is a crash libFuzzer reports and saves an input for), and a blob copied
// into a heap buffer of exactly its size, so that a read one byte past its
// end is an AddressSanitizer report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace petrel::fuzz {

// A property of the parser that must hold whatever the input; a failure is
// a bug in the parser, reported like a crash.
inline void expect(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz: broken property: %s\n", what);
  std::abort();
}

// The input in malloc'd memory of exactly `size` bytes (malloc aligns it for
// any type, so to 4 bytes too, as a boot protocol places a device tree).
struct ExactCopy {
  ExactCopy(const uint8_t* data, size_t size)
      : bytes(static_cast<uint8_t*>(std::malloc(size == 0 ? 1 : size)), &std::free) {
    if (size != 0) std::memcpy(bytes.get(), data, size);
  }
  std::unique_ptr<uint8_t, decltype(&std::free)> bytes;
};

}  // namespace petrel::fuzz
