// The guest architectures: each has its CMake preset and build folder
// (build/<name>, apps in build/<name>/apps). Both boot on the same Xen for
// arm64 on the same QEMU board: Xen runs 32-bit guests on the Cortex-A57.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace petrel::tool {

enum class Arch { kArm64, kArm32 };

// Every architecture, in the order the tool builds and benchmarks them.
inline constexpr std::array<Arch, 2> kArchs = {Arch::kArm64, Arch::kArm32};

// The --arch value, CMake preset and build folder name: "arm64", "arm32".
constexpr const char* arch_name(Arch arch) {
  return arch == Arch::kArm64 ? "arm64" : "arm32";
}

// The name people use: "AArch64", "AArch32".
constexpr const char* arch_title(Arch arch) {
  return arch == Arch::kArm64 ? "AArch64" : "AArch32";
}

// The architecture an --arch value names, if any.
constexpr std::optional<Arch> parse_arch(std::string_view name) {
  for (Arch a : kArchs)
    if (name == arch_name(a)) return a;
  return std::nullopt;
}

}  // namespace petrel::tool
