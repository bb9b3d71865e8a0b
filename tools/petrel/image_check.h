// Checks a guest image before Xen is given it. Xen looks only at a header's
// magic: a truncated image is loaded and hangs, a file of garbage or an ELF
// makes Xen panic. The tool refuses such files first, saying what is wrong
// and what it expected (`petrel run` exits with 2 then).
//
// What is checked, per architecture:
//   AArch64: a Linux arm64 Image header (64 bytes: magic "ARM\x64" at 0x38,
//     image_size at 0x10, the size in memory with .bss, so never smaller
//     than the file). A Petrel image also carries an image record right
//     after the header (magic "PETRELIM" at 0x40, the .bin's own length at
//     0x50), because image_size counts .bss, which the file leaves out: the
//     file must be exactly that long.
//   AArch32: a zImage header (magic 0x016f2818 at 0x24, start at 0x28, end at
//     0x2c): end not before start, and the file at least end - start bytes
//     long (what a loader copies).
//   Either: not empty, not an ELF file (the .elf beside the .bin is for
//     debugging), not the other architecture's image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "arch.h"

namespace petrel::tool {

// Offsets and magic numbers of the headers above.
inline constexpr size_t kArm64HeaderSize = 64;
inline constexpr size_t kArm64ImageSizeOffset = 0x10;
inline constexpr size_t kArm64MagicOffset = 0x38;
inline constexpr size_t kPetrelRecordOffset = 0x40;
inline constexpr size_t kPetrelRecordFileSizeOffset = 0x50;
inline constexpr std::string_view kPetrelRecordMagic = "PETRELIM";
inline constexpr size_t kZImageMagicOffset = 0x24;
inline constexpr size_t kZImageHeaderSize = 0x30;
inline constexpr uint32_t kZImageMagic = 0x016f2818;

// What is wrong with `bytes` as an `arch` guest image, in a sentence that
// names what was expected; nothing if it looks right.
std::optional<std::string> image_problem(std::string_view bytes, Arch arch);

// Reads the file at `path` and checks it; on a problem prints
// "petrel: PATH: PROBLEM" and returns false.
bool check_image_file(const std::string& path, Arch arch);

}  // namespace petrel::tool
