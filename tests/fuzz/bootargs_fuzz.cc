// Fuzz target: reading a guest's command line (lib/src/bootargs.cc), which
// comes from the device tree or from xl's extra=. Input: one byte for the
// output buffer's size, then "KEY\0ARGS" (either may be empty or missing).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "petrel/bootargs.h"

using petrel::fuzz::expect;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t out_size = data[0] % 64;
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t nul = rest.find('\0');
  const std::string key = rest.substr(0, nul);
  const std::string args = nul == std::string::npos ? std::string() : rest.substr(nul + 1);
  // c_str() stops at an embedded NUL, as the guest's strings do.
  const bool present = petrel::bootarg_present(args.c_str(), key.c_str());
  // Exactly out_size bytes (one for a zero size, never written): ASan sees
  // any write past it.
  std::vector<char> out(out_size == 0 ? 1 : out_size, 'x');
  const bool found = petrel::bootarg_value(args.c_str(), key.c_str(), out.data(), out_size);
  expect(found == present, "bootarg_value() finds what bootarg_present() does");
  if (out_size != 0) {
    expect(std::memchr(out.data(), '\0', out_size) != nullptr, "value NUL-terminated");
    if (!found) expect(out[0] == '\0', "an absent key gives \"\"");
    if (found) {
      const size_t len = std::strlen(out.data());
      expect(std::strchr(out.data(), ' ') == nullptr, "a value ends at a space");
      expect(args.find(std::string(out.data(), len)) != std::string::npos,
             "a value is part of the arguments");
    }
  }
  return 0;
}
