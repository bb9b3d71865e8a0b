// `petrel run --dom0`: boots Xen with a Linux dom0 in QEMU. dom0's
// initramfs is the cached one (dom0_image.cc) with a small archive of this
// run appended (Linux unpacks concatenated cpio archives in order): /init,
// the guest's image, its xl configuration and the dom0 script. The serial
// console is read line by line (console_parse.h: classify_dom0_line); the
// run ends when dom0 has powered off after the guest's domain went away,
// when something failed, or at the timeout.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iterator>

#include "console_parse.h"
#include "cpio.h"
#include "devicetree.h"
#include "dom0_config.h"
#include "files.h"
#include "passthrough.h"
#include "process.h"
#include "runner.h"
#include "xen_rt.h"

namespace fs = std::filesystem;

namespace petrel::tool {

const char* const kXenDom0Bootargs =
    "console=dtuart dtuart=/pl011@9000000 dom0_mem=512M dom0_max_vcpus=1 noreboot bootscrub=0 "
    "timer_slop=0 loglvl=all guest_loglvl=all";
const char* const kDom0Bootargs = "console=hvc0 earlycon=xen rdinit=/init panic=-1";

namespace {

constexpr uint64_t kKernelAddress = 0x4c000000;  // dom0's kernel, then its initramfs
constexpr uint64_t kModuleAlign = 0x200000;
// After dom0's last event (or its kernel's panic), QEMU should exit by
// itself; it is ended after this long.
constexpr double kGraceSeconds = 5;

}  // namespace

Dom0RunOptions dom0_run_of(const std::string& image) {
  Dom0RunOptions d;
  d.image = image;
  d.xl_config = read_file(fs::path(image).replace_extension(".cfg")).value_or("");
  return d;
}

int run_dom0(const Paths& paths, const Dom0Image& dom0, const Dom0RunOptions& o) {
  TempDir tmp;
  if (tmp.path.empty()) {
    std::perror("petrel: mkdtemp");
    return kExitSetup;
  }

  // What this run adds to dom0: /init, /petrel/NAME.bin, NAME.cfg, script.
  const auto image = read_file(o.image);
  if (!image || image->empty()) {
    std::fprintf(stderr, "petrel: cannot read guest image %s\n", o.image.c_str());
    return kExitSetup;
  }
  std::optional<std::string> script;
  std::optional<std::string> script_helpers;  // tools/dom0/petrel-dom0.sh
  if (!o.script.empty()) {
    script = read_file(o.script);
    if (!script) {
      std::fprintf(stderr, "petrel: cannot read the dom0 script %s\n", o.script.c_str());
      return kExitSetup;
    }
    const fs::path helpers = paths.root / "tools" / "dom0" / kDom0ScriptHelpers;
    script_helpers = read_file(helpers.string());
    if (!script_helpers) {
      std::fprintf(stderr, "petrel: cannot read %s\n", helpers.c_str());
      return kExitSetup;
    }
  }
  const auto xen_image = ensure_xen_image(paths, o.xen.build);
  if (!xen_image) return kExitSetup;
  const Board board{o.gic, o.xen.cpus != 0 ? o.xen.cpus : kDefaultDom0Cpus};
  const fs::path board_dtb = tmp.path / "board.dtb";
  if (!dump_board_dtb(board, board_dtb)) return kExitBootFailure;

  const std::string stem = fs::path(o.image).stem().string();
  const std::string run_dir = kDom0RunDir;
  // Devices for the guest (passthrough.h): kept from dom0 (xen,passthrough),
  // given by xl's iomem= and irqs=, described by a partial device tree.
  std::vector<PassthroughDevice> devices;
  std::vector<std::string> device_paths;
  if (!o.passthrough.empty()) {
    const auto board = read_file(board_dtb);
    std::string error;
    auto found = board ? find_passthrough_devices(std::vector<char>(board->begin(), board->end()),
                                                  o.passthrough, &error)
                       : std::nullopt;
    if (!found) {
      std::fprintf(stderr, "petrel: passthrough: %s\n",
                   board ? error.c_str() : "cannot read the board's device tree");
      return kExitUsage;
    }
    devices = *found;
    for (const PassthroughDevice& d : devices) device_paths.push_back(d.path);
  }
  XlConfigRequest request;
  request.default_name = stem;
  request.kernel = run_dir + "/" + stem + ".bin";
  if (o.memory_mib) {
    request.memory_mib = *o.memory_mib;
    request.override_memory = true;
  }
  request.bootargs = o.bootargs;
  XlConfig config = dom0_xl_config(o.xl_config, request);
  const std::string partial_dtb = run_dir + "/" + stem + "-passthrough.dtb";
  if (!devices.empty()) config.text += xl_passthrough_lines(devices, partial_dtb);
  if (config.name.empty()) {
    std::fprintf(stderr, "petrel: the guest's xl configuration gives it no name\n");
    return kExitSetup;
  }
  Dom0InitRequest init;
  init.name = config.name;
  init.cfg = run_dir + "/" + stem + ".cfg";
  init.script = script.has_value();
  CpioWriter run_archive;
  run_archive.add_file("init", dom0_init_script(init), 0755);
  run_archive.add_directory(run_dir);
  run_archive.add_file(request.kernel, *image);
  run_archive.add_file(init.cfg, config.text);
  if (!devices.empty()) {
    const std::vector<char> partial = make_partial_device_tree(devices, false);
    run_archive.add_file(partial_dtb, std::string(partial.begin(), partial.end()));
  }
  if (script) {
    run_archive.add_file(kDom0Script, *script, 0755);
    run_archive.add_file(run_dir + "/" + kDom0ScriptHelpers, *script_helpers, 0644);
  }
  for (const std::string& f : o.files) {
    const auto content = read_file(f);
    if (!content) {
      std::fprintf(stderr, "petrel: cannot read the dom0 file %s\n", f.c_str());
      return kExitSetup;
    }
    run_archive.add_file(run_dir + "/" + fs::path(f).filename().string(), *content, 0755);
  }

  auto initramfs = read_file(dom0.initramfs.string());
  if (!initramfs) {
    std::fprintf(stderr, "petrel: cannot read %s\n", dom0.initramfs.c_str());
    return kExitSetup;
  }
  initramfs->resize(cpio_align(initramfs->size()), '\0');
  *initramfs += run_archive.finish();
  const fs::path initramfs_path = tmp.path / "initramfs";
  if (!write_file(initramfs_path, *initramfs)) {
    std::fprintf(stderr, "petrel: cannot write %s\n", initramfs_path.c_str());
    return kExitSetup;
  }
  std::error_code ec;
  const uint64_t kernel_size = fs::file_size(dom0.kernel, ec);
  if (ec || kernel_size == 0) {
    std::fprintf(stderr, "petrel: cannot read dom0's kernel %s\n", dom0.kernel.c_str());
    return kExitSetup;
  }
  const BootModule kernel{kKernelAddress, kernel_size};
  const BootModule ramdisk{(kKernelAddress + kernel_size + kModuleAlign - 1) & ~(kModuleAlign - 1),
                           initramfs->size()};

  const fs::path run_dtb = tmp.path / "run.dtb";
  if (std::string err = make_dom0_device_tree(board_dtb, run_dtb,
                                              xen_command_line(kXenDom0Bootargs, o.xen).c_str(),
                                              kDom0Bootargs, kernel, ramdisk, device_paths);
      !err.empty()) {
    std::fprintf(stderr, "petrel: %s\n", err.c_str());
    return kExitBootFailure;
  }

  ConsoleSession session(o, tmp.path, !o.press_button_on.empty());
  const QemuRun qemu{board,
                     *xen_image,
                     run_dtb,
                     {{dom0.kernel, kernel.address}, {initramfs_path, ramdisk.address}},
                     session.monitor_arg(),
                     false,
                     o.qemu_args};
  Dom0Report report;
  report.guest = config.name;
  session.run(
      qemu_command(qemu),
      [&](const std::string& line) {
        const Dom0ConsoleLine c = classify_dom0_line(line);
        switch (c.kind) {
          case Dom0ConsoleLine::Kind::kXen:
            session.xen_line(line);
            return;
          case Dom0ConsoleLine::Kind::kDom0Kernel:
          case Dom0ConsoleLine::Kind::kOther:
            if (is_linux_panic(line) && report.linux_panic.empty()) {
              report.linux_panic = line;
              session.end_within(kGraceSeconds);
            }
            return;
          case Dom0ConsoleLine::Kind::kDom0:
            if (auto e = parse_dom0_event(c.text)) {
              report.take(*e);
              if (report.poweroff) session.end_within(kGraceSeconds);
              return;
            }
            if (!o.press_button_on.empty() && c.text == o.press_button_on)
              session.press_button_now();
            if (!o.raw)
              std::printf("[dom0] %.*s\n", static_cast<int>(c.text.size()), c.text.data());
            return;
          case Dom0ConsoleLine::Kind::kGuest:
            if (auto m = parse_exit_marker(c.text)) {
              report.marker = m;
              return;
            }
            if (!o.raw && (o.quiet_prefix.empty() || !c.text.starts_with(o.quiet_prefix)))
              std::printf("%.*s\n", static_cast<int>(c.text.size()), c.text.data());
            return;
        }
      },
      [] { return false; });  // dom0 powers off once the domain is gone: QEMU ends
  return session.status(dom0_verdict(report), {report.domid ? "the guest's domain was still there"
                                                            : "dom0 had not created the guest",
                                               "the guest's domain was gone"});
}

}  // namespace petrel::tool
