// petrel: the host tool behind ./petrel.
//
//   petrel setup                 install what is missing (apt, Xen for arm64)
//   petrel build                 build the host tools/tests and the arm64 and arm32 guests
//   petrel run [options] [APP...]  boot guests on Xen in QEMU (default: hello)
//   petrel run --dom0 [options] APP  boot Xen with a Linux dom0 that starts APP with xl create
//   petrel test [-- CTEST-ARGS]  build everything, then run CTest (all but label soak)
//   petrel soak [options]        the soak guest's mixed load under icount (default 10^12
//                                instructions), its figures and checks
//   petrel soak --suite [-- CTEST-ARGS]  build everything, then run the endurance runs
//                                (label soak)
//   petrel debug [options] APP   boot APP as run does, with gdb-multiarch attached
//   petrel fuzz [TARGET] [--time S]  fuzz the parsers, each target for S seconds (tests/fuzz)
//   petrel bench [--quick] [--arch A]  run the in-guest benchmarks on arm64 and arm32,
//                                record both side by side in bench/RESULTS.md
#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "arch.h"
#include "bench_table.h"
#include "console_parse.h"
#include "debug.h"
#include "demo.h"
#include "dom0_image.h"
#include "files.h"
#include "fuzz.h"
#include "image_check.h"
#include "ipc_bench.h"
#include "passthrough.h"
#include "process.h"
#include "rt_loaded.h"
#include "rt_matrix.h"
#include "runner.h"
#include "setup.h"
#include "soak.h"
#include "trace_command.h"
#include "xen_options.h"
#include "xen_rt.h"

namespace fs = std::filesystem;
using namespace petrel::tool;

namespace {

constexpr const char* kUsage = R"(usage: petrel COMMAND [options]

commands:
  setup [--xen rt]
               install what Petrel needs (Debian packages; Xen 4.17 for arm64 and dom0 into
               the cache); --xen rt also builds the real-time Xen (see --xen below)
  build        build the host tool, the host tests and every guest app (arm64 and arm32)
  run [APP...] boot each APP as a dom0less guest on Xen in QEMU and show its console
               (APP: an app name such as hello, or a path to a guest .bin; default hello)
  run --dom0 [APP]
               boot Xen with a Linux dom0 (Debian's arm64 kernel, Xen's tools, busybox;
               built once into the cache) that creates APP with `xl create` from its
               apps/APP.cfg and shows its console (see "dom0 runs" below)
  debug APP [--arch arm64|arm32] [--batch FILE]
               boot APP as run does, stopped before Xen's first instruction, with QEMU's
               gdbstub, and start gdb-multiarch on APP's .elf, attached, with Petrel's
               extension (petrel tasks, petrel bt TASK, petrel heap; tools/gdb/petrel.py);
               --batch FILE: run FILE's gdb commands without a prompt (status 1 if a command
               fails; a `continue` to the guest's exit gives the guest's status). Also takes
               --gic, --memory, --bootargs, --timeout (default: none; 60 with --batch),
               --raw, --no-build (docs/debugging.md)
  test [-- ARGS] build everything and run the test suite (CTest; ARGS go to ctest), all but
               the endurance runs
  soak [--arch arm64|arm32] [--length N] [--seed S] [--dom0]
               run the soak guest (tests/guest/soak): a seeded pseudo-random mixed load over
               every kernel primitive, timers, interrupts and event channels, under --icount
               for N virtual instructions (1e12, 10G, ...; default 10^12, an hour or more of
               TCG); prints the figures (operations, heap, stacks, timer drift, deadline
               misses) and fails naming each check that did not hold. --dom0: from a Linux
               dom0 with a vchan peer, in real time (N ns), no icount. Also takes --gic,
               --memory, --timeout, --raw, --no-build, and --bootargs for the guest
               (inject=leak, inject=late: a check that must fail; docs/reliability.md)
  soak --suite [-- ARGS]
               build everything and run the endurance runs alone (CTest label soak: the full
               soak and 10^4 vchan open/close cycles on each architecture)
  fuzz [TARGET] [--time S]
               run the parsers' fuzz targets (tests/fuzz; all in turn, or TARGET alone) for S
               seconds each (default 60), the corpus kept in build/fuzz/campaign; prints the
               executions, coverage and crashes of each (docs/reliability.md)
  trace APP [--arch arm64|arm32] [--gic 2|3] [--bootargs STR] [--timeout S] [--out DIR]
               build APP with the scheduler trace on (build/ARCH-trace, PETREL_TRACE=ON),
               boot it under --icount, and write the trace it prints at exit as
               build/trace/APP.json (Perfetto's UI opens it) and build/trace/APP.svg (a
               timeline: a lane per task, interrupts, the longest interrupt -> task
               latencies); prints each task's CPU share and the worst interrupt -> task
               latency (docs/debugging.md); --out DIR: write there; --no-build
  bench [--quick] [--arch arm64|arm32] [--rt [--loaded] | --ipc] [--no-build]
               run the benchmarks in a guest under --icount on arm64, then on arm32, and
               write both side by side to bench/RESULTS.md (--quick: a tenth of the
               iterations, results not recorded; --arch: that architecture only, its
               table printed, results not recorded); --rt: the real-time latency matrix
               instead (bench/rt_bench.cc on the real-time Xen under credit2, null and
               rtds, each with the guest's WFI trapped and native), into its own section
               of bench/RESULTS.md; --rt --loaded: a 1 kHz task's lateness over 10^5
               periods beside a loaded Linux dom0 (two pCPUs, no icount: real time), under
               null with vwfi=native and under credit2 on one shared pCPU, into
               bench/RESULTS.md and bench/rt-loaded.svg (--quick: 2000 periods, not
               recorded); --ipc: static channels between two guests on one pCPU
               (examples/static-ipc: round trip and throughput over a shared region on the
               real-time Xen, round trip of the doorbell on Debian's), into its own
               section of bench/RESULTS.md; --no-build: do not build first
  demo [--quick] [--arch arm64|arm32] [--no-build]
               the mixed-criticality demo (docs/demo.md): motor-control's 1 kHz PID loop
               with the PL061 button as its emergency stop, and the same loop as a Linux
               process in dom0, both sending telemetry to loggers in dom0 (the guest's over
               vchan), 15 s idle then 15 s with dom0 loaded, then the stop; under null with
               vwfi=native and under credit2, two pCPUs, no icount; into demo/RESULTS.md and
               demo/demo.svg (--quick: 3 s per phase, into build/demo/)

run options:
  --arch arm64|arm32 architecture of the guests (default arm64): apps come from
                     build/ARCH/apps, and the ARCH preset is built first
  --gic 2|3          GIC version of the emulated board (default 3)
  --memory MIB       memory of each guest in MiB (default 64)
  --bootargs STRING  /chosen/bootargs of each guest
  --vpl011           give guests Xen's emulated PL011 UART (their console then uses it)
  --passthrough DEVS give the first guest the board's pl061 (GPIO), pl031 (RTC) or both
                     ("pl061,pl031"): its registers, its interrupt and a partial device tree
                     (docs/passthrough.md)
  --press-button-after SECONDS
                     press the board's power button (QEMU's system_powerdown: PL061 pin 3)
                     that long after QEMU starts
  --icount           deterministic virtual time: 1 ns per instruction (one CPU only)
  --xen debian|rt    the hypervisor: Debian's prebuilt Xen 4.17 (default; schedulers credit and
                     credit2), or rt: Xen 4.17 built from Debian's source package with the null,
                     RTDS and ARINC653 schedulers, static memory and static shared memory
                     (built into the cache on first use, 1-3 minutes; docs/realtime.md)
  --xen-cmdline STR  appended to Xen's command line, e.g. "sched=null vwfi=native"; the run
                     fails if Xen does not take the sched= asked for
  --cpus N           emulated physical CPUs (default 1; 2 with --dom0); more than one is not
                     possible with --icount, and sched=null needs one per domain
  --timeout SECONDS  stop QEMU and fail if the guests have not exited by then (default 30)
  --raw              print Xen's serial console as it is, Xen's lines included
  --no-build         do not build first

dom0 runs (run --dom0; one APP; not with --icount or --vpl011):
  --dom0             start the guest from a Linux dom0 with xl create instead of as a dom0less
                     guest; --memory overrides the memory= of APP.cfg, --bootargs sets extra=
  --dom0-script FILE a busybox sh script that dom0 runs once the domain exists, still paused
                     (NAME and DOMID in its environment; `xl unpause $NAME` starts the guest,
                     which happens anyway when the script ends); its output is shown as
                     "[dom0] ..." lines, and a non-zero exit status fails the run
  --dom0-file FILE   copy FILE into dom0's /petrel (the script's working directory), e.g. a
                     dom0 tool the script runs; may be given several times
  --timeout SECONDS  for the whole run, dom0's boot included (default 60)
  The serial console carries "[dom0] " lines (dom0's init and script), "[dN] " lines (domain
  N's console, streamed from xenconsoled's log), Linux's and Xen's messages; without --raw
  only the guest's text and the "[dom0] " lines are shown. The run ends when the guest's
  domain is gone: its exit marker gives the status as usual; without one, a domain that shut
  down with reason poweroff (or was destroyed from dom0) gives 0, any other reason 1. A failed
  xl create, or dom0 or Xen failing, gives 125.

exit status of run: the guest's own exit code (the first non-zero one with several guests;
a crashed guest gives its code, at least 1), 124 on timeout, 125 when QEMU or Xen failed,
3 when a tool or package is missing, 2 on a usage error or an image that is not a guest
image of the architecture (checked before boot: the header's magic and sizes).

environment: PETREL_CACHE (default ~/.cache/petrel: Xen, and dom0 for --dom0 runs),
  PETREL_NO_INSTALL=1 (never install)
)";

unsigned jobs() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 2 : n;
}

// Configures and builds a preset; output goes to a log shown on failure. It
// configures when the build has no build system yet (never configured, or a
// configuration that failed) and again when this run installed packages:
// what CMake looked for and did not find before is looked for again.
// With `target`, only that target is built.
bool build_preset(const Paths& paths, const std::string& preset, const std::string& target = "") {
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

// The host preset, the parsers' fuzz targets (clang; the host build's
// fuzz.* tests run them), then the guests of every architecture.
bool build_all(const Paths& paths) {
  if (!build_preset(paths, "host")) return false;
  if (!build_preset(paths, "fuzz")) return false;
  for (Arch arch : kArchs)
    if (!build_preset(paths, arch_name(arch))) return false;
  return true;
}

// An app named by a path (to a .bin) rather than by its name.
bool is_image_path(const std::string& app) {
  return app.find('/') != std::string::npos || app.ends_with(".bin") || app.ends_with(".elf");
}

// The guest image of an app (a name such as hello, or a path to a .bin),
// checked (image_check.h); nothing, after saying what is wrong, if it is not
// there (*status = kExitSetup) or not a usable image (*status = kExitUsage).
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

// Parses the value of --arch; nothing if it names no architecture.
std::optional<Arch> arch_value(const std::vector<std::string>& args, size_t* i) {
  if (*i + 1 >= args.size()) return std::nullopt;
  return parse_arch(args[++*i]);
}

constexpr const char* kArchUsage = "--arch takes arm64 or arm32";

bool parse_number(const std::string& s, double* out) {
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end != s.c_str() && *end == '\0' && *out > 0;
}

int cmd_run(const Paths& paths, const std::vector<std::string>& args) {
  RunOptions o;
  Arch arch = Arch::kArm64;
  bool build = true;
  bool dom0 = false;
  bool timeout_given = false;
  bool memory_given = false;
  std::string dom0_script;
  std::vector<std::string> dom0_files;
  std::vector<std::string> apps;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* opt) -> const std::string* {
      if (i + 1 >= args.size()) return nullptr;
      (void)opt;
      return &args[++i];
    };
    double d = 0;
    if (a == "--arch") {
      const auto v = arch_value(args, &i);
      if (!v) return usage_error(kArchUsage);
      arch = *v;
    } else if (a == "--gic") {
      const std::string* v = value("--gic");
      if (v == nullptr || (*v != "2" && *v != "3")) return usage_error("--gic takes 2 or 3");
      o.gic = std::stoi(*v);
    } else if (a == "--memory") {
      const std::string* v = value("--memory");
      if (v == nullptr || !parse_number(*v, &d) || d < 16 || d > 512)
        return usage_error("--memory takes a size in MiB from 16 to 512");
      o.memory_mib = static_cast<unsigned>(d);
      memory_given = true;
    } else if (a == "--timeout") {
      const std::string* v = value("--timeout");
      if (v == nullptr || !parse_number(*v, &d)) return usage_error("--timeout takes seconds > 0");
      o.timeout_s = d;
      timeout_given = true;
    } else if (a == "--dom0") {
      dom0 = true;
    } else if (a == "--dom0-file") {
      const std::string* v = value("--dom0-file");
      if (v == nullptr) return usage_error("--dom0-file takes a file");
      if (!fs::is_regular_file(*v)) return usage_error("--dom0-file: no file " + *v);
      dom0_files.push_back(*v);
    } else if (a == "--dom0-script") {
      const std::string* v = value("--dom0-script");
      if (v == nullptr) return usage_error("--dom0-script takes a file");
      dom0_script = *v;
    } else if (a == "--bootargs") {
      const std::string* v = value("--bootargs");
      if (v == nullptr) return usage_error("--bootargs takes a string");
      o.bootargs = *v;
    } else if (a == "--xen") {
      const std::string* v = value("--xen");
      const auto b = v != nullptr ? parse_xen_build(*v) : std::nullopt;
      if (!b) return usage_error("--xen takes debian or rt");
      o.xen.build = *b;
    } else if (a == "--xen-cmdline") {
      const std::string* v = value("--xen-cmdline");
      if (v == nullptr) return usage_error("--xen-cmdline takes a string");
      o.xen.cmdline = *v;
    } else if (a == "--cpus") {
      const std::string* v = value("--cpus");
      if (v == nullptr || !parse_number(*v, &d) || d != static_cast<unsigned>(d))
        return usage_error("--cpus takes a number of CPUs");
      o.xen.cpus = static_cast<unsigned>(d);
    } else if (a == "--icount") {
      o.icount = true;
    } else if (a == "--raw") {
      o.raw = true;
    } else if (a == "--vpl011") {
      o.vpl011 = true;
    } else if (a == "--passthrough") {
      const std::string* v = value("--passthrough");
      if (v == nullptr) return usage_error("--passthrough takes devices: pl061, pl031 or both");
      std::string error;
      auto names = parse_passthrough_list(*v, &error);
      if (!names) return usage_error(error);
      o.passthrough = *names;
    } else if (a == "--press-button-after") {
      const std::string* v = value("--press-button-after");
      if (v == nullptr || !parse_number(*v, &d) || d < 0 || d > 3600)
        return usage_error("--press-button-after takes seconds");
      o.press_button_after_s = d;
    } else if (a == "--no-build") {
      build = false;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + a);
    } else {
      apps.push_back(a);
    }
  }
  if (apps.empty()) apps.push_back("hello");
  if (dom0) {
    if (o.icount)
      return usage_error(
          "--icount is not supported with --dom0 (dom0 needs a second CPU, and Xen stalls on "
          "two CPUs under icount)");
    if (o.vpl011) return usage_error("--vpl011 is not supported with --dom0");
    if (apps.size() != 1) return usage_error("--dom0 boots one APP");
    if (!dom0_script.empty() && !fs::is_regular_file(dom0_script))
      return usage_error("--dom0-script: no file " + dom0_script);
    if (!timeout_given) o.timeout_s = 60;
  } else if (!dom0_script.empty() || !dom0_files.empty()) {
    return usage_error("--dom0-script and --dom0-file need --dom0");
  }
  {
    const unsigned domains = dom0 ? 2 : static_cast<unsigned>(apps.size());
    const unsigned cpus = o.xen.cpus != 0 ? o.xen.cpus : (dom0 ? kDefaultDom0Cpus : kDefaultCpus);
    if (std::string err = check_xen_options(o.xen, cpus, o.icount, domains); !err.empty())
      return usage_error(err);
  }
  // An image given by its path is checked before anything is installed or built.
  for (const auto& app : apps)
    if (is_image_path(app) && fs::exists(app) && !check_image_file(app, arch)) return kExitUsage;
  if (!ensure(paths, build ? Need::kAll : (dom0 ? Need::kDom0 : Need::kRun))) return kExitSetup;
  std::optional<Dom0Image> dom0_image;
  if (dom0) {
    dom0_image = ensure_dom0(paths);
    if (!dom0_image) return kExitSetup;
  }
  if (build && !build_preset(paths, arch_name(arch))) return kExitSetup;
  for (const auto& app : apps) {
    int status = 0;
    auto image = find_image(paths, arch, app, &status);
    if (!image) return status;
    o.images.push_back(*image);
  }
  if (dom0) {
    Dom0RunOptions d;
    d.image = o.images[0];
    // apps/NAME.cfg, written beside NAME.bin by petrel_add_xl_config.
    const fs::path cfg = fs::path(d.image).replace_extension(".cfg");
    if (fs::exists(cfg)) {
      std::ifstream in(cfg);
      d.xl_config.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    d.gic = o.gic;
    if (memory_given) d.memory_mib = o.memory_mib;
    d.bootargs = o.bootargs;
    d.script = dom0_script;
    d.files = dom0_files;
    d.timeout_s = o.timeout_s;
    d.raw = o.raw;
    d.xen = o.xen;
    d.passthrough = o.passthrough;
    d.press_button_after_s = o.press_button_after_s;
    return run_dom0(paths, *dom0_image, d);
  }
  return run_guests(paths, o);
}

std::string first_line(const std::optional<std::string>& text) {
  if (!text) return "unknown";
  return text->substr(0, text->find('\n'));
}

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

// The commit of the tree, "(with uncommitted changes)" if it is dirty
// (bench/RESULTS.md itself aside). Taken when a bench starts: the guests are
// built from that tree, and edits made while it runs change nothing measured.
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

// `test` runs the default suite, every test but the endurance runs (CTest
// label soak); `soak --suite` runs those alone. Both build everything first,
// and need dom0 for the system.dom0.* tests and the real-time Xen for the
// system.*.rt.* ones: without them they stop, naming what is missing,
// instead of running tests that must fail.
// `demo`: motor-control (examples/demo) started by xl create from a Linux
// dom0 that runs the same loop as a process (tools/dom0/demo-loop.cc), two
// loggers and, half-way, a CPU, memory and I/O load (demo/dom0-demo.sh); the
// PL061 button pressed at the end as the emergency stop. Under null with
// vwfi=native (dom0 pinned to pCPU 0, the guest alone on pCPU 1), then under
// credit2 with dom0's two vCPUs and the guest sharing both pCPUs. No icount:
// real time on TCG. The full run writes demo/RESULTS.md and demo/demo.svg,
// --quick (3 s per phase) build/demo/.
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
    Dom0RunOptions d;
    d.image = *image;
    d.xl_config = read_file(fs::path(*image).replace_extension(".cfg")).value_or("");
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

int cmd_test(const Paths& paths, const std::vector<std::string>& args, bool soak) {
  if (!ensure(paths, Need::kAll)) return kExitSetup;
  if (!ensure_dom0(paths)) {
    std::fprintf(stderr, "petrel: the system.dom0.* tests need dom0 (see above)\n");
    return kExitSetup;
  }
  // Built once here rather than by the first of the parallel tests that needs it.
  if (!ensure_xen_image(paths, XenBuild::kRt)) {
    std::fprintf(stderr, "petrel: the system.*.rt.* tests need the real-time Xen (see above)\n");
    return kExitSetup;
  }
  if (!build_all(paths)) return 1;
  std::vector<std::string> ctest = {
      "ctest", "--test-dir",           paths.host_build.string(), "--output-on-failure",
      "-j",    std::to_string(jobs()), soak ? "-L" : "-LE",       "soak"};
  for (const auto& a : args)
    if (a != "--") ctest.push_back(a);
  return run(ctest);
}

// `setup` installs what the build, the tests and the runs need; with
// `--xen rt` it also builds the real-time Xen (xen_rt.h).
int cmd_setup(const Paths& paths, const std::vector<std::string>& args) {
  bool rt = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--xen" && i + 1 < args.size() && parse_xen_build(args[i + 1])) {
      rt = *parse_xen_build(args[++i]) == XenBuild::kRt;
    } else {
      return usage_error("setup takes only --xen debian|rt");
    }
  }
  if (!ensure(paths, Need::kAll) || !ensure_dom0(paths)) return kExitSetup;
  if (rt && !ensure_xen_image(paths, XenBuild::kRt)) return kExitSetup;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Paths paths = find_paths(argv[0]);
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "setup") return cmd_setup(paths, args);
  if (cmd == "build") {
    if (!ensure(paths, Need::kBuild)) return kExitSetup;
    return build_all(paths) ? 0 : 1;
  }
  if (cmd == "run") return cmd_run(paths, args);
  if (cmd == "test") return cmd_test(paths, args, false);
  if (cmd == "soak") {
    if (!args.empty() && args[0] == "--suite")
      return cmd_test(paths, std::vector<std::string>(args.begin() + 1, args.end()), true);
    return cmd_soak(paths, args, [&](Arch arch, bool build, int* status) {
      if (build && !build_preset(paths, arch_name(arch))) {
        *status = kExitSetup;
        return std::optional<std::string>();
      }
      return find_image(paths, arch, "soak", status);
    });
  }
  if (cmd == "debug")
    return cmd_debug(paths, args, [&](Arch arch, const std::string& app, bool build, int* status) {
      if (build && !build_preset(paths, arch_name(arch))) {
        *status = kExitSetup;
        return std::optional<std::string>();
      }
      return find_image(paths, arch, app, status);
    });
  if (cmd == "trace") {
    return cmd_trace(paths, args, [&](Arch arch, const std::string& app, bool build, int* status) {
      // The app's own build tree with tracing on, beside the ordinary one.
      const std::string preset = std::string(arch_name(arch)) + "-trace";
      if (is_image_path(app)) {
        std::fprintf(stderr, "petrel: trace takes an app's name (it builds the app itself)\n");
        *status = kExitUsage;
        return std::optional<std::string>();
      }
      if (build && !build_preset(paths, preset, app + ".elf")) {
        *status = kExitSetup;
        return std::optional<std::string>();
      }
      const fs::path image = paths.root / "build" / preset / "apps" / (app + ".bin");
      return find_image(paths, arch, image.string(), status);
    });
  }
  if (cmd == "bench") return cmd_bench(paths, args);
  if (cmd == "demo") return cmd_demo(paths, args);
  if (cmd == "fuzz")
    return cmd_fuzz(paths, args,
                    [&] { return ensure(paths, Need::kBuild) && build_preset(paths, "fuzz"); });
  return usage_error("unknown command '" + cmd + "'");
}
