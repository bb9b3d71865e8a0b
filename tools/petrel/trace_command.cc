#include "trace_command.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "console_parse.h"
#include "runner.h"
#include "trace_events.h"
#include "trace_output.h"

namespace fs = std::filesystem;

namespace petrel::tool {
namespace {

struct TraceOptions {
  Arch arch = Arch::kArm64;
  std::string app;
  int gic = 3;
  std::string bootargs;
  double timeout_s = 120;
  std::optional<fs::path> out;
  bool build = true;
};

int usage(const std::string& msg) {
  return usage_error("trace: " + msg);
}

// nullopt: parsed; otherwise the exit status of a usage error.
std::optional<int> parse_options(const std::vector<std::string>& args, TraceOptions* o) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const std::string* v = i + 1 < args.size() ? &args[i + 1] : nullptr;
    if (a == "--arch") {
      const auto arch = v != nullptr ? parse_arch(*v) : std::nullopt;
      if (!arch) return usage("--arch takes arm64 or arm32");
      o->arch = *arch;
      ++i;
    } else if (a == "--gic") {
      if (v == nullptr || (*v != "2" && *v != "3")) return usage("--gic takes 2 or 3");
      o->gic = *v == "2" ? 2 : 3;
      ++i;
    } else if (a == "--bootargs") {
      if (v == nullptr) return usage("--bootargs takes a string");
      o->bootargs = *v;
      ++i;
    } else if (a == "--timeout") {
      char* end = nullptr;
      const double s = v != nullptr ? std::strtod(v->c_str(), &end) : 0;
      if (v == nullptr || end == v->c_str() || *end != '\0' || !(s > 0))
        return usage("--timeout takes seconds > 0");
      o->timeout_s = s;
      ++i;
    } else if (a == "--out") {
      if (v == nullptr || v->empty()) return usage("--out takes a folder");
      o->out = *v;
      ++i;
    } else if (a == "--no-build") {
      o->build = false;
    } else if (!a.empty() && a[0] == '-') {
      return usage("unknown option " + a);
    } else if (o->app.empty()) {
      o->app = a;
    } else {
      return usage("one APP at a time");
    }
  }
  if (o->app.empty()) return usage("which app? (petrel trace APP)");
  return std::nullopt;
}

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) {
    std::fprintf(stderr, "petrel: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace

int cmd_trace(const Paths& paths, const std::vector<std::string>& args,
              const TraceImageFinder& find_image) {
  TraceOptions o;
  if (const auto status = parse_options(args, &o)) return *status;
  if (!ensure(paths, o.build ? Need::kAll : Need::kRun)) return kExitSetup;
  int status = 0;
  const std::optional<std::string> image = find_image(o.arch, o.app, o.build, &status);
  if (!image) return status;
  const std::string name = fs::path(*image).stem().string();

  std::vector<std::string> serial;
  RunOptions r;
  r.images = {*image};
  r.gic = o.gic;
  r.icount = true;  // deterministic: the same run gives the same trace
  r.timeout_s = o.timeout_s;
  r.bootargs = o.bootargs;
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
  const std::string title = name + " (" + arch_title(o.arch) + ")";
  const fs::path dir = o.out.value_or(paths.root / "build" / "trace");
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path json = dir / (name + ".json");
  const fs::path svg = dir / (name + ".svg");
  if (!write_file(json, trace_json(model, title)) || !write_file(svg, trace_svg(model, title)))
    return 1;
  std::printf("petrel: trace of %s:\n%s", title.c_str(), trace_summary(model).c_str());
  if (model.unfinished != 0)
    std::printf("  %zu events were claimed but not written when the guest stopped\n",
                model.unfinished);
  std::printf("petrel: wrote %s (open it in https://ui.perfetto.dev) and %s\n", json.c_str(),
              svg.c_str());
  return status;
}

}  // namespace petrel::tool
