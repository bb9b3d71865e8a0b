#include "soak.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "boot_options.h"
#include "builds.h"
#include "console_parse.h"
#include "dom0_image.h"
#include "files.h"
#include "runner.h"
#include "soak_report.h"

namespace fs = std::filesystem;

namespace petrel::tool {
namespace {

constexpr uint64_t kDefaultLength = 1'000'000'000'000;  // 10^12 instructions

struct SoakOptions {
  BootOptions boot;  // --bootargs: more for the guest (inject=leak, inject=late: checks must fail)
  uint64_t length = kDefaultLength;
  uint64_t seed = 1;
  bool dom0 = false;
};

int usage(const std::string& msg) {
  return usage_error("soak: " + msg);
}

// nullopt: parsed; otherwise the exit status of a usage error.
std::optional<int> parse_options(const std::vector<std::string>& args, SoakOptions* o) {
  return parse_command_line(args, &o->boot, "soak", [&](size_t* i) -> std::optional<int> {
    const std::string& a = args[*i];
    const auto count = [&]() -> std::optional<uint64_t> {
      return *i + 1 < args.size() ? parse_count(args[++*i]) : std::nullopt;
    };
    if (a == "--length") {
      const auto n = count();
      if (!n || *n < 100'000'000)
        return usage("--length takes a number of instructions of at least 1e8 (1e12, 10G, ...)");
      o->length = *n;
    } else if (a == "--seed") {
      const auto n = count();
      if (!n) return usage("--seed takes a number above 0");
      o->seed = *n;
    } else if (a == "--dom0") {
      o->dom0 = true;
    } else {
      return usage("unknown option " + a);
    }
    return std::nullopt;
  });
}

// The guest's console text, prefixes removed, from the serial lines of a
// dom0less run or a dom0 run.
std::vector<std::string> guest_lines(const std::vector<std::string>& serial, bool dom0) {
  return dom0 ? dom0_texts(serial, {Dom0ConsoleLine::Kind::kGuest}) : guest_texts(serial);
}

std::string bootargs_of(const SoakOptions& o) {
  return "length=" + std::to_string(o.length) + " seed=" + std::to_string(o.seed) +
         (o.dom0 ? " vchan realtime" : "") + (o.boot.bootargs.empty() ? "" : " " + o.boot.bootargs);
}

// Xen with a Linux dom0 (no icount: Xen stalls on two CPUs under icount), the
// guest created by xl and served a vchan by tests/system/dom0/soak-vchan.sh.
int run_with_dom0(const Paths& paths, const SoakOptions& o, const std::string& image,
                  std::vector<std::string>* serial) {
  const std::optional<Dom0Image> dom0 = ensure_dom0(paths);
  if (!dom0) return kExitSetup;
  Dom0RunOptions d = dom0_run_of(image);
  d.gic = o.boot.gic;
  d.memory_mib = o.boot.memory_mib.value_or(64);
  d.bootargs = bootargs_of(o);
  d.script = (paths.root / "tests" / "system" / "dom0" / "soak-vchan.sh").string();
  d.files = {(paths.root / "tests" / "system" / "dom0" / "vchan-common.sh").string()};
  d.timeout_s = o.boot.timeout_s.value_or(120 + 3 * static_cast<double>(o.length) / 1e9);
  d.raw = o.boot.raw;
  d.serial = serial;
  return run_dom0(paths, *dom0, d);
}

}  // namespace

int cmd_soak(const Paths& paths, const std::vector<std::string>& args) {
  SoakOptions o;
  if (const auto status = parse_options(args, &o)) return *status;
  const BootOptions& boot = o.boot;
  if (!ensure(paths, boot.build ? Need::kAll : (o.dom0 ? Need::kDom0 : Need::kRun)))
    return kExitSetup;
  int status = 0;
  const std::optional<std::string> image =
      built_image(paths, boot.arch, "soak", boot.build, &status);
  if (!image) return status;

  std::printf("petrel: soak of %s (%s), seed %llu, %s %llu %s\n", arch_title(boot.arch),
              image->c_str(), static_cast<unsigned long long>(o.seed),
              o.dom0 ? "with a Linux dom0 (real time, no icount) for" : "under icount for",
              static_cast<unsigned long long>(o.length),
              o.dom0 ? "ns of virtual time" : "virtual instructions");
  std::vector<std::string> serial;
  const auto start = std::chrono::steady_clock::now();
  if (o.dom0) {
    status = run_with_dom0(paths, o, *image, &serial);
  } else {
    RunOptions r;
    r.images = {*image};
    r.gic = boot.gic;
    r.memory_mib = boot.memory_mib.value_or(r.memory_mib);
    r.icount = true;
    // TCG runs 2-4 * 10^8 instructions a second on the test machine: a
    // quarter of that, and two minutes for the boot.
    r.timeout_s = boot.timeout_s.value_or(120 + static_cast<double>(o.length) / 5e7);
    r.raw = boot.raw;
    r.bootargs = bootargs_of(o);
    r.serial = &serial;
    status = run_guests(paths, r);
  }
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const SoakSummary summary = parse_soak_summary(guest_lines(serial, o.dom0));
  std::printf("petrel: soak figures (%s, seed %llu):\n%s", arch_title(boot.arch),
              static_cast<unsigned long long>(o.seed),
              summary.has("failures") ? soak_figures(summary, o.length, wall_s).c_str()
                                      : "  none: the guest printed no summary\n");
  const std::vector<std::string> problems = soak_problems(summary, status);
  if (problems.empty()) {
    std::printf(
        "petrel: soak passed: free heap back to its starting value, stacks within "
        "bounds, %s\n",
        summary.number("timing_checked") != 0 ? "no timer drift beyond a tick, no deadline missed"
                                              : "timing measured but not checked (real time)");
    return 0;
  }
  for (const auto& p : problems) std::fprintf(stderr, "petrel: soak failed: %s\n", p.c_str());
  return status != 0 ? status : 1;
}

}  // namespace petrel::tool
