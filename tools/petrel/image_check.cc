#include "image_check.h"

#include <cinttypes>
#include <cstdio>

#include "files.h"

namespace petrel::tool {
namespace {

constexpr std::string_view kArm64Magic = "ARM\x64";
constexpr std::string_view kElfMagic =
    "\x7f"
    "ELF";

uint64_t le(std::string_view bytes, size_t offset, size_t width) {
  uint64_t v = 0;
  for (size_t i = width; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return v;
}

bool has_arm64_header(std::string_view bytes) {
  return bytes.size() >= kArm64HeaderSize && bytes.substr(kArm64MagicOffset, 4) == kArm64Magic;
}

bool has_zimage_header(std::string_view bytes) {
  return bytes.size() >= kZImageHeaderSize && le(bytes, kZImageMagicOffset, 4) == kZImageMagic;
}

std::string expected(Arch arch) {
  return arch == Arch::kArm64
             ? "expected an AArch64 Linux Image (a Petrel app's .bin: magic \"ARM\\x64\" at 0x38)"
             : "expected an AArch32 zImage (a Petrel app's .bin: magic 0x016f2818 at 0x24)";
}

std::string bytes_text(uint64_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%" PRIu64 " bytes", n);
  return buf;
}

std::optional<std::string> arm64_problem(std::string_view bytes) {
  if (bytes.size() < kArm64HeaderSize)
    return "only " + bytes_text(bytes.size()) +
           ", shorter than an arm64 Image header (64 bytes); " + expected(Arch::kArm64);
  if (!has_arm64_header(bytes)) return "no arm64 Image header; " + expected(Arch::kArm64);
  const uint64_t image_size = le(bytes, kArm64ImageSizeOffset, 8);
  if (image_size != 0 && bytes.size() > image_size)
    return bytes_text(bytes.size()) + ", more than the " + bytes_text(image_size) +
           " its header's image_size gives the whole image in memory: not a consistent Image";
  if (bytes.size() >= kPetrelRecordFileSizeOffset + 8 &&
      bytes.substr(kPetrelRecordOffset, kPetrelRecordMagic.size()) == kPetrelRecordMagic) {
    const uint64_t file_size = le(bytes, kPetrelRecordFileSizeOffset, 8);
    if (bytes.size() < file_size)
      return "truncated: " + bytes_text(bytes.size()) + ", but its Petrel image record says the " +
             "image is " + bytes_text(file_size);
    if (bytes.size() > file_size)
      return bytes_text(bytes.size()) + ", but its Petrel image record says the image is " +
             bytes_text(file_size) + ": something was appended to it";
  }
  return std::nullopt;
}

std::optional<std::string> arm32_problem(std::string_view bytes) {
  if (bytes.size() < kZImageHeaderSize)
    return "only " + bytes_text(bytes.size()) + ", shorter than a zImage header (48 bytes); " +
           expected(Arch::kArm32);
  if (!has_zimage_header(bytes)) return "no zImage header; " + expected(Arch::kArm32);
  const uint64_t start = le(bytes, kZImageMagicOffset + 4, 4);
  const uint64_t end = le(bytes, kZImageMagicOffset + 8, 4);
  char range[64];
  std::snprintf(range, sizeof range, "0x%" PRIx64 "-0x%" PRIx64, start, end);
  if (end < start)
    return std::string("its zImage header's end comes before its start (") + range +
           "): not a consistent zImage";
  if (bytes.size() < end - start)
    return "truncated: " + bytes_text(bytes.size()) + ", but its zImage header (" + range +
           ") says the image is " + bytes_text(end - start);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> image_problem(std::string_view bytes, Arch arch) {
  if (bytes.empty()) return "the file is empty; " + expected(arch);
  if (bytes.substr(0, kElfMagic.size()) == kElfMagic)
    return "an ELF file (the .elf beside an app's .bin is for debugging); Xen boots the raw "
           "image: give the .bin";
  if (arch == Arch::kArm64 && !has_arm64_header(bytes) && has_zimage_header(bytes))
    return "an AArch32 zImage, not an AArch64 Image: run it with --arch arm32";
  // An arm64 header wins even beside a zImage magic: Xen probes for it
  // first and would boot such a file as a 64-bit guest.
  if (arch == Arch::kArm32 && has_arm64_header(bytes))
    return "an AArch64 Image, not an AArch32 zImage: run it without --arch arm32";
  return arch == Arch::kArm64 ? arm64_problem(bytes) : arm32_problem(bytes);
}

bool check_image_file(const std::string& path, Arch arch) {
  const auto bytes = read_file(path);
  if (!bytes) {
    std::fprintf(stderr, "petrel: %s: cannot read it\n", path.c_str());
    return false;
  }
  if (const auto problem = image_problem(*bytes, arch)) {
    std::fprintf(stderr, "petrel: %s: %s\n", path.c_str(), problem->c_str());
    return false;
  }
  return true;
}

}  // namespace petrel::tool
