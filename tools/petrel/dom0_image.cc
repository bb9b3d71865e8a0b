#include "dom0_image.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

#include "cpio.h"
#include "dom0_config.h"
#include "elf_deps.h"
#include "files.h"
#include "process.h"

namespace fs = std::filesystem;

namespace petrel::tool {
namespace {

// Bump when what goes into the cached dom0 changes: older caches are then
// rebuilt.
constexpr int kFormat = 1;

constexpr const char* kXenTools = "xen-utils-4.17";
constexpr const char* kKernelMeta = "linux-image-arm64";

// Debian's arm64 packages dom0 is made of, besides the kernel (whose name,
// linux-image-VERSION-arm64, comes from kKernelMeta's dependency).
constexpr const char* kPackages[] = {
    "xen-utils-4.17",  "xen-utils-common",
    "xenstore-utils",  "libxenmisc4.17",
    "libxenstore4",    "libxencall1",
    "libxenevtchn1",   "libxenforeignmemory1",
    "libxengnttab1",   "libxentoollog1",
    "libxenhypfs1",    "libxendevicemodel1",
    "libxentoolcore1", "libyajl2",
    "libfdt1",         "libuuid1",
    "zlib1g",          "libc6",
    "libgcc-s1",       "busybox-static",
};

// The programs dom0 gets (sysroot paths); their libraries are found by
// resolve_library_closure.
constexpr const char* kXenPrograms[] = {
    "xl",
    "xenstored",
    "xenconsoled",
    "xenconsole",
    "xen-init-dom0",
    "libxl-save-helper",
    "xenstore-control",
    "init-dom0less",
    "vchan-socket-proxy",
    "xentrace",
    "test-xenstore",
};
constexpr const char* kXenstoreVerbs[] = {"chmod", "exists", "list",  "ls",
                                          "read",  "rm",     "watch", "write"};
// glibc loads libgcc_s at run time (for unwinding); xl aborts without it.
constexpr const char* kByHand[] = {"lib/aarch64-linux-gnu/libgcc_s.so.1"};
const std::vector<std::string> kLibraryDirs = {"lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu",
                                               "lib", "usr/lib"};

struct Versions {
  std::string xen;             // xen-utils-4.17's version
  std::string kernel_package;  // linux-image-6.1.0-56-arm64
  std::string kernel;          // its version
};

// "Field: value" of `apt-cache show` output.
std::string field(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + ": ";
  const std::string t = "\n" + text;
  const size_t at = t.find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  return t.substr(start, t.find('\n', start) - start);
}

// The versions apt would download now, if apt knows Debian's arm64 packages.
std::optional<Versions> candidate_versions() {
  auto show = [](const std::string& pkg) {
    return capture({"apt-cache", "show", "--no-all-versions", pkg + ":arm64"}, true);
  };
  auto xen = show(kXenTools);
  auto meta = show(kKernelMeta);
  if (!xen || !meta) return std::nullopt;
  Versions v;
  v.xen = field(*xen, "Version");
  // "Depends: linux-image-6.1.0-56-arm64 (= 6.1.192-2)"
  const std::string dep = field(*meta, "Depends");
  const size_t sp = dep.find(' ');
  v.kernel_package = dep.substr(0, sp);
  const size_t eq = dep.find("(= ");
  if (eq != std::string::npos) v.kernel = dep.substr(eq + 3, dep.find(')', eq) - eq - 3);
  if (v.xen.empty() || !v.kernel_package.starts_with("linux-image-") || v.kernel.empty())
    return std::nullopt;
  return v;
}

// apt's answer to candidate_versions() depends on its package lists, its
// configuration and dpkg's state (Debian's default places). One line per
// file there (path, size, modification time) says whether an earlier answer
// still holds: asking apt costs seconds (without a binary package cache, as
// in Debian's container images, it parses every list, ~2 s of CPU per
// package), and every `petrel run --dom0` asks.
std::string apt_state() {
  std::vector<std::string> lines;
  std::error_code ec;
  auto add = [&lines](const fs::path& p) {
    std::error_code e;
    const auto size = fs::file_size(p, e);
    if (e) return;
    const auto time = fs::last_write_time(p, e);
    if (e) return;
    lines.push_back(p.string() + " " + std::to_string(size) + " " +
                    std::to_string(time.time_since_epoch().count()));
  };
  for (const char* dir : {"/var/lib/apt/lists", "/etc/apt"}) {
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name == "partial" || name == "lock") {  // apt's own work in progress
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec)) add(it->path());
    }
  }
  add("/var/lib/dpkg/status");
  add("/var/lib/dpkg/arch");
  std::sort(lines.begin(), lines.end());
  std::string state;
  for (const auto& l : lines) state += l + "\n";
  return state;
}

// candidate_versions(), answered from the cache's memo of apt's last answer
// while apt_state() is what it was then. Called under the cache's lock.
std::optional<Versions> remembered_candidate_versions(const fs::path& cache) {
  const fs::path memo = cache / "dom0-apt-answer";
  const std::string state = apt_state();
  constexpr std::string_view kSeparator = "--\n";
  if (const auto text = read_file(memo);
      text && text->starts_with(state + std::string(kSeparator))) {
    std::vector<std::string> fields;
    std::string_view rest = std::string_view(*text).substr(state.size() + kSeparator.size());
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      fields.emplace_back(rest.substr(0, nl));
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
    if (fields.size() == 3) return Versions{fields[0], fields[1], fields[2]};
  }
  auto v = candidate_versions();
  if (v) {
    // Written whole and renamed into place: a reader never sees half of it.
    const fs::path tmp = cache / "dom0-apt-answer.tmp";
    std::error_code ec;
    if (write_file(tmp, state + std::string(kSeparator) + v->xen + "\n" + v->kernel_package + "\n" +
                            v->kernel + "\n"))
      fs::rename(tmp, memo, ec);
  }
  return v;
}

std::string dir_name(const Versions& v) {
  std::string name = "dom0-" + std::to_string(kFormat) + "-xen-" + v.xen + "-linux-" + v.kernel;
  for (char& c : name)
    if (c == ':' || c == '/' || c == '~') c = '_';
  return name;
}

std::string prefix() {
  return "dom0-" + std::to_string(kFormat) + "-";
}

bool complete(const fs::path& dir) {
  return fs::exists(dir / "complete") && fs::exists(dir / "Image") &&
         fs::exists(dir / "initramfs.cpio.gz");
}

Dom0Image image_in(const fs::path& dir) {
  Dom0Image img;
  img.dir = dir;
  img.kernel = dir / "Image";
  img.initramfs = dir / "initramfs.cpio.gz";
  img.versions = read_file(dir / "versions").value_or("");
  return img;
}

// The newest complete cached dom0 of this format.
std::optional<fs::path> newest_cached(const fs::path& cache) {
  std::optional<fs::path> best;
  fs::file_time_type best_time;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cache, ec)) {
    if (!e.path().filename().string().starts_with(prefix()) || !complete(e.path())) continue;
    const auto t = fs::last_write_time(e.path() / "complete", ec);
    if (!best || t > best_time) {
      best = e.path();
      best_time = t;
    }
  }
  return best;
}

// An unpacked tree of packages: paths inside it are "sysroot-relative"
// ("usr/bin/xl"), and its symbolic links are followed inside it.
class Sysroot {
 public:
  explicit Sysroot(fs::path root) : root_(std::move(root)) {}
  const fs::path& root() const { return root_; }

  // The sysroot path `rel` leads to after following symbolic links.
  std::optional<std::string> resolve(std::string rel) const {
    for (int depth = 0; depth < 16; ++depth) {
      std::error_code ec;
      const fs::path full = root_ / rel;
      const auto st = fs::symlink_status(full, ec);
      if (ec || !fs::exists(st)) return std::nullopt;
      if (!fs::is_symlink(st)) return rel;
      rel = link_target(rel);
      if (rel.empty()) return std::nullopt;
    }
    return std::nullopt;
  }

  // Where the symbolic link `rel` points, as a sysroot path ("" on error).
  std::string link_target(const std::string& rel) const {
    std::error_code ec;
    const fs::path target = fs::read_symlink(root_ / rel, ec);
    if (ec) return "";
    fs::path p =
        target.is_absolute() ? target.relative_path() : fs::path(rel).parent_path() / target;
    std::string s = p.lexically_normal().generic_string();
    if (s.starts_with("..")) return "";  // outside the sysroot
    return s;
  }

  bool is_symlink(const std::string& rel) const {
    std::error_code ec;
    return fs::is_symlink(fs::symlink_status(root_ / rel, ec));
  }

 private:
  fs::path root_;
};

// Builds the initramfs's entries: directories as needed, files as they are in
// the sysroot (symbolic links kept, with what they point to).
class InitramfsBuilder {
 public:
  explicit InitramfsBuilder(const Sysroot& sysroot) : sysroot_(sysroot) {}

  void directory(const std::string& path, uint32_t mode = 0755) {
    if (path.empty() || path == "." || dirs_.count(path) != 0) return;
    directory(fs::path(path).parent_path().generic_string());
    dirs_.insert(path);
    cpio_.add_directory(path, mode);
  }

  void char_device(const std::string& path, uint32_t major, uint32_t minor) {
    if (claim(path)) cpio_.add_char_device(path, major, minor);
  }

  void symlink(const std::string& path, const std::string& target) {
    if (!claim(path)) return;
    cpio_.add_symlink(path, target);
  }

  bool data(const std::string& path, const std::string& bytes, uint32_t mode) {
    if (!claim(path)) return true;
    cpio_.add_file(path, bytes, mode);
    return true;
  }

  // Copies sysroot file `src` to `dest` in the archive (a regular file).
  bool copy(const std::string& src, const std::string& dest) {
    auto resolved = sysroot_.resolve(src);
    if (!resolved) return fail("no " + src);
    auto bytes = read_file(sysroot_.root() / *resolved);
    if (!bytes) return fail("cannot read " + *resolved);
    std::error_code ec;
    const auto perms = fs::status(sysroot_.root() / *resolved, ec).permissions();
    const bool exec = (perms & fs::perms::owner_exec) != fs::perms::none;
    return data(dest, *bytes, exec ? 0755 : 0644);
  }

  // Adds sysroot path `rel` where it is, following and keeping symbolic links.
  bool mirror(const std::string& rel) {
    std::string p = rel;
    for (int depth = 0; depth < 16; ++depth) {
      if (!sysroot_.is_symlink(p)) return copy(p, p);
      const std::string target = sysroot_.link_target(p);
      if (target.empty()) return fail("symbolic link " + p + " leads out of the packages");
      std::error_code ec;
      symlink(p, fs::read_symlink(sysroot_.root() / p, ec).string());
      p = target;
    }
    return fail("too many symbolic links at " + rel);
  }

  std::string finish() { return cpio_.finish(); }
  const std::string& error() const { return error_; }

 private:
  bool claim(const std::string& path) {
    if (files_.count(path) != 0) return false;
    directory(fs::path(path).parent_path().generic_string());
    files_.insert(path);
    return true;
  }
  bool fail(const std::string& what) {
    if (error_.empty()) error_ = what;
    return false;
  }

  const Sysroot& sysroot_;
  CpioWriter cpio_;
  std::set<std::string> dirs_;
  std::set<std::string> files_;
  std::string error_;
};

// The Version field of the first .deb in `debs` whose name starts with `name`.
std::string deb_version(const fs::path& debs, const std::string& name) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(debs, ec)) {
    if (!e.path().filename().string().starts_with(name)) continue;
    auto v = capture({"dpkg-deb", "-f", e.path().string(), "Version"}, true);
    if (v) return v->substr(0, v->find('\n'));
  }
  return "unknown";
}

// Downloads the packages into work/debs and unpacks them into work/root;
// false after saying what failed.
bool download_and_unpack(const Versions& v, const fs::path& work,
                         const std::optional<std::vector<std::string>>& root) {
  const fs::path debs = work / "debs";
  fs::create_directories(debs);
  std::vector<std::string> cmd = {"apt-get", "download", "-q"};
  for (const char* p : kPackages) cmd.push_back(std::string(p) + ":arm64");
  cmd.push_back(v.kernel_package + ":arm64");
  if (run(cmd, true, debs.string()) != 0) {
    // Stale package lists are the usual reason: refresh once (as root).
    if (root) run(with(*root, {"apt-get", "update", "-q"}), true);
    if (run(cmd, false, debs.string()) != 0) {
      std::fprintf(stderr, "petrel: '%s' failed\n", join(cmd).c_str());
      return false;
    }
  }
  const fs::path sysroot = work / "root";
  fs::create_directories(sysroot);
  for (const auto& e : fs::directory_iterator(debs)) {
    if (e.path().extension() != ".deb") continue;
    if (run({"dpkg-deb", "-x", e.path().string(), sysroot.string()}) != 0) {
      std::fprintf(stderr, "petrel: could not unpack %s\n", e.path().c_str());
      return false;
    }
  }
  return true;
}

// Makes work/out/{Image, initramfs.cpio.gz, versions} from work/root.
bool assemble(const Versions& v, const fs::path& work) {
  const Sysroot sysroot(work / "root");
  const fs::path out = work / "out";
  fs::create_directories(out);

  // The kernel: boot/vmlinuz-RELEASE (an uncompressed arm64 Image).
  std::string release;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(sysroot.root() / "boot", ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("vmlinuz-")) release = name.substr(8);
  }
  if (release.empty()) {
    std::fprintf(stderr, "petrel: %s has no boot/vmlinuz-*\n", v.kernel_package.c_str());
    return false;
  }
  fs::copy_file(sysroot.root() / "boot" / ("vmlinuz-" + release), out / "Image",
                fs::copy_options::overwrite_existing, ec);
  if (ec) {
    std::fprintf(stderr, "petrel: cannot copy the kernel: %s\n", ec.message().c_str());
    return false;
  }

  std::vector<std::string> programs;
  for (const char* p : kXenPrograms) programs.push_back(std::string("usr/lib/xen-4.17/bin/") + p);
  programs.emplace_back("usr/bin/xenstore");
  programs.emplace_back("bin/busybox");
  for (const char* p : kByHand) programs.emplace_back(p);

  auto inspect = [&](const std::string& rel) -> std::optional<ElfDynamicInfo> {
    auto resolved = sysroot.resolve(rel);
    if (!resolved) return std::nullopt;
    auto text = capture({"readelf", "-d", "-l", "-W", (sysroot.root() / *resolved).string()}, true);
    if (!text) return std::nullopt;
    return parse_readelf(*text);
  };
  auto exists = [&](const std::string& rel) { return sysroot.resolve(rel).has_value(); };
  const LibraryClosure closure = resolve_library_closure(programs, kLibraryDirs, inspect, exists);
  if (!closure.missing.empty()) {
    for (const auto& m : closure.missing)
      std::fprintf(stderr, "petrel: dom0: no library %s in the packages\n", m.c_str());
    return false;
  }

  InitramfsBuilder b(sysroot);
  for (const char* d : {"dev", "proc", "sys", "run", "var/log", "var/lib", "etc"}) b.directory(d);
  b.directory("tmp", 01777);
  // init's standard streams (Linux's built-in initramfs has it too).
  b.char_device("dev/console", 5, 1);
  for (const auto& p : programs) b.mirror(p);
  for (const auto& f : closure.files) b.mirror(f);
  b.symlink("bin/sh", "busybox");
  for (const char* verb : kXenstoreVerbs)
    b.symlink(std::string("usr/bin/xenstore-") + verb, "xenstore");
  b.copy("etc/xen/xl.conf", "etc/xen/xl.conf");
  for (const auto& m : kDom0Modules)
    b.copy("lib/modules/" + release + "/kernel/" + m.source,
           std::string(kDom0ModuleDir).substr(1) + "/" + m.name + ".ko");
  if (!b.error().empty()) {
    std::fprintf(stderr, "petrel: dom0: %s\n", b.error().c_str());
    return false;
  }
  const std::string archive = b.finish();
  const fs::path cpio = out / "initramfs.cpio";
  if (!write_file(cpio, archive) || run({"gzip", "-n", "-9", "-f", cpio.string()}) != 0) {
    std::fprintf(stderr, "petrel: cannot write %s.gz\n", cpio.c_str());
    return false;
  }
  const std::string versions = "linux: " + release + " (" + v.kernel_package + " " + v.kernel +
                               ")\nxen-tools: " + v.xen +
                               "\nbusybox: " + deb_version(work / "debs", "busybox-static_") + "\n";
  return write_file(out / "versions", versions);
}

void explain_missing(const Paths& paths, const char* why) {
  std::fprintf(
      stderr,
      "petrel: missing dom0 for --dom0 runs (Debian's arm64 Linux kernel and Xen tools) in "
      "%s\n"
      "petrel: %s; run './petrel setup' as root (or with sudo) to download Debian's arm64 "
      "packages (%s, %s, xenstore-utils, busybox-static and their libraries) and build "
      "it\n",
      paths.cache.c_str(), why, kKernelMeta, kXenTools);
}

}  // namespace

std::optional<Dom0Image> ensure_dom0(const Paths& paths) {
  const FileLock lock(paths.cache / "dom0.lock", "dom0");
  auto versions = remembered_candidate_versions(paths.cache);
  if (versions && complete(paths.cache / dir_name(*versions)))
    return image_in(paths.cache / dir_name(*versions));

  const bool may_install = !install_disabled();
  if (!may_install) {
    if (auto cached = newest_cached(paths.cache)) return image_in(*cached);
    explain_missing(paths, "automatic installation is off (PETREL_NO_INSTALL)");
    return std::nullopt;
  }
  auto root = root_prefix();
  if (!versions) {
    // apt knows no arm64 packages yet: enabling them needs root.
    if (!root || !ensure_arm64_architecture(*root)) {
      if (auto cached = newest_cached(paths.cache)) return image_in(*cached);
      explain_missing(paths, root ? "could not enable Debian's arm64 packages"
                                  : "cannot enable Debian's arm64 packages (not root, and no "
                                    "password-less sudo)");
      return std::nullopt;
    }
    versions = remembered_candidate_versions(paths.cache);
    if (!versions) {
      explain_missing(paths, "apt knows no arm64 linux-image-arm64 or xen-utils-4.17");
      return std::nullopt;
    }
  }

  const fs::path dest = paths.cache / dir_name(*versions);
  const fs::path work = paths.cache / "dom0-build";
  std::error_code ec;
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  std::fprintf(stderr,
               "petrel: building dom0 from Debian's arm64 packages (Linux %s, Xen tools %s) into "
               "%s\n",
               versions->kernel.c_str(), versions->xen.c_str(), dest.c_str());
  const auto start = std::chrono::steady_clock::now();
  if (!download_and_unpack(*versions, work, root) || !assemble(*versions, work)) {
    fs::remove_all(work, ec);
    explain_missing(paths, "building it failed");
    return std::nullopt;
  }
  fs::remove_all(dest, ec);
  fs::rename(work / "out", dest, ec);
  if (ec || !write_file(dest / "complete", "")) {
    std::fprintf(stderr, "petrel: cannot move dom0 into %s\n", dest.c_str());
    return std::nullopt;
  }
  fs::remove_all(work, ec);
  // Older builds are of no use any more.
  for (const auto& e : fs::directory_iterator(paths.cache, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("dom0-") && e.path() != dest && e.is_directory())
      fs::remove_all(e.path(), ec);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "petrel: dom0 built in %.0f s\n", seconds);
  return image_in(dest);
}

}  // namespace petrel::tool
