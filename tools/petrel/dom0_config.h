// What `petrel run --dom0` puts into dom0 for each run: the guest's xl
// configuration (its kernel= pointing at the image inside dom0) and dom0's
// /init, a busybox sh script that starts Xen's daemons, creates the guest
// with `xl create`, runs the user's dom0 script and streams the guest's
// console to the serial line. Pure text generation, unit tested.
//
// Serial console lines that dom0 produces (see docs/running.md):
//   "[dom0] text"                  /init's messages and the dom0 script's output
//   "[dom0] @petrel-dom0 EVENT k=v"  events for the host tool (hidden unless --raw)
//   "[dN] text"                    a line of domain N's console (xenconsoled's log)
// Linux's own messages ("[    1.234567] ...") and Xen's ("(XEN) ...") as usual.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace petrel::tool {

// The Xen tools' directory in dom0 (Debian's xen-utils-4.17).
inline constexpr const char* kDom0XenBin = "/usr/lib/xen-4.17/bin";

// Linux modules dom0 needs, in insmod order (the rest is built into Debian's
// kernel), and where the initramfs keeps them: /lib/modules/xen/NAME.ko.
struct Dom0Module {
  const char* name;    // "xenfs"
  const char* source;  // below lib/modules/KVER/kernel/ in the kernel package
};
inline constexpr std::array<Dom0Module, 5> kDom0Modules = {{
    {"xen-privcmd", "drivers/xen/xen-privcmd.ko"},
    {"xenfs", "drivers/xen/xenfs/xenfs.ko"},  // needs xen-privcmd
    {"xen-evtchn", "drivers/xen/xen-evtchn.ko"},
    {"xen-gntdev", "drivers/xen/xen-gntdev.ko"},
    {"xen-gntalloc", "drivers/xen/xen-gntalloc.ko"},
}};
inline constexpr const char* kDom0ModuleDir = "/lib/modules/xen";

// The event marker dom0's /init prints (after "[dom0] ").
inline constexpr std::string_view kDom0EventMarker = "@petrel-dom0";

struct XlConfigRequest {
  std::string default_name;  // the domain's name when the app's cfg has none (or there is none)
  std::string kernel;        // the image's path inside dom0
  unsigned memory_mib = 64;  // used when the app's cfg has no memory=, or with override_memory
  bool override_memory = false;
  std::string bootargs;  // if not empty: extra = "..." (the guest's /chosen/bootargs)
};

struct XlConfig {
  std::string text;
  std::string name;  // the domain's name, as xl will know it
};

// The xl configuration dom0 uses: the app's own (`original`, the text of
// apps/NAME.cfg, or "" if it has none) with kernel= replaced, memory= and
// extra= set as requested, and name, memory, vcpus and disk added if
// missing.
XlConfig dom0_xl_config(std::string_view original, const XlConfigRequest& request);

// The value of `key = value` in an xl configuration (quotes removed), or "".
std::string xl_config_value(std::string_view config, std::string_view key);

struct Dom0InitRequest {
  std::string name;     // the domain's name
  std::string cfg;      // its xl configuration inside dom0
  bool script = false;  // /petrel/script is there: run it after `xl create`
};

// Where the per-run files go inside dom0.
inline constexpr const char* kDom0RunDir = "/petrel";
inline constexpr const char* kDom0Script = "/petrel/script";
// Shell helpers (wait for a log line, a xenstore key) put next to every dom0
// script: tools/dom0/petrel-dom0.sh in the tree.
inline constexpr const char* kDom0ScriptHelpers = "petrel-dom0.sh";

// dom0's /init (busybox sh).
std::string dom0_init_script(const Dom0InitRequest& request);

// `s` quoted for sh: 'it'\''s'.
std::string shell_quote(std::string_view s);

}  // namespace petrel::tool
