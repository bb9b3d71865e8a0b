// The run loop: QEMU's serial output is read line by line; guest lines are
// printed (without Xen's "(d1)" / "DOM1:" prefixes unless --raw), exit
// markers recorded, and QEMU is ended when every guest has exited, when Xen
// panics, or when the timeout passes.
#include "runner.h"

#include <fcntl.h>
#include <poll.h>
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
#include "passthrough.h"
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

// The devices o.passthrough names, from the board's tree, given to the
// first guest: its partial device tree written to `dir` and loaded at
// `*addr` (which moves past it). An error message, or "".
std::string give_devices(const RunOptions& o, const fs::path& board_dtb, const fs::path& dir,
                         uint64_t* addr, GuestSpec* guest) {
  if (o.passthrough.empty()) return "";
  const auto text = read_file(board_dtb);
  if (!text) return "cannot read the board's device tree";
  const std::vector<char> board(text->begin(), text->end());
  std::string error;
  const auto devices = find_passthrough_devices(board, o.passthrough, &error);
  if (!devices) return error;
  const std::vector<char> partial = make_partial_device_tree(*devices, true);
  const fs::path file = dir / "passthrough.dtb";
  if (partial.empty() || !write_file(file, std::string(partial.begin(), partial.end())))
    return "cannot write the partial device tree";
  for (const PassthroughDevice& d : *devices) {
    guest->passthrough_paths.push_back(d.path);
    if (o.raw)
      std::printf("petrel: passthrough %s (%s, registers 0x%llx, SPI %u) to %s\n", d.name.c_str(),
                  d.path.c_str(), static_cast<unsigned long long>(d.base), d.spi,
                  guest->name.c_str());
  }
  guest->partial_dtb = BootModule{*addr, partial.size()};
  *addr += 0x200000;
  return "";
}

// Reads from the monitor connection `fd` until `prompt` has come (or a
// second passed): QEMU's human monitor answers each line it takes with one.
bool await_prompt(int fd, const char* prompt) {
  std::string seen;
  for (int i = 0; i < 20 && seen.find(prompt) == std::string::npos; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[256];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    seen.append(buf, static_cast<size_t>(n));
  }
  return seen.find(prompt) != std::string::npos;
}

// Presses the board's power button through QEMU's monitor at `socket`:
// waits for the monitor's prompt, sends system_powerdown, and waits for the
// next prompt (the command taken).
bool press_power_button(const fs::path& socket) {
  const int fd = connect_unix(socket);
  if (fd < 0) return false;
  static const char kCommand[] = "system_powerdown\n";
  bool ok = await_prompt(fd, "(qemu)") &&
            write(fd, kCommand, sizeof kCommand - 1) == static_cast<ssize_t>(sizeof kCommand - 1);
  ok = ok && await_prompt(fd, "(qemu)");
  close(fd);
  return ok;
}

}  // namespace

ButtonPress::ButtonPress(std::optional<double> after_s, fs::path socket, bool on_demand)
    : socket_(std::move(socket)), on_demand_(on_demand) {
  if (after_s)
    due_ = std::chrono::steady_clock::now() +
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(
               std::chrono::duration<double>(*after_s));
}

void ButtonPress::poll() {
  if (!due_ || std::chrono::steady_clock::now() < *due_) return;
  due_.reset();
  if (press_power_button(socket_))
    std::printf("petrel: pressed the power button (QEMU's system_powerdown)\n");
  else
    std::fprintf(stderr, "petrel: could not reach QEMU's monitor to press the button\n");
}

std::string ButtonPress::monitor_arg() const {
  return due_ || on_demand_ ? "unix:" + socket_.string() + ",server=on,wait=off" : "none";
}

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "petrel: %s\n(see 'petrel help')\n", msg.c_str());
  return kExitUsage;
}

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
  if (std::string err = give_devices(o, board_dtb, tmp.path, &addr, &guests[0]); !err.empty()) {
    std::fprintf(stderr, "petrel: passthrough: %s\n", err.c_str());
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
  ButtonPress button(o.press_button_after_s, tmp.path / "monitor");
  cmd.push_back("-monitor");
  cmd.push_back(button.monitor_arg());
  for (const char* a : {"-serial", "stdio", "-no-reboot"}) cmd.push_back(a);
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
    if (g.partial_dtb.size != 0) {
      std::snprintf(loader, sizeof loader, "loader,file=%s,addr=0x%llx,force-raw=on",
                    (tmp.path / "passthrough.dtb").c_str(),
                    static_cast<unsigned long long>(g.partial_dtb.address));
      cmd.push_back("-device");
      cmd.push_back(loader);
    }
  }
  if (o.icount) {
    cmd.push_back("-icount");
    cmd.push_back("shift=0,sleep=off");
  }
  cmd.insert(cmd.end(), o.qemu_args.begin(), o.qemu_args.end());

  const auto child = spawn_reading(cmd, o.qemu_own_process_group);
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
  bool stopped = false;

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
    if (!o.raw && (o.quiet_prefix.empty() || !c.text.starts_with(o.quiet_prefix))) {
      if (several) std::printf("[%s] ", states[index].name.c_str());
      std::fwrite(c.text.data(), 1, c.text.size(), stdout);
      std::fputc('\n', stdout);
    }
    std::fflush(stdout);
  };

  const bool timed_out = follow_output(
      *child, deadline, nullptr,
      [&] {
        button.poll();
        stopped = stopped || (o.stop_early && o.stop_early());
        return stopped || exited == states.size() || xen_panic || wrong_xen;
      },
      handle_line);
  // Asked once more when QEMU ended early: the debugger may have ended it.
  if (!timed_out && exited < states.size() && (stopped || (o.stop_early && o.stop_early())))
    return kExitStopped;

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
