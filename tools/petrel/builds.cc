#include "builds.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <thread>

#include "exit_status.h"
#include "image_check.h"
#include "process.h"

namespace fs = std::filesystem;

namespace petrel::tool {

unsigned jobs() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 2 : n;
}

// It configures when the build has no build system yet (never configured, or a
// configuration that failed) and again when this run installed packages:
// what CMake looked for and did not find before is looked for again.
bool build_preset(const Paths& paths, const std::string& preset, const std::string& target) {
  fs::path dir = paths.root / "build" / preset;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string log = (dir / "petrel-build.log").string();
  fs::remove(log, ec);
  const bool generated = fs::exists(dir / "Makefile") || fs::exists(dir / "build.ninja");
  // A single target (petrel trace) may be new since the tree was configured.
  if ((!generated || packages_installed() || !target.empty()) &&
      run_logged({"cmake", "--preset", preset}, log, paths.root.string()) != 0) {
    std::fprintf(stderr, "petrel: configuring %s failed; see %s\n", preset.c_str(), log.c_str());
    run({"tail", "-n", "40", log});
    return false;
  }
  std::vector<std::string> build = {"cmake", "--build", "--preset",
                                    preset,  "-j",      std::to_string(jobs())};
  if (!target.empty()) build.insert(build.end(), {"--target", target});
  if (run_logged(build, log, paths.root.string()) != 0) {
    std::fprintf(stderr, "petrel: building %s failed; see %s\n", preset.c_str(), log.c_str());
    run({"tail", "-n", "40", log});
    return false;
  }
  return true;
}

// The fuzz targets are built with clang; the host build's fuzz.* tests run
// them.
bool build_all(const Paths& paths) {
  if (!build_preset(paths, "host")) return false;
  if (!build_preset(paths, "fuzz")) return false;
  for (Arch arch : kArchs)
    if (!build_preset(paths, arch_name(arch))) return false;
  return true;
}

bool is_image_path(const std::string& app) {
  return app.find('/') != std::string::npos || app.ends_with(".bin") || app.ends_with(".elf");
}

std::optional<std::string> find_image(const Paths& paths, Arch arch, const std::string& app,
                                      int* status) {
  const fs::path apps = paths.guest_build(arch) / "apps";
  std::string image = is_image_path(app) ? app : (apps / (app + ".bin")).string();
  if (!fs::exists(image)) {
    std::fprintf(stderr, "petrel: no guest image %s (app '%s'); %s apps are built into %s\n",
                 image.c_str(), app.c_str(), arch_name(arch), apps.c_str());
    *status = kExitSetup;
    return std::nullopt;
  }
  if (!check_image_file(image, arch)) {
    *status = kExitUsage;
    return std::nullopt;
  }
  return image;
}

std::string first_line(const std::optional<std::string>& text) {
  if (!text) return "unknown";
  return text->substr(0, text->find('\n'));
}

std::string commit_of_tree(const Paths& paths) {
  std::string commit =
      first_line(capture({"git", "-C", paths.root.string(), "rev-parse", "--short", "HEAD"}));
  auto dirty = capture({"git", "-C", paths.root.string(), "status", "--porcelain",
                        "--untracked-files=no", "--", ".", ":(exclude)bench/RESULTS.md"});
  if (dirty && !dirty->empty()) commit += " (with uncommitted changes)";
  return commit;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return date;
}

std::optional<std::string> built_image(const Paths& paths, Arch arch, const std::string& app,
                                       bool build, int* status) {
  if (build && !build_preset(paths, arch_name(arch))) {
    *status = kExitSetup;
    return std::nullopt;
  }
  return find_image(paths, arch, app, status);
}

}  // namespace petrel::tool
