// petrel: the host tool behind ./petrel. This file has the usage, `run`,
// `test` and `setup`, and hands the other commands to their own files:
// bench_command.h, demo_command.h, debug.h, trace_command.h, soak.h, fuzz.h.
// Every command that boots the board goes through runner.h (run_guests,
// run_dom0): one QEMU machine (qemu_machine.h), one console session
// (console_session.h) and one exit-status rule (exit_status.h). Building and
// finding the apps' images: builds.h; the options every booting command
// takes: boot_options.h.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "arch.h"
#include "bench_command.h"
#include "boot_options.h"
#include "builds.h"
#include "debug.h"
#include "demo_command.h"
#include "dom0_image.h"
#include "files.h"
#include "fuzz.h"
#include "image_check.h"
#include "passthrough.h"
#include "process.h"
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
               the boot options (--timeout: default none, 60 with --batch;
               docs/debugging.md)
  test [-- ARGS] build everything and run the test suite (CTest; ARGS go to ctest), all but
               the endurance runs
  soak [--arch arm64|arm32] [--length N] [--seed S] [--dom0]
               run the soak guest (tests/guest/soak): a seeded pseudo-random mixed load over
               every kernel primitive, timers, interrupts and event channels, under --icount
               for N virtual instructions (1e12, 10G, ...; default 10^12, an hour or more of
               TCG); prints the figures (operations, heap, stacks, timer drift, deadline
               misses) and fails naming each check that did not hold. --dom0: from a Linux
               dom0 with a vchan peer, in real time (N ns), no icount. Also takes the boot
               options, --bootargs adding to the guest's (inject=leak, inject=late: a check
               that must fail; docs/reliability.md)
  soak --suite [-- ARGS]
               build everything and run the endurance runs alone (CTest label soak: the full
               soak and 10^4 vchan open/close cycles on each architecture)
  fuzz [TARGET] [--time S]
               run the parsers' fuzz targets (tests/fuzz; all in turn, or TARGET alone) for S
               seconds each (default 60), the corpus kept in build/fuzz/campaign; prints the
               executions, coverage and crashes of each (docs/reliability.md)
  trace APP [--arch arm64|arm32] [--out DIR] [--dom0]
               build APP with the scheduler trace on (build/ARCH-trace, PETREL_TRACE=ON),
               boot it under --icount, and write the trace it prints at exit as
               build/trace/APP.json (Perfetto's UI opens it) and build/trace/APP.svg (a
               timeline: a lane per task, interrupts, the longest interrupt -> task
               latencies); prints each task's CPU share and the worst interrupt -> task
               latency (docs/debugging.md); --out DIR: write there. --dom0: created by
               xl from a Linux dom0 instead (real time), the trace streamed over vchan
               while it runs, so not limited to what the ring holds. Also takes the
               boot options (--timeout: default 120; 180 with --dom0)
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

run options (the first seven are the boot options, which debug, trace and soak take
too, with the same meaning):
  --arch arm64|arm32 architecture of the guests (default arm64): apps come from
                     build/ARCH/apps, and the ARCH preset is built first
  --gic 2|3          GIC version of the emulated board (default 3)
  --memory MIB       memory of each guest in MiB (default 64)
  --bootargs STRING  /chosen/bootargs of each guest
  --timeout SECONDS  stop QEMU and fail if the guests have not exited by then (default 30)
  --raw              print Xen's serial console as it is, Xen's lines included
  --no-build         do not build first
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

int cmd_run(const Paths& paths, const std::vector<std::string>& args) {
  BootOptions boot;
  RunOptions o;
  bool dom0 = false;
  std::string dom0_script;
  std::vector<std::string> dom0_files;
  std::vector<std::string> apps;
  const auto status = parse_command_line(args, &boot, "", [&](size_t* i) -> std::optional<int> {
    const std::string& a = args[*i];
    const std::string* v = *i + 1 < args.size() ? &args[*i + 1] : nullptr;
    // An option with a value: *i moves onto it.
    const auto value = [&]() -> const std::string* { return v != nullptr ? &args[++*i] : nullptr; };
    if (a == "--dom0") {
      dom0 = true;
    } else if (a == "--dom0-file") {
      v = value();
      if (v == nullptr) return usage_error("--dom0-file takes a file");
      if (!fs::is_regular_file(*v)) return usage_error("--dom0-file: no file " + *v);
      dom0_files.push_back(*v);
    } else if (a == "--dom0-script") {
      v = value();
      if (v == nullptr) return usage_error("--dom0-script takes a file");
      dom0_script = *v;
    } else if (a == "--xen") {
      v = value();
      const auto b = v != nullptr ? parse_xen_build(*v) : std::nullopt;
      if (!b) return usage_error("--xen takes debian or rt");
      o.xen.build = *b;
    } else if (a == "--xen-cmdline") {
      v = value();
      if (v == nullptr) return usage_error("--xen-cmdline takes a string");
      o.xen.cmdline = *v;
    } else if (a == "--cpus") {
      v = value();
      const auto n = v != nullptr ? parse_positive(*v) : std::nullopt;
      if (!n || *n != std::floor(*n) || *n > 64)
        return usage_error("--cpus takes a number of CPUs");
      o.xen.cpus = static_cast<unsigned>(*n);
    } else if (a == "--icount") {
      o.icount = true;
    } else if (a == "--vpl011") {
      o.vpl011 = true;
    } else if (a == "--passthrough") {
      v = value();
      if (v == nullptr) return usage_error("--passthrough takes devices: pl061, pl031 or both");
      std::string error;
      auto names = parse_passthrough_list(*v, &error);
      if (!names) return usage_error(error);
      o.passthrough = *names;
    } else if (a == "--press-button-after") {
      v = value();
      const auto s = v != nullptr ? parse_positive(*v) : std::nullopt;
      if (!s || *s > 3600) return usage_error("--press-button-after takes seconds");
      o.press_button_after_s = s;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + a);
    } else {
      apps.push_back(a);
    }
    return std::nullopt;
  });
  if (status) return *status;
  o.gic = boot.gic;
  o.bootargs = boot.bootargs;
  o.raw = boot.raw;
  o.memory_mib = boot.memory_mib.value_or(o.memory_mib);
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
    if (is_image_path(app) && fs::exists(app) && !check_image_file(app, boot.arch))
      return kExitUsage;
  if (!ensure(paths, boot.build ? Need::kAll : (dom0 ? Need::kDom0 : Need::kRun)))
    return kExitSetup;
  std::optional<Dom0Image> dom0_image;
  if (dom0) {
    dom0_image = ensure_dom0(paths);
    if (!dom0_image) return kExitSetup;
  }
  if (boot.build && !build_preset(paths, arch_name(boot.arch))) return kExitSetup;
  for (const auto& app : apps) {
    int status = 0;
    auto image = find_image(paths, boot.arch, app, &status);
    if (!image) return status;
    o.images.push_back(*image);
  }
  if (dom0) {
    Dom0RunOptions d = dom0_run_of(o.images[0]);
    const double default_timeout_s = d.timeout_s;
    static_cast<BoardOptions&>(d) = o;  // what every run of the board takes
    d.timeout_s = boot.timeout_s.value_or(default_timeout_s);
    d.memory_mib = boot.memory_mib;
    d.script = dom0_script;
    d.files = dom0_files;
    return run_dom0(paths, *dom0_image, d);
  }
  o.timeout_s = boot.timeout_s.value_or(o.timeout_s);
  return run_guests(paths, o);
}

// `test` runs the default suite, every test but the endurance runs (CTest
// label soak); `soak --suite` runs those alone. Both build everything first,
// and need dom0 for the system.dom0.* tests and the real-time Xen for the
// system.*.rt.* ones: without them they stop, naming what is missing,
// instead of running tests that must fail.
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
    return cmd_soak(paths, args);
  }
  if (cmd == "debug") return cmd_debug(paths, args);
  if (cmd == "trace") return cmd_trace(paths, args);
  if (cmd == "bench") return cmd_bench(paths, args);
  if (cmd == "demo") return cmd_demo(paths, args);
  if (cmd == "fuzz")
    return cmd_fuzz(paths, args,
                    [&] { return ensure(paths, Need::kBuild) && build_preset(paths, "fuzz"); });
  return usage_error("unknown command '" + cmd + "'");
}
