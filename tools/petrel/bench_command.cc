#include "bench_command.h"

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "bench_table.h"
#include "boot_options.h"
#include "builds.h"
#include "console_parse.h"
#include "dom0_image.h"
#include "files.h"
#include "ipc_bench.h"
#include "process.h"
#include "rt_loaded.h"
#include "rt_matrix.h"
#include "runner.h"
#include "xen_rt.h"

namespace fs = std::filesystem;

namespace petrel::tool {
namespace {

// One architecture's benchmark run: the table its guest printed (the lines
// between "bench: begin" and "bench: end") and Xen's version line.
struct BenchRun {
  Arch arch;
  std::string image;  // build/<arch>/apps/bench.bin
  std::string table;
  std::string freertos_image;  // build/<arch>/apps/freertos-bench.bin
  std::string freertos_table;  // the same paths through the FreeRTOS API
  std::string xen = "unknown";
  std::string dom0_image;  // build/<arch>/apps/xen-bench.bin
  std::string dom0_table;  // its table (with a Linux dom0, real time)
};

// The lines a bench guest printed between "bench: begin" and "bench: end"
// (`guest`: the guest's console text, prefixes removed).
std::string collect_table(const std::vector<std::string>& guest) {
  std::string table;
  bool in_table = false;
  for (const auto& text : guest) {
    if (text == "bench: begin")
      in_table = true;
    else if (text == "bench: end")
      in_table = false;
    else if (in_table)
      table += text + "\n";
  }
  return table;
}

// The guest's text of a dom0less run's serial lines; notes Xen's version
// line ("Xen version 4.17.7+13 ...") in *xen while it is "unknown".
std::vector<std::string> guest_lines(const std::vector<std::string>& serial, std::string* xen) {
  std::vector<std::string> guest;
  for (const auto& line : serial) {
    const ConsoleLine c = classify_line(line);
    if (c.kind == ConsoleLine::Kind::kGuest) {
      guest.emplace_back(c.text);
    } else if (auto pos = line.find("Xen version ");
               pos != std::string::npos && *xen == "unknown") {
      // Debian's: "Xen version 4.17.7 (Debian 4.17.7+13-...) (pkg...", ours:
      // "Xen version 4.17.5-rt (Debian ) (@) ...".
      const size_t pkg = line.find(" (pkg");
      *xen = line.substr(pos, pkg != std::string::npos ? pkg - pos : line.find(" (", pos) - pos);
    }
  }
  return guest;
}

// A bench guest's run: `image` alone under --icount, its serial lines kept
// in `*serial`, bootargs "quick" with --quick.
RunOptions bench_run(const std::string& image, bool quick, double timeout_s,
                     std::vector<std::string>* serial) {
  RunOptions o;
  o.images = {image};
  o.icount = true;
  o.timeout_s = timeout_s;
  o.bootargs = quick ? "quick" : "";
  o.serial = serial;
  return o;
}

// Boots `image` under --icount and collects its table into `*table`.
// Returns the run's exit status (1 if the guest printed no table).
int run_bench(const Paths& paths, bool quick, const std::string& image, BenchRun* run,
              std::string* table) {
  std::printf("petrel: %s benchmarks (%s)\n", arch_title(run->arch), image.c_str());
  std::vector<std::string> serial;
  const int status = run_guests(paths, bench_run(image, quick, 900, &serial));
  if (status != 0) return status;
  *table = collect_table(guest_lines(serial, &run->xen));
  if (table->empty()) {
    std::fprintf(stderr, "petrel: the %s bench guest %s printed no table\n", arch_title(run->arch),
                 image.c_str());
    return 1;
  }
  return 0;
}

// Boots `run->dom0_image` from a Linux dom0 with xl create; dom0 runs
// bench/dom0-bench.sh and the evtchn-echo tool. Real time (no icount).
int run_dom0_bench(const Paths& paths, const Dom0Image& dom0, bool quick, BenchRun* run) {
  std::printf("petrel: %s benchmarks with a Linux dom0 (%s)\n", arch_title(run->arch),
              run->dom0_image.c_str());
  std::vector<std::string> serial;
  Dom0RunOptions d;
  d.image = run->dom0_image;
  d.script = (paths.root / "bench" / "dom0-bench.sh").string();
  d.files = {(paths.host_build / "dom0-tools" / "evtchn-echo").string()};
  d.bootargs = quick ? "quick" : "";
  d.timeout_s = 300;
  d.serial = &serial;
  const int status = run_dom0(paths, dom0, d);
  if (status != 0) return status;
  // The guest's lines come as "[dN] text" here: keep only those.
  run->dom0_table = collect_table(dom0_texts(serial, {Dom0ConsoleLine::Kind::kGuest}));
  if (run->dom0_table.empty()) {
    std::fprintf(stderr, "petrel: the %s xen-bench guest printed no table\n",
                 arch_title(run->arch));
    return 1;
  }
  return 0;
}

// How the guests of `arch` were optimized, from their build's CMake cache:
// "-O2 with link-time optimization" (toolchain-common.cmake's options).
std::string guest_optimization(const Paths& paths, Arch arch) {
  std::ifstream cache(paths.guest_build(arch) / "CMakeCache.txt");
  if (!cache) return "with unknown options (no CMake cache)";
  std::string line, level = "-O2", lto = "ON";
  while (std::getline(cache, line)) {
    if (line.rfind("PETREL_OPTIMIZE:", 0) == 0) level = line.substr(line.find('=') + 1);
    if (line.rfind("PETREL_LTO:", 0) == 0) lto = line.substr(line.find('=') + 1);
  }
  return level + (lto == "ON" ? " with link-time optimization" : " without link-time optimization");
}

// bench/RESULTS.md's sections of `bench --rt` and `bench --rt --loaded`:
// each written by its own command, kept as they are by the others.
constexpr const char* kRtHeading = "## Real-time Xen: the latency matrix (bench --rt)";
constexpr const char* kRtLoadedHeading = "## Real-time Xen under load (bench --rt --loaded)";
constexpr const char* kIpcHeading = "## Static channels between two guests (bench --ipc)";

bool write_results(const Paths& paths, const std::string& commit, const BenchRun& arm64,
                   const BenchRun& arm32, const std::string& merged,
                   const std::string& merged_freertos, const std::string& merged_dom0) {
  const std::string date = utc_now();
  const fs::path out = paths.root / "bench" / "RESULTS.md";
  const auto old = read_file(out);
  const auto kept_rt = old ? section_body(*old, kRtHeading) : std::nullopt;
  const auto kept_loaded = old ? section_body(*old, kRtLoadedHeading) : std::nullopt;
  const auto kept_ipc = old ? section_body(*old, kIpcHeading) : std::nullopt;
  std::ofstream f(out);
  f << "# Benchmark results\n\n"
    << "Written by `./petrel bench` on " << date << ". Do not edit: run it again.\n\n"
    << "- commit: " << commit << "\n"
    << "- QEMU: " << first_line(capture({"qemu-system-aarch64", "--version"})) << "\n"
    << "- Xen: " << (arm64.xen != "unknown" ? arm64.xen : arm32.xen)
    << " (Debian's xen-hypervisor-4.17-arm64)\n"
    << "- board: QEMU virt, GICv3, one Cortex-A57 vCPU, `-icount shift=0,sleep=off`\n"
    << "- Xen command line: `" << kXenBootargs << "`\n"
    << "- guests: AArch64 and AArch32 (Thumb-2, hard-float VFPv4/NEON), 1000 Hz kernel tick, "
       "time slicing on, built "
    << guest_optimization(paths, arm64.arch) << " (AArch64), "
    << guest_optimization(paths, arm32.arch) << " (AArch32)\n\n"
    << "Under `-icount shift=0` one nanosecond of virtual time is one guest instruction, "
       "so \"ns per op\" is an instruction count, the same on every host. The counter runs "
       "at 62.5 MHz (16 ns per tick). How each figure is measured, and what it means: "
       "bench/README.md.\n\n"
    << "## AArch64 and AArch32 side by side\n\n"
    << "ns per op of each architecture, and their ratio: below 1 the AArch32 guest runs fewer "
       "instructions for the same operation (Xen's instructions included).\n\n"
    << merged << "\n"
    << "## Through the FreeRTOS API\n\n"
    << "bench/freertos_bench.cc: the same hot paths as an application written for FreeRTOS "
       "takes them (taskYIELD, xSemaphoreGive/Take, xQueueSend/Receive), through Petrel's "
       "FreeRTOS layer with the application's own FreeRTOSConfig.h (bench/freertos-config), "
       "misuse checks included.\n\n"
    << merged_freertos << "\n"
    << "## " << arch_title(arm64.arch) << "\n\n"
    << arm64.table << "\n"
    << arm64.freertos_table << "\n"
    << "## " << arch_title(arm32.arch) << "\n\n"
    << arm32.table << "\n"
    << arm32.freertos_table << "\n"
    << "## Xen services with a Linux dom0 (real time, not icount)\n\n"
    << "bench/xen_bench.cc started by `xl create` from a Linux dom0 (`run --dom0`, two vCPUs: "
       "Xen stalls on two CPUs under icount), dom0's side bench/dom0-bench.sh with "
       "tools/dom0/evtchn-echo.c. Virtual time follows the host's real time here, so these "
       "figures depend on the host and vary from run to run; compare them only with each "
       "other.\n\n"
    << merged_dom0;
  // The real-time matrix (bench --rt) is measured on its own: kept as it was.
  if (kept_rt) f << "\n" << kRtHeading << "\n" << *kept_rt << "\n";
  if (kept_loaded) f << "\n" << kRtLoadedHeading << "\n" << *kept_loaded << "\n";
  if (kept_ipc) f << "\n" << kIpcHeading << "\n" << *kept_ipc << "\n";
  if (!f) {
    std::fprintf(stderr, "petrel: cannot write %s\n", out.c_str());
    return false;
  }
  std::printf("petrel: results written to %s\n", out.c_str());
  return true;
}

// `bench --rt`: the rt-bench guest under icount on the real-time Xen, once
// per configuration of rt_configs() on each architecture; the matrix goes
// into bench/RESULTS.md's section kRtHeading (both architectures, not
// --quick), the rest of the file left as it is.
int cmd_bench_rt(const Paths& paths, bool quick, bool build, std::optional<Arch> only) {
  const std::string commit = commit_of_tree(paths);  // what is built and measured
  if (!ensure(paths, Need::kAll) || !ensure_xen_image(paths, XenBuild::kRt)) return kExitSetup;
  std::vector<std::pair<Arch, std::string>> images;
  for (Arch arch : kArchs) {
    if (only && *only != arch) continue;
    if (build && !build_preset(paths, arch_name(arch))) return kExitSetup;
    int status = 0;
    auto image = find_image(paths, arch, "rt-bench", &status);
    if (!image) return status;
    images.emplace_back(arch, *image);
  }
  std::string xen = "unknown";
  std::string matrices;
  for (const auto& [arch, image] : images) {
    std::vector<RtRun> runs;
    for (const RtConfig& c : rt_configs()) {
      std::printf("petrel: %s, Xen with %s\n", arch_title(arch), rt_cmdline(c).c_str());
      std::vector<std::string> serial;
      RunOptions o = bench_run(image, quick, 600, &serial);
      o.xen.build = XenBuild::kRt;
      o.xen.cmdline = rt_cmdline(c);
      if (const int status = run_guests(paths, o); status != 0) {
        std::fprintf(stderr, "petrel: the %s rt-bench run with %s failed (exit status %d)\n",
                     arch_title(arch), rt_cmdline(c).c_str(), status);
        return status;
      }
      runs.push_back({c, collect_table(guest_lines(serial, &xen))});
    }
    const RtMatrix m = rt_matrix(runs);
    if (m.malformed != 0)
      std::fprintf(stderr, "petrel: %zu malformed line(s) of the %s tables left out\n", m.malformed,
                   arch_title(arch));
    if (m.rows == 0) {
      std::fprintf(stderr, "petrel: the %s rt-bench runs printed no row\n", arch_title(arch));
      return 1;
    }
    matrices += std::string("\n### ") + arch_title(arch) + "\n\n" + m.markdown;
  }
  if (quick || only) {
    std::printf("petrel: the latency matrix%s (not recorded):\n%s", quick ? " with --quick" : "",
                matrices.c_str());
    return 0;
  }
  const std::string body =
      "\nWritten by `./petrel bench --rt` on " + utc_now() + " at commit " + commit + ", " + xen +
      " built for real time (`--xen rt`), one pCPU, `-icount shift=0,sleep=off`: ns are "
      "instructions, Xen's included (counter resolution 16). bench/rt_bench.cc says what each "
      "case measures; docs/realtime.md reads the figures.\n" +
      matrices;
  const fs::path out = paths.root / "bench" / "RESULTS.md";
  const std::string file = with_section(read_file(out).value_or(""), kRtHeading, body);
  if (!write_file(out, file)) {
    std::fprintf(stderr, "petrel: cannot write %s\n", out.c_str());
    return 1;
  }
  std::printf("petrel: the latency matrix written to %s\n", out.c_str());
  return 0;
}

// `bench --ipc`: ipc-ping and ipc-pong (examples/static-ipc) as two
// dom0less guests on one pCPU under icount: with the shared region on the
// real-time Xen, then as a doorbell on Debian's Xen, on each architecture;
// the table goes into bench/RESULTS.md's section kIpcHeading (both
// architectures, not --quick), the rest of the file left as it is.
int cmd_bench_ipc(const Paths& paths, bool quick, bool build, std::optional<Arch> only) {
  const std::string commit = commit_of_tree(paths);  // what is built and measured
  if (!ensure(paths, Need::kAll) || !ensure_xen_image(paths, XenBuild::kRt)) return kExitSetup;
  std::string xen = "unknown";
  std::vector<std::pair<std::string, IpcFigures>> columns;
  for (Arch arch : kArchs) {
    if (only && *only != arch) continue;
    if (build && !build_preset(paths, arch_name(arch))) return kExitSetup;
    int status = 0;
    auto ping = find_image(paths, arch, "ipc-ping", &status);
    if (!ping) return status;
    auto pong = find_image(paths, arch, "ipc-pong", &status);
    if (!pong) return status;
    IpcFigures figures;
    for (XenBuild build_of_xen : {XenBuild::kRt, XenBuild::kDebian}) {
      std::printf("petrel: %s, ipc-ping and ipc-pong on %s Xen\n", arch_title(arch),
                  build_of_xen == XenBuild::kRt ? "the real-time" : "Debian's");
      std::vector<std::string> serial;
      RunOptions o = bench_run(*ping, false, 600, &serial);
      o.images.push_back(*pong);
      o.bootargs = quick ? "rounds=100 bulk=65536" : "";
      o.xen.build = build_of_xen;
      if (const int s = run_guests(paths, o); s != 0) {
        std::fprintf(stderr, "petrel: the %s ipc run failed (exit status %d)\n", arch_title(arch),
                     s);
        return s;
      }
      std::string this_xen = "unknown";
      parse_ipc_lines(guest_lines(serial, &this_xen), &figures);
      if (build_of_xen == XenBuild::kDebian && xen == "unknown") xen = this_xen;
    }
    if (!figures.round_trip_ns || !figures.mb_per_s_x1000 || !figures.doorbell_ns) {
      std::fprintf(stderr, "petrel: ipc-ping's %s figures are incomplete\n", arch_title(arch));
      return 1;
    }
    columns.emplace_back(arch_title(arch), figures);
  }
  const std::string table = ipc_table(columns);
  if (quick || only) {
    std::printf("petrel: static channels%s (not recorded):\n%s", quick ? " with --quick" : "",
                table.c_str());
    return 0;
  }
  const std::string body =
      "\nWritten by `./petrel bench --ipc` on " + utc_now() + " at commit " + commit +
      ": ipc-ping and ipc-pong (examples/static-ipc) as two dom0less guests sharing one pCPU "
      "(credit2), `-icount shift=0,sleep=off`, so ns are instructions, Xen's and both guests' "
      "included. A round trip is a 64-byte frame echoed (1000 of them, each checked); the "
      "throughput 1 MiB in 4 KiB frames, each compared by the receiver. With the 64 KiB shared "
      "region on the real-time Xen (`--xen rt`, 4.17.5 with CONFIG_STATIC_SHM), and the doorbell "
      "(the static event channel alone) on " +
      xen + ". docs/static-ipc.md reads the figures.\n\n" + table;
  const fs::path out = paths.root / "bench" / "RESULTS.md";
  if (!write_file(out, with_section(read_file(out).value_or(""), kIpcHeading, body))) {
    std::fprintf(stderr, "petrel: cannot write %s\n", out.c_str());
    return 1;
  }
  std::printf("petrel: the static-channel figures written to %s\n", out.c_str());
  return 0;
}

// `bench --rt --loaded`: rt-loop (bench/rt_loop.cc) started by xl create from
// a Linux dom0 that runs bench/rt-load.sh, on two pCPUs under the null
// scheduler with vwfi=native (dom0 pinned to pCPU 0, the guest alone on pCPU
// 1), then on credit2 with both sharing one pCPU; no icount, so the figures
// are real time on TCG. With the full 10^5 periods on AArch64 (the default)
// the table goes into bench/RESULTS.md and the histogram into
// bench/rt-loaded.svg.
int cmd_bench_rt_loaded(const Paths& paths, bool quick, bool build, std::optional<Arch> only) {
  const Arch arch = only.value_or(Arch::kArm64);
  const uint64_t periods = quick ? 2000 : 100000;
  const std::string commit = commit_of_tree(paths);  // what is built and measured
  if (!ensure(paths, Need::kAll) || !ensure_xen_image(paths, XenBuild::kRt)) return kExitSetup;
  if (build && !build_preset(paths, arch_name(arch))) return kExitSetup;
  int status = 0;
  auto image = find_image(paths, arch, "rt-loop", &status);
  if (!image) return status;
  const std::optional<Dom0Image> dom0 = ensure_dom0(paths);
  if (!dom0) return kExitSetup;
  struct Config {
    const char* label;
    const char* cmdline;
    unsigned cpus;
  };
  const Config configs[] = {
      {"null, vwfi=native, a pCPU each", "sched=null vwfi=native dom0_vcpus_pin", 2},
      {"credit2, one pCPU shared", "sched=credit2", 1}};
  std::vector<LoadedRun> runs;
  for (const Config& c : configs) {
    std::printf("petrel: %s rt-loop, %" PRIu64 " periods, beside dom0's load: %s\n",
                arch_title(arch), periods, c.label);
    std::vector<std::string> serial;
    Dom0RunOptions d;
    d.image = *image;
    d.script = (paths.root / "bench" / "rt-load.sh").string();
    d.bootargs = "periods=" + std::to_string(periods);
    d.timeout_s = 120 + static_cast<double>(periods) / 250;  // 4x real time, and dom0's boot
    d.serial = &serial;
    d.xen.build = XenBuild::kRt;
    d.xen.cmdline = c.cmdline;
    d.xen.cpus = c.cpus;
    if (const int s = run_dom0(paths, *dom0, d); s != 0) {
      std::fprintf(stderr, "petrel: the rt-loop run (%s) failed (exit status %d)\n", c.label, s);
      return s;
    }
    std::string error;
    auto result = parse_loop_result(dom0_texts(serial, {Dom0ConsoleLine::Kind::kGuest}), &error);
    if (!result) {
      std::fprintf(stderr, "petrel: rt-loop (%s): %s\n", c.label, error.c_str());
      return 1;
    }
    runs.push_back({c.label, *result});
  }
  const std::string table = loaded_table(runs);
  if (quick || arch != Arch::kArm64) {
    std::printf("petrel: rt-loop under load (not recorded):\n%s", table.c_str());
    return 0;
  }
  const std::string title = std::string(arch_title(arch)) +
                            " rt-loop beside a loaded Linux dom0, " + std::to_string(periods) +
                            " periods (TCG, real time)";
  const fs::path svg = paths.root / "bench" / "rt-loaded.svg";
  const std::string body =
      "\nWritten by `./petrel bench --rt --loaded` on " + utc_now() + " at commit " + commit +
      ": " + arch_title(arch) +
      " rt-loop (bench/rt_loop.cc) started by xl create from a Linux dom0 running "
      "bench/rt-load.sh, two emulated pCPUs, no icount: real time on QEMU's TCG, not hardware "
      "figures; only the comparison between the rows counts. Histogram: bench/rt-loaded.svg.\n\n" +
      table;
  const fs::path out = paths.root / "bench" / "RESULTS.md";
  if (!write_file(svg, loaded_svg(runs, title)) ||
      !write_file(out, with_section(read_file(out).value_or(""), kRtLoadedHeading, body))) {
    std::fprintf(stderr, "petrel: cannot write %s or %s\n", out.c_str(), svg.c_str());
    return 1;
  }
  std::printf("%spetrel: written to %s and %s\n", table.c_str(), out.c_str(), svg.c_str());
  return 0;
}

}  // namespace

int cmd_bench(const Paths& paths, const std::vector<std::string>& args) {
  bool quick = false;
  bool rt = false;
  bool loaded = false;
  bool ipc = false;
  bool build = true;
  std::optional<Arch> only;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--quick") {
      quick = true;
    } else if (args[i] == "--ipc") {
      ipc = true;
    } else if (args[i] == "--rt") {
      rt = true;
    } else if (args[i] == "--loaded") {
      loaded = true;
    } else if (args[i] == "--no-build") {
      build = false;
    } else if (args[i] == "--arch") {
      only = arch_value(args, &i);
      if (!only) return usage_error(kArchUsage);
    } else {
      return usage_error(
          "bench takes only --quick, --rt, --loaded (with --rt), --ipc, --no-build and --arch "
          "arm64|arm32");
    }
  }
  if (loaded && !rt) return usage_error("--loaded goes with --rt");
  if (ipc && rt) return usage_error("--ipc and --rt are two benchmarks: run them one by one");
  if (ipc) return cmd_bench_ipc(paths, quick, build, only);
  if (loaded) return cmd_bench_rt_loaded(paths, quick, build, only);
  if (rt) return cmd_bench_rt(paths, quick, build, only);
  const std::string commit = commit_of_tree(paths);  // what is built and measured
  std::vector<BenchRun> runs;
  for (Arch arch : kArchs)
    if (!only || *only == arch) runs.push_back({arch, "", "", "", "", "unknown", "", ""});

  if (!ensure(paths, Need::kAll)) return kExitSetup;
  for (const auto& r : runs)
    if (build && !build_preset(paths, arch_name(r.arch))) return kExitSetup;
  for (auto& r : runs) {  // every image there before the first (long) run
    int status = 0;
    auto image = find_image(paths, r.arch, "bench", &status);
    if (!image) return status;
    r.image = *image;
    auto freertos_image = find_image(paths, r.arch, "freertos-bench", &status);
    if (!freertos_image) return status;
    r.freertos_image = *freertos_image;
    auto dom0_image = find_image(paths, r.arch, "xen-bench", &status);
    if (!dom0_image) return status;
    r.dom0_image = *dom0_image;
  }
  if (run({"cmake", "--build", paths.host_build.string(), "--target", "dom0_tools"}, true) != 0) {
    std::fprintf(stderr, "petrel: building the dom0 tools failed\n");
    return kExitSetup;
  }
  const std::optional<Dom0Image> dom0 = ensure_dom0(paths);
  if (!dom0) return kExitSetup;
  for (auto& r : runs) {
    for (auto [image, table] :
         {std::pair{&r.image, &r.table}, std::pair{&r.freertos_image, &r.freertos_table}}) {
      if (const int status = run_bench(paths, quick, *image, &r, table); status != 0) {
        std::fprintf(stderr, "petrel: the %s benchmark run failed (exit status %d)\n",
                     arch_title(r.arch), status);
        return status;
      }
    }
    if (const int status = run_dom0_bench(paths, *dom0, quick, &r); status != 0) {
      std::fprintf(stderr, "petrel: the %s benchmark run with dom0 failed (exit status %d)\n",
                   arch_title(r.arch), status);
      return status;
    }
  }

  if (only) {
    std::printf(
        "petrel: %s results%s (not recorded: bench/RESULTS.md is written only when "
        "both architectures run):\n%s",
        arch_title(*only), quick ? " with --quick" : "",
        (runs[0].table + runs[0].freertos_table + runs[0].dom0_table).c_str());
    return 0;
  }
  const BenchRun& arm64 = runs[0];  // in the order of kArchs
  const BenchRun& arm32 = runs[1];
  // Says what was left out of one side; false if nothing of it was usable.
  auto check = [](const BenchRun& run, size_t rows, size_t malformed) {
    if (malformed != 0)
      std::fprintf(stderr, "petrel: %zu malformed line(s) of the %s table left out of the merge\n",
                   malformed, arch_title(run.arch));
    if (rows == 0)
      std::fprintf(stderr, "petrel: the %s table has no well-formed row\n", arch_title(run.arch));
    return rows != 0;
  };
  // One table of both architectures side by side; nullopt (after saying why)
  // if either side had no usable row.
  auto merge = [&](std::string BenchRun::*table) -> std::optional<MergedBenchTable> {
    MergedBenchTable m = merge_bench_tables(arch_title(arm64.arch), arm64.*table,
                                            arch_title(arm32.arch), arm32.*table);
    const bool arm64_ok = check(arm64, m.rows_a, m.malformed_a);
    const bool arm32_ok = check(arm32, m.rows_b, m.malformed_b);
    if (!arm64_ok || !arm32_ok) return std::nullopt;
    return m;
  };
  const auto merged = merge(&BenchRun::table);
  if (!merged) return 1;
  const auto merged_freertos = merge(&BenchRun::freertos_table);
  if (!merged_freertos) return 1;
  const auto merged_dom0 = merge(&BenchRun::dom0_table);
  if (!merged_dom0) return 1;
  if (quick) {
    std::printf("petrel: results with --quick (not recorded):\n%s\n%s\n%s",
                merged->markdown.c_str(), merged_freertos->markdown.c_str(),
                merged_dom0->markdown.c_str());
    return 0;
  }
  return write_results(paths, commit, arm64, arm32, merged->markdown, merged_freertos->markdown,
                       merged_dom0->markdown)
             ? 0
             : 1;
}

}  // namespace petrel::tool
