// Fuzz target: the host tool's checks of a guest image before Xen is given
// it (tools/petrel/image_check.cc), for both architectures. Input: the
// image file's bytes. A verdict must come back for anything, and an image
// accepted for one architecture is refused for the other.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "arch.h"
#include "fuzz_check.h"
#include "image_check.h"

namespace tool = petrel::tool;
using petrel::fuzz::expect;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string copy(reinterpret_cast<const char*>(data), size);  // exactly sized
  const auto arm64 = tool::image_problem(copy, tool::Arch::kArm64);
  const auto arm32 = tool::image_problem(copy, tool::Arch::kArm32);
  expect(arm64.has_value() || arm32.has_value(), "no image is both architectures'");
  if (arm64) expect(!arm64->empty(), "a problem is said in words");
  if (arm32) expect(!arm32->empty(), "a problem is said in words");
  return 0;
}
