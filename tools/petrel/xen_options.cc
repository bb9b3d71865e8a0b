#include "xen_options.h"

#include <algorithm>
#include <array>

#include "text.h"

namespace petrel::tool {
namespace {

constexpr std::array<std::string_view, 2> kDebianSchedulers = {"credit", "credit2"};
constexpr std::array<std::string_view, 5> kRtSchedulers = {"credit", "credit2", "null", "rtds",
                                                           "arinc653"};

}  // namespace

std::optional<XenBuild> parse_xen_build(std::string_view name) {
  if (name == "debian") return XenBuild::kDebian;
  if (name == "rt") return XenBuild::kRt;
  return std::nullopt;
}

const char* xen_build_name(XenBuild build) {
  return build == XenBuild::kRt ? "rt" : "debian";
}

std::optional<std::string> requested_scheduler(std::string_view cmdline) {
  std::optional<std::string> sched;
  while (!cmdline.empty()) {
    const size_t space = cmdline.find(' ');
    const std::string_view word = cmdline.substr(0, space);
    if (word.starts_with("sched=")) sched = std::string(word.substr(6));
    if (space == std::string_view::npos) break;
    cmdline.remove_prefix(space + 1);
  }
  return sched;
}

bool build_has_scheduler(XenBuild build, std::string_view scheduler) {
  if (build == XenBuild::kRt)
    return std::find(kRtSchedulers.begin(), kRtSchedulers.end(), scheduler) != kRtSchedulers.end();
  return std::find(kDebianSchedulers.begin(), kDebianSchedulers.end(), scheduler) !=
         kDebianSchedulers.end();
}

std::string check_xen_options(const XenOptions& o, unsigned cpus, bool icount, unsigned domains) {
  if (cpus < 1 || cpus > kMaxCpus) return "--cpus takes 1 to " + std::to_string(kMaxCpus);
  if (icount && cpus > 1)
    return "--icount needs one CPU: under icount, Xen stalls while it brings up a second CPU "
           "(the idle CPU never takes the cross-call's interrupt; docs/realtime.md)";
  const auto sched = requested_scheduler(o.cmdline);
  if (!sched) return "";
  if (!build_has_scheduler(o.build, *sched)) {
    if (o.build == XenBuild::kDebian && build_has_scheduler(XenBuild::kRt, *sched))
      return "Debian's prebuilt Xen has only the credit and credit2 schedulers: sched=" + *sched +
             " needs --xen rt";
    return "Xen has no scheduler '" + *sched + "' (" + xen_build_name(o.build) + " build: " +
           (o.build == XenBuild::kRt ? "credit, credit2, null, rtds, arinc653"
                                     : "credit, credit2") +
           ")";
  }
  if (*sched == "arinc653")
    return "sched=arinc653 cannot run a Petrel guest here: Xen 4.17's ARINC 653 scheduler runs "
           "only the vCPUs its schedule names, its default schedule names dom0's alone, and "
           "only a toolstack call from dom0 (XEN_SYSCTL_SCHEDOP_putinfo) sets another, which "
           "neither dom0less boots nor xl offer (docs/realtime.md)";
  if (*sched == "null" && domains > cpus)
    return "the null scheduler gives every vCPU a pCPU of its own: " + std::to_string(domains) +
           " domains need --cpus " + std::to_string(domains) +
           " or more (a vCPU without a pCPU never runs)";
  return "";
}

std::optional<std::string> banner_scheduler(std::string_view line) {
  const size_t at = line.find("Using scheduler: ");
  if (at == std::string_view::npos) return std::nullopt;
  line = trim(line.substr(at));
  // "... (name)": the name Xen's sched= takes.
  const size_t open = line.rfind('(');
  if (open == std::string_view::npos || line.back() != ')') return std::nullopt;
  const std::string_view name = line.substr(open + 1, line.size() - open - 2);
  if (name.empty()) return std::nullopt;
  return std::string(name);
}

void note_xen_line(std::string_view line, XenSeen* seen) {
  if (auto s = banner_scheduler(line)) {
    seen->scheduler = *s;
    return;
  }
  constexpr std::string_view kVersion = "Xen version ";
  if (const size_t at = line.find(kVersion);
      at != std::string_view::npos && seen->version.empty()) {
    const std::string_view rest = line.substr(at + kVersion.size());
    seen->version = std::string(rest.substr(0, rest.find(' ')));
  }
}

std::string scheduler_mismatch(const XenOptions& o, const XenSeen& seen) {
  const auto asked = requested_scheduler(o.cmdline);
  if (!asked || seen.scheduler.empty() || *asked == seen.scheduler) return "";
  return "Xen runs the " + seen.scheduler + " scheduler, not sched=" + *asked + " (" +
         std::string(xen_build_name(o.build)) +
         " build; Xen falls back to its default on a "
         "scheduler it was not built with)";
}

std::string deb822_as_source(std::string_view text) {
  std::string out;
  for_each_line(text, [&](std::string_view line) {
    if (line.starts_with("Types:"))
      out += "Types: deb-src";
    else
      out += line;
    out += '\n';
  });
  return out;
}

std::string one_line_as_source(std::string_view text) {
  std::string out;
  for_each_line(text, [&](std::string_view line) {
    const std::string_view t = trim(line);
    if (t.starts_with("deb ") || t.starts_with("deb\t")) {
      out += "deb-src";
      out += t.substr(3);
    } else {
      out += line;
    }
    out += '\n';
  });
  return out;
}

std::vector<std::string> source_versions(std::string_view showsrc, std::string_view package,
                                         std::string_view upstream_prefix) {
  std::vector<std::string> versions;
  bool ours = false;
  for_each_line(showsrc, [&](std::string_view line) {
    if (line.starts_with("Package:")) {
      ours = trim(line.substr(8)) == package;
    } else if (ours && line.starts_with("Version:")) {
      const std::string version(trim(line.substr(8)));
      std::string_view upstream = version;
      if (const size_t colon = upstream.find(':'); colon != std::string_view::npos)
        upstream.remove_prefix(colon + 1);  // the epoch
      if (upstream.starts_with(upstream_prefix) &&
          std::find(versions.begin(), versions.end(), version) == versions.end())
        versions.push_back(version);
    }
  });
  return versions;
}

const std::vector<std::string>& rt_config_lines() {
  static const std::vector<std::string> lines = {
      "CONFIG_EXPERT=y",        "CONFIG_UNSUPPORTED=y",    "CONFIG_SCHED_NULL=y",
      "CONFIG_SCHED_RTDS=y",    "CONFIG_SCHED_ARINC653=y", "CONFIG_BOOT_TIME_CPUPOOLS=y",
      "CONFIG_STATIC_MEMORY=y", "CONFIG_STATIC_SHM=y",     "# CONFIG_DEBUG is not set"};
  return lines;
}

std::vector<std::string> missing_rt_options(std::string_view config) {
  std::vector<std::string> have;
  for_each_line(config, [&](std::string_view line) { have.emplace_back(trim(line)); });
  auto has = [&](std::string_view l) {
    return std::find(have.begin(), have.end(), l) != have.end();
  };
  std::vector<std::string> missing;
  for (const auto& want : rt_config_lines()) {
    if (want.starts_with("# ")) {
      // "# CONFIG_X is not set": missing when CONFIG_X=y is there.
      const std::string name = want.substr(2, want.find(' ', 2) - 2);
      if (has(name + "=y")) missing.push_back(want);
    } else if (!has(want)) {
      missing.push_back(want);
    }
  }
  return missing;
}

}  // namespace petrel::tool
