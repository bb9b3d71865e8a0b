// The run loop: QEMU's serial output is read line by line; guest lines are
// printed (without Xen's "(d1)" / "DOM1:" prefixes unless --raw), exit
// markers recorded, and QEMU is ended when every guest has exited, when Xen
// panics, or when the timeout passes.
#include "runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>

#include "console_parse.h"
#include "devicetree.h"
#include "files.h"
#include "process.h"
#include "static_channels.h"
#include "xen_rt.h"

namespace fs = std::filesystem;

namespace petrel::tool {
namespace {

constexpr uint64_t kFirstLoadAddress = 0x50000000;
constexpr size_t kTailLines = 25;
}  // namespace

const char* const kXenBootargs =
    "console=dtuart dtuart=/pl011@9000000 conswitch=ax noreboot bootscrub=0 timer_slop=0 "
    "loglvl=all "
    "guest_loglvl=all";

namespace {

std::vector<std::string> machine_args(const RunOptions& o) {
  const unsigned cpus = o.xen.cpus != 0 ? o.xen.cpus : kDefaultCpus;
  return {"-machine", "virt,virtualization=on,gic-version=" + std::to_string(o.gic),
          "-cpu",     "cortex-a57",
          "-smp",     std::to_string(cpus),
          "-m",       "1G",
          "-display", "none",
          "-nic",     "none"};
}

// The static channels the guests' apps declare (APP.channels beside each
// APP.bin, static_channels.h), paired and put into their GuestSpecs; Xen
// without static shared memory (Debian's) gets doorbells only. With --raw
// the wiring is printed. Returns why the declarations do not pair, or "".
std::string wire_static_channels(const RunOptions& o, std::vector<GuestSpec>* guests) {
  std::vector<GuestChannels> declared;
  bool any = false;
  for (const GuestSpec& g : *guests) {
    GuestChannels c{g.name, {}};
    const fs::path file = fs::path(g.image).replace_extension(".channels");
    if (fs::exists(file)) {
      const auto text = read_file(file);
      std::string error;
      auto decls = text ? parse_channels(*text, &error) : std::nullopt;
      if (!decls) return file.string() + ": " + (text ? error : "cannot be read");
      c.decls = std::move(*decls);
      any = any || !c.decls.empty();
    }
    declared.push_back(std::move(c));
  }
  if (!any) return "";
  std::vector<ChannelWire> wires;
  if (std::string err = wire_channels(declared, o.xen.build == XenBuild::kRt, &wires); !err.empty())
    return err;
  for (const ChannelWire& w : wires) {
    (*guests)[w.a].evtchns.push_back({w.port_a, w.b, w.port_b});
    (*guests)[w.b].evtchns.push_back({w.port_b, w.a, w.port_a});
    if (w.shm_size != 0) {
      (*guests)[w.a].shms.push_back(
          {w.name, w.a_owns, w.host_address, w.guest_address, w.shm_size});
      (*guests)[w.b].shms.push_back(
          {w.name, !w.a_owns, w.host_address, w.guest_address, w.shm_size});
    }
    if (o.raw) std::printf("petrel: static channel %s\n", describe_wire(w, declared).c_str());
  }
  return "";
}

struct GuestState {
  std::string name;
  std::optional<ExitMarker> exit;
};

}  // namespace

std::string xen_command_line(const char* base, const XenOptions& xen) {
  std::string line = base;
  if (!xen.cmdline.empty()) line += " " + xen.cmdline;
  return line;
}

bool XenWatch::take(const std::string& xen_line) {
  const std::string before = seen_.scheduler;
  note_xen_line(xen_line, &seen_);
  if (seen_.scheduler == before) return true;
  if (xen_.build != XenBuild::kDebian || !xen_.cmdline.empty())
    std::printf("petrel: Xen %s (%s build), scheduler %s\n", seen_.version.c_str(),
                xen_build_name(xen_.build), seen_.scheduler.c_str());
  if (std::string err = scheduler_mismatch(xen_, seen_); !err.empty()) {
    std::fprintf(stderr, "petrel: %s\n", err.c_str());
    return false;
  }
  return true;
}

void print_tail(const std::deque<std::string>& tail) {
  std::fprintf(stderr, "petrel: last lines of the serial console:\n");
  for (const auto& l : tail) std::fprintf(stderr, "  | %s\n", l.c_str());
}

int run_guests(const Paths& paths, const RunOptions& o) {
  const std::string qemu = "qemu-system-aarch64";
  const auto xen_image = ensure_xen_image(paths, o.xen.build);
  if (!xen_image) return kExitSetup;
  TempDir tmp;
  if (tmp.path.empty()) {
    std::perror("petrel: mkdtemp");
    return kExitSetup;
  }

  // The board's own device tree, dumped with exactly the options of the run.
  const fs::path board_dtb = tmp.path / "board.dtb";
  auto dump = machine_args(o);
  dump[1] += ",dumpdtb=" + board_dtb.string();
  dump.insert(dump.begin(), qemu);
  if (run(dump, true) != 0 || !fs::exists(board_dtb)) {
    std::fprintf(stderr, "petrel: '%s' failed\n", join(dump).c_str());
    return kExitBootFailure;
  }

  std::vector<GuestSpec> guests;
  std::vector<GuestState> states;
  uint64_t addr = kFirstLoadAddress;
  for (const auto& image : o.images) {
    std::error_code ec;
    uint64_t size = fs::file_size(image, ec);
    if (ec || size == 0) {
      std::fprintf(stderr, "petrel: cannot read guest image %s\n", image.c_str());
      return kExitSetup;
    }
    std::string name = fs::path(image).stem().string();
    guests.push_back({name, image, addr, size, o.memory_mib, o.vpl011, o.bootargs});
    states.push_back({name, std::nullopt});
    addr += (size + 0x1fffff) & ~uint64_t{0x1fffff};
  }
  if (std::string err = wire_static_channels(o, &guests); !err.empty()) {
    std::fprintf(stderr, "petrel: static channels: %s\n", err.c_str());
    return kExitUsage;
  }
  const fs::path run_dtb = tmp.path / "run.dtb";
  if (std::string err = make_run_device_tree(board_dtb, run_dtb,
                                             xen_command_line(kXenBootargs, o.xen).c_str(), guests);
      !err.empty()) {
    std::fprintf(stderr, "petrel: %s\n", err.c_str());
    return kExitBootFailure;
  }

  std::vector<std::string> cmd = {qemu};
  for (auto& a : machine_args(o)) cmd.push_back(a);
  for (const char* a : {"-monitor", "none", "-serial", "stdio", "-no-reboot"}) cmd.push_back(a);
  cmd.push_back("-kernel");
  cmd.push_back(xen_image->string());
  cmd.push_back("-dtb");
  cmd.push_back(run_dtb.string());
  for (const auto& g : guests) {
    char loader[512];
    std::snprintf(loader, sizeof loader, "loader,file=%s,addr=0x%llx,force-raw=on", g.image.c_str(),
                  static_cast<unsigned long long>(g.load_address));
    cmd.push_back("-device");
    cmd.push_back(loader);
  }
  if (o.icount) {
    cmd.push_back("-icount");
    cmd.push_back("shift=0,sleep=off");
  }

  const auto child = spawn_reading(cmd);
  if (!child) {
    std::perror("petrel: starting QEMU");
    return kExitSetup;
  }

  const SteadyTime deadline = std::chrono::steady_clock::now() +
                              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(o.timeout_s));
  std::deque<std::string> tail;
  size_t exited = 0;
  bool xen_panic = false;
  bool wrong_xen = false;
  XenWatch watch(o.xen);
  const bool several = guests.size() > 1;

  auto handle_line = [&](std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tail.push_back(line);
    if (tail.size() > kTailLines) tail.pop_front();
    if (o.serial != nullptr) o.serial->push_back(line);
    if (o.raw) std::printf("%s\n", line.c_str());
    ConsoleLine c = classify_line(line);
    if (c.kind == ConsoleLine::Kind::kXen) {
      if (is_xen_panic(line)) xen_panic = true;
      if (!watch.take(line)) wrong_xen = true;
      return;
    }
    size_t index = static_cast<size_t>(c.domain - 1);
    if (c.domain < 1 || index >= states.size()) return;  // not one of ours
    if (auto m = parse_exit_marker(c.text)) {
      if (!states[index].exit) ++exited;
      states[index].exit = m;
      return;
    }
    if (!o.raw) {
      if (several) std::printf("[%s] ", states[index].name.c_str());
      std::fwrite(c.text.data(), 1, c.text.size(), stdout);
      std::fputc('\n', stdout);
    }
    std::fflush(stdout);
  };

  const bool timed_out = follow_output(
      *child, deadline, nullptr, [&] { return exited == states.size() || xen_panic || wrong_xen; },
      handle_line);

  if (timed_out) {
    std::fprintf(stderr, "petrel: timeout: no exit from the guest after %g s; QEMU stopped\n",
                 o.timeout_s);
    print_tail(tail);
    return kExitTimeout;
  }
  if (wrong_xen) return kExitBootFailure;
  if (xen_panic) {
    std::fprintf(stderr, "petrel: Xen panicked\n");
    print_tail(tail);
    return kExitBootFailure;
  }
  if (exited < states.size()) {
    std::fprintf(stderr, "petrel: QEMU ended before every guest exited\n");
    print_tail(tail);
    return kExitBootFailure;
  }
  int result = 0;
  for (const auto& s : states) {
    const ExitMarker& m = *s.exit;
    if (m.reason == ExitMarker::Reason::kCrash) {
      std::fprintf(stderr, "petrel: guest %s crashed (code %d)\n", s.name.c_str(), m.code);
      if (result == 0) result = m.code != 0 ? m.code : 1;
    } else if (m.code != 0) {
      std::fprintf(stderr, "petrel: guest %s exited with status %d\n", s.name.c_str(), m.code);
      if (result == 0) result = m.code;
    }
  }
  return result & 0xff ? result & 0xff : (result != 0 ? 1 : 0);
}

}  // namespace petrel::tool
