// Building the real-time Xen (xen_rt.h). The steps, each logged to
// $PETREL_CACHE/xen-rt-build.log (its end shown on failure):
//   1. build tools (flex, bison, make, dpkg-source, the arm64 cross gcc),
//      installed through apt like every other requirement;
//   2. a private apt configuration in the work folder: the machine's own
//      sources turned into deb-src entries (so the archive is whatever this
//      machine already uses, and no address is written into the project),
//      and `apt-get update` with lists and caches of its own;
//   3. `apt-get source --download-only xen=V` for the newest 4.17 version the
//      archive serves (it may list versions it does not serve), then
//      `dpkg-source -x`;
//   4. the hypervisor alone, out of tree: defconfig, the real-time options
//      (xen_options.cc), olddefconfig, a check that each option survived,
//      then `make xen` with XEN_VENDORVERSION=-rt (Xen's banner says
//      4.17.N-rt). 1-3 minutes on two cores; rebuilds are byte-identical.
// The image goes into the cache last, by rename, so a half-built one is
// never taken for a finished one.
#include "xen_rt.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "files.h"
#include "process.h"

namespace fs = std::filesystem;

namespace petrel::tool {
namespace {

// Bump when what goes into the cached image changes (options, version
// rules): an older one is then rebuilt.
constexpr int kFormat = 1;
constexpr const char* kUpstream = "4.17";

fs::path rt_dir(const Paths& paths) {
  return paths.cache / ("xen-4.17-rt-" + std::to_string(kFormat));
}

std::vector<Requirement> rt_requirements() {
  return {
      {"flex (building Xen)", "flex", "", "flex"},
      {"bison (building Xen)", "bison", "", "bison"},
      {"make (building Xen)", "make", "", "make"},
      {"a host C compiler (Xen's Kconfig)", "gcc", "", "gcc"},
      {"dpkg-source (unpacking Xen's source)", "dpkg-source", "", "dpkg-dev"},
      {"xz (unpacking Xen's source)", "xz", "", "xz-utils"},
      {"the AArch64 C cross compiler", "aarch64-linux-gnu-gcc", "", "gcc-aarch64-linux-gnu"},
      {"apt-get", "apt-get", "", "apt"},
  };
}

void explain_missing(const Paths& paths, const char* why) {
  std::fprintf(stderr,
               "petrel: missing the real-time Xen (--xen rt) in %s\n"
               "petrel: %s; run './petrel setup --xen rt' as root (or with sudo) to build it "
               "from Debian's source package of Xen 4.17\n",
               rt_dir(paths).c_str(), why);
}

// One step of the build, its output in the log; says which step failed.
class Steps {
 public:
  explicit Steps(fs::path log) : log_(std::move(log)) {}
  bool run(const char* what, const std::vector<std::string>& argv, const fs::path& cwd = {}) {
    if (run_logged(argv, log_.string(), cwd.string()) == 0) return true;
    std::fprintf(stderr, "petrel: building the real-time Xen failed at: %s (%s)\n", what,
                 join(argv).c_str());
    tool::run({"tail", "-n", "30", log_.string()});
    std::fprintf(stderr, "petrel: the whole log: %s\n", log_.c_str());
    return false;
  }
  bool fail(const std::string& what) const {
    std::fprintf(stderr, "petrel: building the real-time Xen failed: %s (log: %s)\n", what.c_str(),
                 log_.c_str());
    return false;
  }

 private:
  fs::path log_;
};

// The machine's apt sources, as deb-src entries, into `dir`.
bool write_source_lists(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  size_t written = 0;
  auto convert = [&](const fs::path& from, bool deb822) {
    const auto text = read_file(from);
    if (!text) return;
    const std::string out = deb822 ? deb822_as_source(*text) : one_line_as_source(*text);
    if (write_file(dir / from.filename(), out)) ++written;
  };
  if (fs::exists("/etc/apt/sources.list")) convert("/etc/apt/sources.list", false);
  for (const auto& e : fs::directory_iterator("/etc/apt/sources.list.d", ec)) {
    if (e.path().extension() == ".sources") convert(e.path(), true);
    if (e.path().extension() == ".list") convert(e.path(), false);
  }
  return written != 0;
}

// `versions` newest first, by dpkg's own comparison.
void sort_newest_first(std::vector<std::string>* versions) {
  auto newer = [](const std::string& a, const std::string& b) {
    return run({"dpkg", "--compare-versions", a, "gt", b}, true) == 0;
  };
  for (size_t i = 1; i < versions->size(); ++i)
    for (size_t j = i; j > 0 && newer((*versions)[j], (*versions)[j - 1]); --j)
      std::swap((*versions)[j], (*versions)[j - 1]);
}

// Steps 2-4 in `work`; the finished image and its config in `dest`.
bool build(const fs::path& work, const fs::path& dest, Steps& steps) {
  const fs::path apt = work / "apt";
  std::error_code ec;
  for (const char* d : {"lists/partial", "cache/archives/partial"})
    fs::create_directories(apt / d, ec);
  if (!write_file(apt / "empty.list", "") || !write_source_lists(apt / "sources.list.d"))
    return steps.fail("no apt sources in /etc/apt to fetch Xen's source package from");
  const std::vector<std::string> apt_options = {
      "-o", "Dir::Etc::SourceList=" + (apt / "empty.list").string(),
      "-o", "Dir::Etc::SourceParts=" + (apt / "sources.list.d").string(),
      "-o", "Dir::State::Lists=" + (apt / "lists").string(),
      "-o", "Dir::Cache=" + (apt / "cache").string()};
  auto apt_cmd = [&](std::vector<std::string> cmd, const std::vector<std::string>& args) {
    cmd.insert(cmd.end(), apt_options.begin(), apt_options.end());
    cmd.insert(cmd.end(), args.begin(), args.end());
    return cmd;
  };
  if (!steps.run("apt-get update (source lists)", apt_cmd({"apt-get", "-q"}, {"update"})))
    return false;
  const auto showsrc = capture(apt_cmd({"apt-cache"}, {"showsrc", "xen"}), true);
  std::vector<std::string> versions =
      showsrc ? source_versions(*showsrc, "xen", kUpstream) : std::vector<std::string>{};
  if (versions.empty())
    return steps.fail("the archive lists no source package of Xen " + std::string(kUpstream));
  sort_newest_first(&versions);

  const fs::path download = work / "download";
  std::string version;
  for (const auto& v : versions) {
    fs::remove_all(download, ec);
    fs::create_directories(download, ec);
    if (run_logged(apt_cmd({"apt-get", "-q"}, {"source", "--download-only", "xen=" + v}),
                   (work / "download.log").string(), download.string()) == 0) {
      version = v;
      break;
    }
  }
  if (version.empty()) {
    std::string listed;
    for (const auto& v : versions) listed += " " + v;
    return steps.fail("the archive serves none of the Xen source versions it lists:" + listed);
  }
  std::string dsc;
  for (const auto& e : fs::directory_iterator(download, ec))
    if (e.path().extension() == ".dsc") dsc = e.path().string();
  const fs::path src = work / "src";
  if (dsc.empty() || !steps.run("dpkg-source -x", {"dpkg-source", "-x", dsc, src.string()}))
    return dsc.empty() ? steps.fail("apt-get source gave no .dsc") : false;
  std::printf("petrel: Xen's source package %s fetched; building the hypervisor\n",
              version.c_str());

  const fs::path out = work / "out";
  unsigned jobs = std::thread::hardware_concurrency();
  if (jobs == 0) jobs = 2;
  auto make = [&](std::vector<std::string> targets) {
    std::vector<std::string> cmd = {"make",
                                    "-C",
                                    "xen",
                                    "XEN_TARGET_ARCH=arm64",
                                    "CROSS_COMPILE=aarch64-linux-gnu-",
                                    "O=" + out.string()};
    cmd.insert(cmd.end(), targets.begin(), targets.end());
    return cmd;
  };
  if (!steps.run("make defconfig", make({"defconfig"}), src)) return false;
  auto config = read_file(out / ".config");
  if (!config) return steps.fail("defconfig wrote no .config");
  for (const auto& line : rt_config_lines()) *config += line + "\n";
  if (!write_file(out / ".config", *config) ||
      !steps.run("make olddefconfig", make({"olddefconfig"}), src))
    return false;
  config = read_file(out / ".config");
  const auto missing = config ? missing_rt_options(*config) : rt_config_lines();
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += " '" + m + "'";
    return steps.fail("Xen's Kconfig dropped" + list);
  }
  if (!steps.run("make xen", make({"XEN_VENDORVERSION=-rt", "-j", std::to_string(jobs), "xen"}),
                 src))
    return false;

  fs::remove_all(dest, ec);
  fs::create_directories(dest, ec);
  fs::copy_file(out / ".config", dest / "config", ec);
  if (ec || !write_file(dest / "version", "xen source package: " + version + "\n"))
    return steps.fail("cannot write into " + dest.string());
  fs::copy_file(out / "xen", dest / "xen.part", ec);
  if (!ec) fs::rename(dest / "xen.part", dest / "xen", ec);
  if (ec) return steps.fail("cannot copy the image into " + dest.string() + ": " + ec.message());
  return true;
}

std::optional<fs::path> ensure_xen_rt(const Paths& paths) {
  const fs::path dest = rt_dir(paths);
  const fs::path image = dest / "xen";
  if (fs::exists(image)) return image;
  const FileLock lock(paths.cache / "xen-rt.lock", "the real-time Xen");
  if (fs::exists(image)) return image;  // built meanwhile by the petrel we waited for
  if (install_disabled()) {
    explain_missing(paths, "automatic installation is off (PETREL_NO_INSTALL)");
    return std::nullopt;
  }
  if (!ensure_requirements(rt_requirements())) {
    explain_missing(paths, "its build tools are missing (see above)");
    return std::nullopt;
  }
  const fs::path work = paths.cache / "xen-rt-build";
  const fs::path log = paths.cache / "xen-rt-build.log";
  std::error_code ec;
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  fs::remove(log, ec);
  std::printf(
      "petrel: building Xen %s for real time (null, RTDS and ARINC653 schedulers) from "
      "Debian's source package into %s; 1-3 minutes\n",
      kUpstream, dest.c_str());
  const auto start = std::chrono::steady_clock::now();
  Steps steps(log);
  const bool built = build(work, dest, steps);
  fs::remove_all(work, ec);
  if (!built) {
    explain_missing(paths, "building it failed (see above)");
    return std::nullopt;
  }
  std::printf("petrel: the real-time Xen is built (%.0f s): %s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
              image.c_str());
  return image;
}

}  // namespace

std::optional<fs::path> ensure_xen_image(const Paths& paths, XenBuild build) {
  if (build == XenBuild::kRt) return ensure_xen_rt(paths);
  if (!fs::exists(paths.xen_image()) && !ensure(paths, Need::kRun)) return std::nullopt;
  return paths.xen_image();
}

}  // namespace petrel::tool
