// Which Xen a run boots and how: Debian's prebuilt hypervisor or the one
// built for real time (xen_rt.h), Xen's extra command line, the emulated
// pCPUs; and the checks that turn a combination that cannot work into a
// clear error before QEMU starts. Pure code, unit-tested on the host.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::tool {

// kDebian: Debian's xen-hypervisor-4.17-arm64 (credit and credit2 only).
// kRt: Xen 4.17 built from Debian's source package with the real-time
// schedulers (null, RTDS, ARINC653), static memory and static shared memory.
enum class XenBuild { kDebian, kRt };

std::optional<XenBuild> parse_xen_build(std::string_view name);  // "debian", "rt"
const char* xen_build_name(XenBuild build);

struct XenOptions {
  XenBuild build = XenBuild::kDebian;
  std::string cmdline;  // appended to Xen's command line ("sched=null vwfi=native")
  unsigned cpus = 0;    // emulated pCPUs; 0: the run's default (1 dom0less, 2 with dom0)
};

inline constexpr unsigned kMaxCpus = 8;  // QEMU virt's limit with a GICv2

// The scheduler Xen's command line asks for (its last sched= word, as Xen
// reads it), or nothing for Xen's default (credit2).
std::optional<std::string> requested_scheduler(std::string_view cmdline);

// The schedulers each build has (Xen's sched= names).
bool build_has_scheduler(XenBuild build, std::string_view scheduler);

// Why `o` cannot work for a run of `domains` domains (dom0 counted) on
// `cpus` pCPUs, under icount or not; empty if it can.
std::string check_xen_options(const XenOptions& o, unsigned cpus, bool icount, unsigned domains);

// The scheduler Xen names in its boot banner ("Using scheduler: null
// Scheduler (null)" gives "null"), or nothing for any other line.
std::optional<std::string> banner_scheduler(std::string_view xen_line);

// What Xen's own boot lines said that a run checks: its version and the
// scheduler it took.
struct XenSeen {
  std::string version;    // "4.17.5-rt"
  std::string scheduler;  // "null"
};

// Notes what one of Xen's serial lines says (the version, the scheduler).
void note_xen_line(std::string_view line, XenSeen* seen);

// Once Xen named its scheduler: why that is not the one `o` asked for (Xen
// falls back to its default on a sched= it does not know), or empty.
std::string scheduler_mismatch(const XenOptions& o, const XenSeen& seen);

// --- building the real-time Xen (xen_rt.cc) ----------------------------------

// apt sources that fetch source packages from the archives `text` names:
// deb822 stanzas (*.sources) with Types: deb-src, and one-line entries
// (*.list) with deb-src. What was already deb-src stays; comments stay.
std::string deb822_as_source(std::string_view text);
std::string one_line_as_source(std::string_view text);

// The versions of source package `package` in `apt-cache showsrc` output
// whose upstream version starts with `upstream_prefix`, in apt's order.
std::vector<std::string> source_versions(std::string_view showsrc, std::string_view package,
                                         std::string_view upstream_prefix);

// The Kconfig lines the real-time Xen adds to defconfig, and which of its
// options a finished .config lacks (empty when every one survived
// olddefconfig).
const std::vector<std::string>& rt_config_lines();
std::vector<std::string> missing_rt_options(std::string_view config);

}  // namespace petrel::tool
