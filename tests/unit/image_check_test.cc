// Guest image checks before boot (tools/petrel/image_check.h): headers made
// by hand, the way the linker scripts and head.S lay them out.
#include "image_check.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace petrel::tool {
namespace {

void put(std::string* bytes, size_t offset, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) (*bytes)[offset + i] = static_cast<char>(value >> (8 * i));
}

// An AArch64 image of `file_size` bytes whose header says `image_size`,
// with Petrel's record (giving `recorded` as the .bin's length) if asked.
std::string arm64_image(size_t file_size, uint64_t image_size, std::optional<uint64_t> recorded) {
  std::string b(file_size, '\0');
  put(&b, 0, 0x14000000 | 0x20, 4);  // b +0x80
  put(&b, 8, 0x80000, 8);            // text_offset
  put(&b, kArm64ImageSizeOffset, image_size, 8);
  b.replace(kArm64MagicOffset, 4, "ARM\x64");
  if (recorded) {
    b.replace(kPetrelRecordOffset, kPetrelRecordMagic.size(), kPetrelRecordMagic);
    put(&b, kPetrelRecordOffset + 8, 1, 4);
    put(&b, kPetrelRecordFileSizeOffset, *recorded, 8);
  }
  return b;
}

// An AArch32 zImage of `file_size` bytes whose header says start..end.
std::string zimage(size_t file_size, uint32_t start, uint32_t end) {
  std::string b(file_size, '\0');
  put(&b, kZImageMagicOffset, kZImageMagic, 4);
  put(&b, kZImageMagicOffset + 4, start, 4);
  put(&b, kZImageMagicOffset + 8, end, 4);
  return b;
}

std::string problem(const std::string& bytes, Arch arch) {
  return image_problem(bytes, arch).value_or("");
}

TEST(ImageCheck, AcceptsAPetrelArm64Image) {
  EXPECT_EQ(problem(arm64_image(87072, 0x57000, 87072), Arch::kArm64), "");
}

TEST(ImageCheck, AcceptsALinuxImageWithoutPetrelsRecord) {
  // Linux's image_size counts .bss: larger than the file.
  EXPECT_EQ(problem(arm64_image(4096, 65536, std::nullopt), Arch::kArm64), "");
  // image_size 0: an old kernel that does not say.
  EXPECT_EQ(problem(arm64_image(4096, 0, std::nullopt), Arch::kArm64), "");
}

TEST(ImageCheck, RefusesATruncatedArm64Image) {
  const std::string whole = arm64_image(87072, 0x57000, 87072);
  EXPECT_EQ(problem(whole.substr(0, 1000), Arch::kArm64),
            "truncated: 1000 bytes, but its Petrel image record says the image is 87072 bytes");
  EXPECT_EQ(problem(whole.substr(0, 87071), Arch::kArm64),
            "truncated: 87071 bytes, but its Petrel image record says the image is 87072 bytes");
  // Cut inside the header or the record: too short for either.
  EXPECT_NE(problem(whole.substr(0, 63), Arch::kArm64).find("shorter than an arm64 Image header"),
            std::string::npos);
}

TEST(ImageCheck, RefusesAnArm64ImageWithSomethingAppended) {
  EXPECT_NE(problem(arm64_image(87080, 0x57000, 87072), Arch::kArm64).find("appended"),
            std::string::npos);
}

TEST(ImageCheck, RefusesAnArm64FileLargerThanItsImageSize) {
  EXPECT_EQ(problem(arm64_image(8192, 4096, std::nullopt), Arch::kArm64),
            "8192 bytes, more than the 4096 bytes its header's image_size gives the whole image "
            "in memory: not a consistent Image");
}

TEST(ImageCheck, RefusesFilesWithoutAHeader) {
  std::string garbage(4096, '\0');
  std::mt19937 rng(7);
  for (auto& c : garbage) c = static_cast<char>(rng());
  EXPECT_EQ(problem(garbage, Arch::kArm64),
            "no arm64 Image header; expected an AArch64 Linux Image (a Petrel app's .bin: magic "
            "\"ARM\\x64\" at 0x38)");
  EXPECT_EQ(problem(garbage, Arch::kArm32),
            "no zImage header; expected an AArch32 zImage (a Petrel app's .bin: magic 0x016f2818 "
            "at 0x24)");
  EXPECT_NE(problem("", Arch::kArm64).find("the file is empty; expected an AArch64"),
            std::string::npos);
  EXPECT_NE(problem("", Arch::kArm32).find("the file is empty; expected an AArch32"),
            std::string::npos);
  EXPECT_NE(problem(std::string(47, 'x'), Arch::kArm32).find("shorter than a zImage header"),
            std::string::npos);
}

TEST(ImageCheck, RefusesAnElfWhereTheBinBelongs) {
  std::string elf = arm64_image(4096, 65536, 4096);  // even with a header further in
  elf.replace(0, 4,
              "\x7f"
              "ELF");
  for (Arch arch : kArchs)
    EXPECT_EQ(problem(elf, arch),
              "an ELF file (the .elf beside an app's .bin is for debugging); Xen boots the raw "
              "image: give the .bin");
}

TEST(ImageCheck, NamesTheOtherArchitecture) {
  EXPECT_EQ(problem(zimage(4096, 0x40008000, 0x40009000), Arch::kArm64),
            "an AArch32 zImage, not an AArch64 Image: run it with --arch arm32");
  EXPECT_EQ(problem(arm64_image(4096, 65536, 4096), Arch::kArm32),
            "an AArch64 Image, not an AArch32 zImage: run it without --arch arm32");
}

// Found by fuzzing (tests/fuzz/regressions/image_check): a file with both
// headers passed both checks, though Xen boots it as a 64-bit guest.
TEST(ImageCheck, BothHeadersMakeAnArm64Image) {
  std::string b = arm64_image(0x60, 0x1000, 0x60);
  put(&b, kZImageMagicOffset, kZImageMagic, 4);
  put(&b, kZImageMagicOffset + 8, 0x60, 4);
  EXPECT_EQ(image_problem(b, Arch::kArm64), std::nullopt);
  ASSERT_TRUE(image_problem(zimage(0x60, 0, 0x60), Arch::kArm32) == std::nullopt);
  EXPECT_NE(image_problem(b, Arch::kArm32), std::nullopt);
}

TEST(ImageCheck, AcceptsAZImageAsLongAsItsRange) {
  EXPECT_EQ(problem(zimage(0x2000, 0x40008000, 0x4000a000), Arch::kArm32), "");
  EXPECT_EQ(problem(zimage(0x3000, 0x40008000, 0x4000a000), Arch::kArm32), "");  // longer: fine
  EXPECT_EQ(problem(zimage(0x2000, 0, 0x2000), Arch::kArm32), "");  // position independent
}

TEST(ImageCheck, RefusesATruncatedZImage) {
  EXPECT_EQ(problem(zimage(1000, 0x40008000, 0x4005f000), Arch::kArm32),
            "truncated: 1000 bytes, but its zImage header (0x40008000-0x4005f000) says the "
            "image is 356352 bytes");
}

TEST(ImageCheck, RefusesAZImageWhoseEndComesBeforeItsStart) {
  EXPECT_EQ(problem(zimage(0x2000, 0x4000a000, 0x40008000), Arch::kArm32),
            "its zImage header's end comes before its start (0x4000a000-0x40008000): not a "
            "consistent zImage");
}

// Any bytes at all: an answer, never a read outside them (run under ASan in
// the host-asan preset).
TEST(ImageCheck, AnyBytesGetAnAnswer) {
  std::mt19937 rng(12);
  const std::string base = arm64_image(256, 4096, 256);
  const std::string zbase = zimage(256, 0x40008000, 0x40008100);
  for (int i = 0; i < 20000; ++i) {
    std::string b = (i % 2 == 0 ? base : zbase).substr(0, rng() % 257);
    for (int k = 0; k < 3 && !b.empty(); ++k) b[rng() % b.size()] = static_cast<char>(rng());
    for (Arch arch : kArchs) (void)image_problem(b, arch);
  }
}

}  // namespace
}  // namespace petrel::tool
