// What Petrel needs on the host, how to tell whether it is there, and how to
// get it: Debian packages (apt-get, as root or through sudo) and Debian's
// arm64 Xen hypervisor, downloaded and unpacked into the cache (never run on
// the host).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "arch.h"

namespace petrel::tool {

struct Paths {
  std::filesystem::path root;                          // the source tree
  std::filesystem::path cache;                         // $PETREL_CACHE or ~/.cache/petrel
  std::filesystem::path host_build;                    // build/host
  std::filesystem::path guest_build(Arch arch) const;  // build/arm64, build/arm32
  std::filesystem::path xen_image() const;
};

Paths find_paths(const char* argv0);

// One thing the host needs: a program in $PATH or a file, and the Debian
// package that provides it.
struct Requirement {
  std::string what;     // "qemu-system-aarch64"
  std::string program;  // looked up in $PATH (or empty)
  std::string file;     // checked for existence (or empty)
  std::string package;  // "qemu-system-arm"
};

// kRun: booting guests (QEMU, Xen); kDom0: that and building dom0 for
// `run --dom0` (dom0_image.h); kDebug: that and gdb-multiarch for `debug`;
// kBuild: compilers and libraries; kAll: all.
enum class Need { kRun, kDom0, kDebug, kBuild, kAll };
std::vector<Requirement> requirements(Need need);

// Makes sure every requirement (and, for kRun/kAll, the Xen hypervisor in the
// cache) is present, installing what is missing unless installing is off
// ($PETREL_NO_INSTALL=1, or neither root nor password-less sudo). On failure
// it prints which piece is missing and how to get it, and returns false.
bool ensure(const Paths& paths, Need need);

// Makes sure each of `needed` is present, installing the missing ones
// as ensure() does; false (after saying what is missing and how to get it)
// if that failed.
bool ensure_requirements(const std::vector<Requirement>& needed);

// True once ensure() has installed a package in this run of the tool (so a
// build configured before must be configured again).
bool packages_installed();

// True when $PETREL_NO_INSTALL asks never to install anything.
bool install_disabled();

// The command prefix that gives root ({} as root, {"sudo", "-n"} with
// password-less sudo), or nothing if we cannot get it.
std::optional<std::vector<std::string>> root_prefix();

// `dpkg --add-architecture arm64` and `apt-get update` (with `root`) unless
// arm64 packages are enabled already.
bool ensure_arm64_architecture(const std::vector<std::string>& root);

// `prefix` followed by `cmd`.
std::vector<std::string> with(std::vector<std::string> prefix, std::vector<std::string> cmd);

}  // namespace petrel::tool
