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
constexpr size_t kTailLines = 25;
// After dom0's last event (or its kernel's panic), QEMU should exit by
// itself; it is ended after this long.
constexpr double kGraceSeconds = 5;

std::vector<std::string> machine_args(int gic, unsigned cpus) {
  return {"-machine", "virt,virtualization=on,gic-version=" + std::to_string(gic),
          "-cpu",     "cortex-a57",
          "-smp",     std::to_string(cpus),
          "-m",       "1024",
          "-display", "none",
          "-nic",     "none"};
}

std::string loader(const fs::path& file, uint64_t address) {
  char buf[64];
  std::snprintf(buf, sizeof buf, ",addr=0x%llx,force-raw=on",
                static_cast<unsigned long long>(address));
  return "loader,file=" + file.string() + buf;
}

// What dom0 reported, from its events.
struct Dom0State {
  bool ready = false;
  std::optional<int> domid;
  std::optional<int> create_failed;   // xl's exit status
  std::optional<std::string> failed;  // the step that failed
  std::optional<int> script_status;
  std::optional<std::string> gone;  // the reason the domain went away
  bool poweroff = false;
  std::optional<ExitMarker> marker;  // the guest's exit marker
};

int number(const std::map<std::string, std::string>& fields, const char* key) {
  const auto it = fields.find(key);
  if (it == fields.end()) return -1;
  try {
    return std::stoi(it->second);
  } catch (...) {
    return -1;
  }
}

void apply_event(const Dom0Event& e, Dom0State* s) {
  const auto field = [&e](const char* key) {
    const auto it = e.fields.find(key);
    return it == e.fields.end() ? std::string("unknown") : it->second;
  };
  if (e.name == "ready") {
    s->ready = true;
  } else if (e.name == "created") {
    s->domid = number(e.fields, "domid");
  } else if (e.name == "create-failed") {
    s->create_failed = number(e.fields, "status");
  } else if (e.name == "failed") {
    s->failed = field("step");
  } else if (e.name == "script-exit") {
    s->script_status = number(e.fields, "status");
  } else if (e.name == "domain-gone") {
    s->gone = field("reason");
  } else if (e.name == "poweroff") {
    s->poweroff = true;
  }
}

// The run's exit status once the guest's domain is gone.
int status_after_domain_gone(const Dom0State& s) {
  const int domid = s.domid.value_or(-1);
  int result = 0;
  if (s.marker) {
    if (s.marker->reason == ExitMarker::Reason::kCrash) {
      std::fprintf(stderr, "petrel: the guest crashed (code %d)\n", s.marker->code);
      result = s.marker->code != 0 ? s.marker->code : 1;
    } else if (s.marker->code != 0) {
      std::fprintf(stderr, "petrel: the guest exited with status %d\n", s.marker->code);
      result = s.marker->code;
    }
  } else if (*s.gone == "poweroff") {
    std::fprintf(stderr,
                 "petrel: no exit marker on the guest's console; domain %d shut down with reason "
                 "poweroff (status 0)\n",
                 domid);
  } else if (*s.gone == "destroyed") {
    std::fprintf(stderr,
                 "petrel: no exit marker on the guest's console; domain %d was destroyed from "
                 "dom0 (status 0)\n",
                 domid);
  } else {
    std::fprintf(stderr,
                 "petrel: no exit marker on the guest's console; domain %d went away with reason "
                 "%s (status 1)\n",
                 domid, s.gone->c_str());
    result = 1;
  }
  if (result == 0 && s.script_status.value_or(0) != 0) {
    std::fprintf(stderr, "petrel: the dom0 script failed (exit status %d)\n", *s.script_status);
    result = 1;
  }
  return result & 0xff ? result & 0xff : (result != 0 ? 1 : 0);
}

}  // namespace

int run_dom0(const Paths& paths, const Dom0Image& dom0, const Dom0RunOptions& o) {
  const std::string qemu = "qemu-system-aarch64";
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
  const unsigned cpus = o.xen.cpus != 0 ? o.xen.cpus : kDefaultDom0Cpus;

  // The board's device tree, dumped with exactly the options of the run.
  const fs::path board_dtb = tmp.path / "board.dtb";
  auto dump = machine_args(o.gic, cpus);
  dump[1] += ",dumpdtb=" + board_dtb.string();
  dump.insert(dump.begin(), qemu);
  if (run(dump, true) != 0 || !fs::exists(board_dtb)) {
    std::fprintf(stderr, "petrel: '%s' failed\n", join(dump).c_str());
    return kExitBootFailure;
  }

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

  std::vector<std::string> cmd = {qemu};
  for (auto& a : machine_args(o.gic, cpus)) cmd.push_back(a);
  ButtonPress button(o.press_button_after_s, tmp.path / "monitor", !o.press_button_on.empty());
  cmd.push_back("-monitor");
  cmd.push_back(button.monitor_arg());
  for (const char* a : {"-serial", "stdio", "-no-reboot"}) cmd.push_back(a);
  for (const std::string& a :
       {std::string("-kernel"), xen_image->string(), std::string("-dtb"), run_dtb.string(),
        std::string("-device"), loader(dom0.kernel, kernel.address), std::string("-device"),
        loader(initramfs_path, ramdisk.address)})
    cmd.push_back(a);

  const auto child = spawn_reading(cmd);
  if (!child) {
    std::perror("petrel: starting QEMU");
    return kExitSetup;
  }

  using Clock = std::chrono::steady_clock;
  const auto after = [](double seconds) {
    return Clock::now() +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };
  const Clock::time_point deadline = after(o.timeout_s);
  std::optional<Clock::time_point> end_by;  // QEMU should have exited by then
  std::deque<std::string> tail;
  Dom0State state;
  bool xen_panic = false;
  bool wrong_xen = false;
  XenWatch watch(o.xen);
  std::string linux_panic;  // the line with which dom0's Linux panicked

  auto handle_line = [&](std::string line) {
    // dom0's lines pass Linux's tty and Xen's serial driver: "\r\r\n".
    while (!line.empty() && line.back() == '\r') line.pop_back();
    tail.push_back(line);
    if (tail.size() > kTailLines) tail.pop_front();
    if (o.serial != nullptr) o.serial->push_back(line);
    if (o.raw) std::printf("%s\n", line.c_str());
    const Dom0ConsoleLine c = classify_dom0_line(line);
    switch (c.kind) {
      case Dom0ConsoleLine::Kind::kXen:
        if (is_xen_panic(line)) xen_panic = true;
        if (!watch.take(line)) wrong_xen = true;
        return;
      case Dom0ConsoleLine::Kind::kDom0Kernel:
      case Dom0ConsoleLine::Kind::kOther:
        if (is_linux_panic(line) && linux_panic.empty()) {
          linux_panic = line;
          end_by = after(kGraceSeconds);
        }
        return;
      case Dom0ConsoleLine::Kind::kDom0:
        if (auto e = parse_dom0_event(c.text)) {
          apply_event(*e, &state);
          if (state.poweroff && !end_by) end_by = after(kGraceSeconds);
          return;
        }
        if (!o.press_button_on.empty() && c.text == o.press_button_on) button.press_now();
        if (!o.raw) std::printf("[dom0] %.*s\n", static_cast<int>(c.text.size()), c.text.data());
        return;
      case Dom0ConsoleLine::Kind::kGuest:
        if (auto m = parse_exit_marker(c.text)) {
          state.marker = m;
          return;
        }
        if (!o.raw) std::printf("%.*s\n", static_cast<int>(c.text.size()), c.text.data());
        return;
    }
  };

  const bool timed_out = follow_output(
      *child, deadline, &end_by,
      [&] {
        button.poll();
        return xen_panic || wrong_xen;
      },
      handle_line);

  if (wrong_xen) return kExitBootFailure;
  if (xen_panic) {
    std::fprintf(stderr, "petrel: Xen panicked\n");
    print_tail(tail);
    return kExitBootFailure;
  }
  if (state.failed) {
    std::fprintf(stderr, "petrel: dom0 could not start Xen's tools (%s failed)\n",
                 state.failed->c_str());
    print_tail(tail);
    return kExitBootFailure;
  }
  if (state.create_failed) {
    std::fprintf(stderr, "petrel: xl create failed in dom0 (exit status %d)\n",
                 *state.create_failed);
    return kExitBootFailure;
  }
  if (state.gone) return status_after_domain_gone(state);
  if (!linux_panic.empty()) {
    std::fprintf(stderr, "petrel: dom0's Linux kernel panicked:\n  %s\n", linux_panic.c_str());
    print_tail(tail);
    return kExitBootFailure;
  }
  if (timed_out) {
    std::fprintf(
        stderr, "petrel: timeout: %s after %g s; QEMU stopped\n",
        state.domid ? "the guest's domain was still there" : "dom0 had not created the guest",
        o.timeout_s);
    print_tail(tail);
    return kExitTimeout;
  }
  std::fprintf(stderr, "petrel: QEMU ended before the guest's domain was gone\n");
  print_tail(tail);
  return kExitBootFailure;
}

}  // namespace petrel::tool
