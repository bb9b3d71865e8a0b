#include "trace_command.h"

#include <cstdio>
#include <filesystem>
#include <optional>

#include "boot_options.h"
#include "builds.h"
#include "console_parse.h"
#include "files.h"
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
  if (boot.build && !build_preset(paths, preset, app + ".elf")) {
    *status = kExitSetup;
    return std::nullopt;
  }
  const fs::path image = paths.root / "build" / preset / "apps" / (app + ".bin");
  return find_image(paths, boot.arch, image.string(), status);
}

}  // namespace

int cmd_trace(const Paths& paths, const std::vector<std::string>& args) {
  TraceOptions o;
  if (const auto status = parse_options(args, &o)) return *status;
  const BootOptions& boot = o.boot;
  if (!ensure(paths, boot.build ? Need::kAll : Need::kRun)) return kExitSetup;
  int status = 0;
  const std::optional<std::string> image = traced_image(paths, boot, o.app, &status);
  if (!image) return status;
  const std::string name = fs::path(*image).stem().string();

  std::vector<std::string> serial;
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

  std::vector<std::string> guest;
  for (const std::string& line : serial) {
    const ConsoleLine c = classify_line(line);
    if (c.kind == ConsoleLine::Kind::kGuest && c.domain == 1) guest.emplace_back(c.text);
  }
  std::string error;
  const std::optional<TraceLog> log = parse_trace(guest, &error);
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
  std::printf("petrel: wrote %s (open it in https://ui.perfetto.dev) and %s\n", json.c_str(),
              svg.c_str());
  return status;
}

}  // namespace petrel::tool
