// `petrel run`: the guests' images, their static channels and devices go
// into the board's device tree as Xen's dom0less domains; on the console,
// guest lines are printed (without Xen's "(d1)" / "DOM1:" prefixes unless
// --raw) and their exit markers recorded, and the run is over when every
// guest has printed its marker.
#include "runner.h"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <utility>

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
}  // namespace

const char* const kXenBootargs =
    "console=dtuart dtuart=/pl011@9000000 conswitch=ax noreboot bootscrub=0 timer_slop=0 "
    "loglvl=all "
    "guest_loglvl=all";

namespace {

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

}  // namespace

std::string xen_command_line(const char* base, const XenOptions& xen) {
  std::string line = base;
  if (!xen.cmdline.empty()) line += " " + xen.cmdline;
  return line;
}

int run_guests(const Paths& paths, const RunOptions& o) {
  const auto xen_image = ensure_xen_image(paths, o.xen.build);
  if (!xen_image) return kExitSetup;
  TempDir tmp;
  if (tmp.path.empty()) {
    std::perror("petrel: mkdtemp");
    return kExitSetup;
  }
  const Board board{o.gic, o.xen.cpus != 0 ? o.xen.cpus : kDefaultCpus};
  const fs::path board_dtb = tmp.path / "board.dtb";
  if (!dump_board_dtb(board, board_dtb)) return kExitBootFailure;

  std::vector<GuestSpec> guests;
  // Each guest's name and, once it has printed one, its exit marker.
  std::vector<std::pair<std::string, std::optional<ExitMarker>>> exits;
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
    exits.emplace_back(name, std::nullopt);
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

  ConsoleSession session(o, tmp.path);
  QemuRun qemu{board, *xen_image, run_dtb, {}, session.monitor_arg(), o.icount, o.qemu_args};
  for (const auto& g : guests) {
    qemu.files.push_back({g.image, g.load_address});
    if (g.partial_dtb.size != 0)
      qemu.files.push_back({tmp.path / "passthrough.dtb", g.partial_dtb.address});
  }

  size_t exited = 0;
  const bool several = guests.size() > 1;
  session.run(
      qemu_command(qemu),
      [&](const std::string& line) {
        const ConsoleLine c = classify_line(line);
        if (c.kind == ConsoleLine::Kind::kXen) {
          session.xen_line(line);
          return;
        }
        const auto index = static_cast<size_t>(c.domain - 1);
        if (c.domain < 1 || index >= exits.size()) return;  // not one of ours
        if (auto m = parse_exit_marker(c.text)) {
          if (!exits[index].second) ++exited;
          exits[index].second = m;
          return;
        }
        if (!o.raw && (o.quiet_prefix.empty() || !c.text.starts_with(o.quiet_prefix))) {
          if (several) std::printf("[%s] ", exits[index].first.c_str());
          std::fwrite(c.text.data(), 1, c.text.size(), stdout);
          std::fputc('\n', stdout);
        }
      },
      [&] { return exited == exits.size(); });
  return session.status(guests_verdict(exits), {"no exit from the guest", "every guest exited"});
}
}  // namespace petrel::tool
