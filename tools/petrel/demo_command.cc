#include "demo_command.h"

#include <cstdio>
#include <filesystem>
#include <optional>

#include "boot_options.h"
#include "builds.h"
#include "console_parse.h"
#include "demo.h"
#include "dom0_image.h"
#include "files.h"
#include "process.h"
#include "runner.h"
#include "xen_rt.h"

namespace fs = std::filesystem;

namespace petrel::tool {

int cmd_demo(const Paths& paths, const std::vector<std::string>& args) {
  bool quick = false;
  bool build = true;
  Arch arch = Arch::kArm64;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--quick") {
      quick = true;
    } else if (args[i] == "--no-build") {
      build = false;
    } else if (args[i] == "--arch") {
      auto a = arch_value(args, &i);
      if (!a) return usage_error(kArchUsage);
      arch = *a;
    } else {
      return usage_error("demo takes only --quick, --no-build and --arch arm64|arm32");
    }
  }
  const unsigned phase_s = quick ? 3 : 15;
  const std::string commit = commit_of_tree(paths);
  if (!ensure(paths, Need::kAll) || !ensure_xen_image(paths, XenBuild::kRt)) return kExitSetup;
  if (build && !build_preset(paths, arch_name(arch))) return kExitSetup;
  int status = 0;
  auto image = find_image(paths, arch, "motor-control", &status);
  if (!image) return status;
  if (run({"cmake", "--build", paths.host_build.string(), "--target", "dom0_tools"}, true) != 0) {
    std::fprintf(stderr, "petrel: building the dom0 tools failed\n");
    return kExitSetup;
  }
  const std::optional<Dom0Image> dom0 = ensure_dom0(paths);
  if (!dom0) return kExitSetup;
  const fs::path out_dir = quick ? paths.root / "build" / "demo" : paths.root / "demo";
  const fs::path work = paths.root / "build" / "demo";
  std::error_code ec;
  fs::create_directories(work, ec);
  const fs::path conf = work / "demo.conf";
  if (!write_file(conf, "quiet_s=" + std::to_string(phase_s) +
                            "\nload_s=" + std::to_string(phase_s) + "\n")) {
    std::fprintf(stderr, "petrel: cannot write %s\n", conf.c_str());
    return 1;
  }
  struct Config {
    const char* label;
    const char* cmdline;
  };
  const Config configs[] = {{"null, vwfi=native", "sched=null vwfi=native dom0_vcpus_pin"},
                            {"credit2", "sched=credit2 dom0_max_vcpus=2"}};
  std::vector<DemoRun> runs;
  std::vector<std::string> problems;
  for (const Config& c : configs) {
    std::printf("petrel: demo on %s: %u s idle, %u s with dom0 loaded, then the emergency stop\n",
                c.label, phase_s, phase_s);
    std::vector<std::string> serial;
    Dom0RunOptions d = dom0_run_of(*image);
    d.script = (paths.root / "demo" / "dom0-demo.sh").string();
    d.files = {conf.string(), (paths.host_build / "dom0-tools" / "demo-logger").string(),
               (paths.host_build / "dom0-tools" / "demo-loop").string()};
    d.bootargs = "max-seconds=" + std::to_string(2 * phase_s + 120);
    d.timeout_s = 180 + 2.0 * phase_s;
    d.serial = &serial;
    d.passthrough = {"pl061"};
    d.press_button_on = "demo: press the emergency stop";
    d.xen.build = XenBuild::kRt;
    d.xen.cmdline = c.cmdline;
    d.xen.cpus = 2;
    if (const int s = run_dom0(paths, *dom0, d); s != 0) {
      std::fprintf(stderr, "petrel: the demo run on %s failed (exit status %d)\n", c.label, s);
      return s;
    }
    // The loggers' reports go straight to dom0's console (kOther).
    const std::vector<std::string> lines =
        dom0_texts(serial, {Dom0ConsoleLine::Kind::kDom0, Dom0ConsoleLine::Kind::kOther});
    DemoRun r;
    r.label = c.label;
    std::string error;
    auto petrel = parse_demo_side(lines, "petrel", &error);
    auto linux_loop = petrel ? parse_demo_side(lines, "linux", &error) : std::nullopt;
    if (!petrel || !linux_loop) {
      std::fprintf(stderr, "petrel: demo on %s: %s\n", c.label, error.c_str());
      return 1;
    }
    r.petrel = std::move(*petrel);
    r.linux_loop = std::move(*linux_loop);
    r.stop_timing = parse_stop_timing(dom0_texts(serial, {Dom0ConsoleLine::Kind::kGuest}));
    for (const std::string& p : demo_problems(r)) problems.push_back(p);
    runs.push_back(std::move(r));
  }
  const std::string table = demo_table(runs);
  const std::string stops = demo_stops(runs);
  const std::string title = std::string(arch_title(arch)) +
                            " motor-control beside a Linux loop in dom0, " +
                            std::to_string(phase_s) + " s idle then " + std::to_string(phase_s) +
                            " s loaded (TCG, real time)";
  const std::string body =
      "# The mixed-criticality demo: results\n\nWritten by `./petrel demo" +
      std::string(quick ? " --quick" : "") + "` on " + utc_now() + " at commit " + commit + ": " +
      arch_title(arch) +
      " motor-control (examples/demo) and the same loop as a Linux process in dom0 "
      "(tools/dom0/demo-loop.cc, SCHED_FIFO), both at 1 kHz, measured at the same time on two "
      "emulated pCPUs without icount. These are real-time figures of QEMU's TCG on a shared "
      "machine, not of hardware: compare the rows of one run, not runs with each other. "
      "docs/demo.md reads them. Plot: demo.svg.\n\n" +
      table + "\n" + stops;
  fs::create_directories(out_dir, ec);
  const fs::path results = out_dir / "RESULTS.md";
  const fs::path svg = out_dir / "demo.svg";
  if (!write_file(results, body) || !write_file(svg, demo_svg(runs, title))) {
    std::fprintf(stderr, "petrel: cannot write %s or %s\n", results.c_str(), svg.c_str());
    return 1;
  }
  std::printf("%s%spetrel: written to %s and %s\n", table.c_str(), stops.c_str(), results.c_str(),
              svg.c_str());
  for (const std::string& p : problems) std::fprintf(stderr, "petrel: demo: %s\n", p.c_str());
  return problems.empty() ? 0 : 1;
}

}  // namespace petrel::tool
