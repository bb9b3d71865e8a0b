#include "setup.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "process.h"

namespace fs = std::filesystem;

namespace petrel::tool {
namespace {

constexpr const char* kXenPackage = "xen-hypervisor-4.17-arm64";
constexpr const char* kXenImage = "boot/xen-4.17-arm64";

bool g_installed = false;  // packages_installed()

bool present(const Requirement& r) {
  if (!r.program.empty() && !find_program(r.program)) return false;
  if (!r.file.empty() && !fs::exists(r.file)) return false;
  return true;
}

bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

void explain_missing(const std::vector<Requirement>& missing, const char* why) {
  std::string pkgs;
  for (const auto& r : missing) {
    std::fprintf(stderr, "petrel: missing %s (Debian package %s)\n", r.what.c_str(),
                 r.package.c_str());
    if (pkgs.find(r.package) == std::string::npos) pkgs += " " + r.package;
  }
  std::fprintf(stderr, "petrel: %s; install with:\n  sudo apt-get install%s\n", why, pkgs.c_str());
}

bool apt_install(const std::vector<std::string>& root, const std::vector<std::string>& pkgs) {
  std::fprintf(stderr, "petrel: installing%s\n",
               [&] {
                 std::string s;
                 for (const auto& p : pkgs) s += " " + p;
                 return s;
               }()
                   .c_str());
  setenv("DEBIAN_FRONTEND", "noninteractive", 1);
  auto install = with(root, {"apt-get", "install", "-y", "-q", "--no-install-recommends"});
  install.insert(install.end(), pkgs.begin(), pkgs.end());
  if (run(install, true) == 0) return true;
  // Stale or missing package lists are the usual reason: refresh once.
  run(with(root, {"apt-get", "update", "-q"}), true);
  return run(install) == 0;
}

// Downloads Debian's arm64 Xen hypervisor package and unpacks it into the
// cache. Nothing from it is executed on the host: QEMU boots the image.
bool ensure_xen(const Paths& paths, bool may_install) {
  if (fs::exists(paths.xen_image())) return true;
  auto root = root_prefix();
  if (!may_install || !root) {
    std::fprintf(stderr,
                 "petrel: missing the Xen hypervisor for arm64 (%s)\n"
                 "petrel: run './petrel setup' as root (or with sudo) to download Debian's %s "
                 "package into %s\n",
                 paths.xen_image().c_str(), kXenPackage, paths.cache.c_str());
    return false;
  }
  if (!ensure_arm64_architecture(*root)) {
    std::fprintf(stderr, "petrel: could not enable arm64 packages for apt\n");
    return false;
  }
  fs::path download = paths.cache / "download";
  std::error_code ec;
  fs::remove_all(download, ec);
  fs::create_directories(download, ec);
  std::fprintf(stderr, "petrel: downloading %s:arm64 into %s\n", kXenPackage, paths.cache.c_str());
  std::string pkg = std::string(kXenPackage) + ":arm64";
  if (run({"apt-get", "download", "-q", pkg}, true, download.string()) != 0) {
    run(with(*root, {"apt-get", "update", "-q"}), true);
    if (run({"apt-get", "download", "-q", pkg}, false, download.string()) != 0) {
      std::fprintf(stderr, "petrel: apt-get download %s failed\n", pkg.c_str());
      return false;
    }
  }
  fs::path deb;
  for (const auto& e : fs::directory_iterator(download))
    if (e.path().extension() == ".deb") deb = e.path();
  fs::path dest = paths.xen_image().parent_path().parent_path();
  fs::create_directories(dest, ec);
  if (deb.empty() || run({"dpkg-deb", "-x", deb.string(), dest.string()}) != 0) {
    std::fprintf(stderr, "petrel: could not unpack %s\n", deb.c_str());
    return false;
  }
  fs::remove_all(download, ec);
  if (!fs::exists(paths.xen_image())) {
    std::fprintf(stderr, "petrel: %s has no %s\n", kXenPackage, kXenImage);
    return false;
  }
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> root_prefix() {
  if (geteuid() == 0) return std::vector<std::string>{};
  if (find_program("sudo") && run({"sudo", "-n", "true"}, true) == 0)
    return std::vector<std::string>{"sudo", "-n"};
  return std::nullopt;
}

std::vector<std::string> with(std::vector<std::string> prefix, std::vector<std::string> cmd) {
  prefix.insert(prefix.end(), cmd.begin(), cmd.end());
  return prefix;
}

bool packages_installed() {
  return g_installed;
}

bool install_disabled() {
  return env_flag("PETREL_NO_INSTALL");
}

bool ensure_arm64_architecture(const std::vector<std::string>& root) {
  auto archs = capture({"dpkg", "--print-foreign-architectures"});
  if (archs && archs->find("arm64") != std::string::npos) return true;
  std::fprintf(stderr,
               "petrel: enabling Debian's arm64 packages (dpkg --add-architecture arm64)\n");
  if (run(with(root, {"dpkg", "--add-architecture", "arm64"})) != 0) return false;
  return run(with(root, {"apt-get", "update", "-q"}), true) == 0;
}

fs::path Paths::guest_build(Arch arch) const {
  return root / "build" / arch_name(arch);
}

fs::path Paths::xen_image() const {
  return cache / "xen-4.17" / kXenImage;
}

Paths find_paths(const char* argv0) {
  Paths p;
  if (const char* r = std::getenv("PETREL_ROOT"); r != nullptr && *r != '\0') {
    p.root = r;
  } else {
    p.root = PETREL_SOURCE_DIR;  // baked in by CMake
  }
  (void)argv0;
  if (const char* c = std::getenv("PETREL_CACHE"); c != nullptr && *c != '\0') {
    p.cache = c;
  } else if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x != '\0') {
    p.cache = fs::path(x) / "petrel";
  } else if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    p.cache = fs::path(h) / ".cache" / "petrel";
  } else {
    p.cache = p.root / ".cache";
  }
  p.host_build = p.root / "build" / "host";
  return p;
}

std::vector<Requirement> requirements(Need need) {
  std::vector<Requirement> r;
  if (need == Need::kBuild || need == Need::kAll) {
    r.push_back({"cmake", "cmake", "", "cmake"});
    r.push_back(
        {"the AArch64 cross compiler", "aarch64-linux-gnu-g++", "", "g++-aarch64-linux-gnu"});
    r.push_back(
        {"the AArch32 cross compiler", "arm-linux-gnueabihf-g++", "", "g++-arm-linux-gnueabihf"});
    // The guests' C library (cmake/petrel-libc.cmake): Debian's picolibc
    // builds, packages of all architectures (nothing runs on the host).
    r.push_back({"picolibc for AArch64 guests", "",
                 "/usr/lib/picolibc/aarch64-linux-gnu/lib/libc.a", "picolibc-aarch64-linux-gnu"});
    r.push_back({"picolibc for AArch32 guests", "",
                 "/usr/lib/picolibc/arm-none-eabi/lib/thumb/v7ve+simd/hard/libc.a",
                 "picolibc-arm-none-eabi"});
    r.push_back({"Xen's public headers", "", "/usr/include/xen/xen.h", "libxen-dev"});
    r.push_back({"libfdt", "", "/usr/include/libfdt.h", "libfdt-dev"});
    r.push_back({"GoogleTest", "", "/usr/include/gtest/gtest.h", "libgtest-dev"});
    // The fuzz preset (tests/fuzz): clang, and its libFuzzer runtime.
    r.push_back({"clang (the fuzz build)", "clang++", "", "clang"});
    r.push_back({"libFuzzer (the fuzz build)", "",
                 "/usr/lib/clang/14/lib/linux/libclang_rt.fuzzer-x86_64.a", "libclang-rt-14-dev"});
  }
  r.push_back({"qemu-system-aarch64", "qemu-system-aarch64", "", "qemu-system-arm"});
  if (need == Need::kDom0 || need == Need::kAll) {
    // Building dom0's initramfs (dom0_image.cc): ELF facts of the arm64
    // binaries, and compressing the archive.
    r.push_back({"readelf", "readelf", "", "binutils"});
    r.push_back({"gzip", "gzip", "", "gzip"});
    r.push_back({"dpkg-deb", "dpkg-deb", "", "dpkg"});
    r.push_back({"apt-get", "apt-get", "", "apt"});
  }
  if (need == Need::kDebug || need == Need::kAll) {
    // `petrel debug` (debug.h), and its system tests.
    r.push_back({"gdb-multiarch", "gdb-multiarch", "", "gdb-multiarch"});
  }
  if (need == Need::kAll) {
    r.push_back({"clang-tidy (the lint test)", "clang-tidy", "", "clang-tidy"});
    r.push_back({"shellcheck (the lint test)", "shellcheck", "", "shellcheck"});
    r.push_back({"clang-format (the lint test)", "clang-format", "", "clang-format"});
  }
  return r;
}

bool ensure_requirements(const std::vector<Requirement>& needed) {
  const bool may_install = !install_disabled();
  std::vector<Requirement> missing;
  for (const auto& r : needed)
    if (!present(r)) missing.push_back(r);
  if (missing.empty()) return true;
  auto root = root_prefix();
  if (!may_install || !root || !find_program("apt-get")) {
    explain_missing(missing, may_install ? "cannot install it (not root, and no password-less sudo)"
                                         : "automatic installation is off (PETREL_NO_INSTALL)");
    return false;
  }
  std::vector<std::string> pkgs;
  for (const auto& r : missing) pkgs.push_back(r.package);
  if (!apt_install(*root, pkgs)) {
    explain_missing(missing, "apt-get install failed");
    return false;
  }
  g_installed = true;
  std::vector<Requirement> still;
  for (const auto& r : missing)
    if (!present(r)) still.push_back(r);
  if (!still.empty()) {
    explain_missing(still, "installed, but still not found");
    return false;
  }
  return true;
}

bool ensure(const Paths& paths, Need need) {
  if (!ensure_requirements(requirements(need))) return false;
  if (need != Need::kBuild) return ensure_xen(paths, !install_disabled());
  return true;
}

}  // namespace petrel::tool
