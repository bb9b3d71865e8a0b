// The host tool's guest architectures (tools/petrel/arch.h).
#include "arch.h"

#include <gtest/gtest.h>

namespace petrel::tool {
namespace {

TEST(Arch, NamesAndTitles) {
  EXPECT_STREQ(arch_name(Arch::kArm64), "arm64");
  EXPECT_STREQ(arch_name(Arch::kArm32), "arm32");
  EXPECT_STREQ(arch_title(Arch::kArm64), "AArch64");
  EXPECT_STREQ(arch_title(Arch::kArm32), "AArch32");
  EXPECT_EQ(kArchs.front(), Arch::kArm64);  // the default comes first
}

TEST(Arch, ParsesOnlyTheTwoNames) {
  EXPECT_EQ(parse_arch("arm64"), Arch::kArm64);
  EXPECT_EQ(parse_arch("arm32"), Arch::kArm32);
  for (const char* bad : {"", "arm", "aarch64", "AArch32", "ARM64", "arm64 ", "x86_64"})
    EXPECT_FALSE(parse_arch(bad).has_value()) << bad;
}

}  // namespace
}  // namespace petrel::tool
