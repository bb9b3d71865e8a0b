#include "trace_command.h"

#include <cstdio>
#include <filesystem>
#include <optional>

#include "boot_options.h"
#include "builds.h"
#include "console_parse.h"
#include "dom0_image.h"
#include "files.h"
#include "process.h"
#include "runner.h"
#include "trace_events.h"
#include "trace_output.h"

namespace fs = std::filesystem;

namespace petrel::tool {
namespace {

struct TraceOptions {
  BootOptions boot;
  std::string app;
  std::optional<fs::path> out;
  bool dom0 = false;  // from a Linux dom0, the trace streamed over vchan
};

int usage(const std::string& msg) {
  return usage_error("trace: " + msg);
}

// nullopt: parsed; otherwise the exit status of a usage error.
std::optional<int> parse_options(const std::vector<std::string>& args, TraceOptions* o) {
  const auto status =
      parse_command_line(args, &o->boot, "trace", [&](size_t* i) -> std::optional<int> {
        const std::string& a = args[*i];
        if (a == "--out") {
          if (*i + 1 >= args.size() || args[*i + 1].empty()) return usage("--out takes a folder");
          o->out = args[++*i];
        } else if (a == "--dom0") {
          o->dom0 = true;
        } else if (!a.empty() && a[0] == '-') {
          return usage("unknown option " + a);
        } else if (o->app.empty()) {
          o->app = a;
        } else {
          return usage("one APP at a time");
        }
        return std::nullopt;
      });
  if (status) return status;
  if (o->app.empty()) return usage("which app? (petrel trace APP)");
  if (is_image_path(o->app))
    return usage("APP is an app's name, not a path (trace builds the app)");
  return std::nullopt;
}

// APP's image in its own build tree with tracing on, beside the ordinary
// one (build/ARCH-trace), built first unless --no-build.
std::optional<std::string> traced_image(const Paths& paths, const BootOptions& boot,
                                        const std::string& app, int* status) {
  const std::string preset = std::string(arch_name(boot.arch)) + "-trace";
  if (boot.build) {
    // Parallel tests trace apps of one tree: one configures and builds it
    // at a time (two cmake runs in one build folder break each other).
    const FileLock lock(paths.root / "build" / (preset + ".lock"), preset.c_str());
    if (!build_preset(paths, preset, app + ".elf")) {
      *status = kExitSetup;
      return std::nullopt;
    }
  }
  const fs::path image = paths.root / "build" / preset / "apps" / (app + ".bin");
  return find_image(paths, boot.arch, image.string(), status);
}

}  // namespace

// `--dom0`: APP created by xl from a Linux dom0 (real time, no icount),
// asked to stream its trace ("trace-stream", xen/trace_stream.h), which
// dom0 keeps (tools/dom0/trace-stream.sh) and prints once the guest is gone.
int run_with_dom0(const Paths& paths, const TraceOptions& o, const std::string& image,
                  std::vector<std::string>* serial) {
  const std::optional<Dom0Image> dom0 = ensure_dom0(paths);
  if (!dom0) return kExitSetup;
  Dom0RunOptions d = dom0_run_of(image);
  d.gic = o.boot.gic;
  d.memory_mib = o.boot.memory_mib;
  d.bootargs = "trace-stream" + (o.boot.bootargs.empty() ? "" : " " + o.boot.bootargs);
  d.script = (paths.root / "tools" / "dom0" / "trace-stream.sh").string();
  d.timeout_s = o.boot.timeout_s.value_or(180);
  d.raw = o.boot.raw;
  d.serial = serial;
  d.quiet_prefix = "@petrel-trace ";
  return run_dom0(paths, *dom0, d);
}

int cmd_trace(const Paths& paths, const std::vector<std::string>& args) {
  TraceOptions o;
  if (const auto status = parse_options(args, &o)) return *status;
  const BootOptions& boot = o.boot;
  if (!ensure(paths, boot.build ? Need::kAll : (o.dom0 ? Need::kDom0 : Need::kRun)))
    return kExitSetup;
  int status = 0;
  const std::optional<std::string> image = traced_image(paths, boot, o.app, &status);
  if (!image) return status;
  const std::string name = fs::path(*image).stem().string();

  std::vector<std::string> serial;
  std::string error;
  std::optional<TraceLog> log;
  if (o.dom0) {
    status = run_with_dom0(paths, o, *image, &serial);
    // The stream as dom0 printed it (straight to the console), the drain
    // as the guest's console lines.
    log = parse_streamed_trace(dom0_texts(serial, {Dom0ConsoleLine::Kind::kOther}),
                               dom0_texts(serial, {Dom0ConsoleLine::Kind::kGuest}), &error);
  } else {
    RunOptions r;
    r.images = {*image};
    r.gic = boot.gic;
    r.memory_mib = boot.memory_mib.value_or(r.memory_mib);
    r.icount = true;  // deterministic: the same run gives the same trace
    r.timeout_s = boot.timeout_s.value_or(120);
    r.bootargs = boot.bootargs;
    r.raw = boot.raw;
    r.serial = &serial;
    r.quiet_prefix = "@petrel-trace ";
    status = run_guests(paths, r);
    log = parse_trace(guest_texts(serial), &error);  // one guest: domain 1
  }
  if (!log) {
    std::fprintf(stderr, "petrel: trace of %s: %s\n", name.c_str(), error.c_str());
    return status != 0 ? status : 1;
  }
  const TraceModel model = build_model(*log);
  const std::string title = name + " (" + arch_title(boot.arch) + ")";
  const fs::path dir = o.out.value_or(paths.root / "build" / "trace");
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path json = dir / (name + ".json");
  const fs::path svg = dir / (name + ".svg");
  if (!write_file(json, trace_json(model, title)) || !write_file(svg, trace_svg(model, title))) {
    std::fprintf(stderr, "petrel: cannot write %s or %s\n", json.c_str(), svg.c_str());
    return 1;
  }
  std::printf("petrel: trace of %s:\n%s", title.c_str(), trace_summary(model).c_str());
  if (model.unfinished != 0)
    std::printf("  %zu events were claimed but not written when the guest stopped\n",
                model.unfinished);
  if (o.dom0)
    std::printf(
        "  %zu events, %llu of them streamed over vchan while the guest ran, %u dropped, "
        "%llu lost\n",
        log->records.size(), static_cast<unsigned long long>(log->streamed - log->lost),
        model.dropped, static_cast<unsigned long long>(log->lost));
  std::printf("petrel: wrote %s (open it in https://ui.perfetto.dev) and %s\n", json.c_str(),
              svg.c_str());
  return status;
}

}  // namespace petrel::tool
