#include "exit_status.h"

#include <cstdio>
#include <string>

namespace petrel::tool {
namespace {

int field_number(const Dom0Event& e, const char* key) {
  const auto it = e.fields.find(key);
  if (it == e.fields.end()) return -1;
  try {
    return std::stoi(it->second);
  } catch (...) {
    return -1;
  }
}

std::string field_text(const Dom0Event& e, const char* key) {
  const auto it = e.fields.find(key);
  return it == e.fields.end() ? std::string("unknown") : it->second;
}

}  // namespace

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "petrel: %s\n(see 'petrel help')\n", msg.c_str());
  return kExitUsage;
}

int fold_status(int code) {
  if (code == 0) return 0;
  const int low = code & 0xff;
  return low != 0 ? low : 1;
}

Verdict guest_verdict(const std::string& name, const ExitMarker& marker) {
  Verdict v;
  if (marker.reason == ExitMarker::Reason::kCrash) {
    v.status = fold_status(marker.code != 0 ? marker.code : 1);
    v.reasons.push_back("guest " + name + " crashed (code " + std::to_string(marker.code) + ")");
  } else if (marker.code != 0) {
    v.status = fold_status(marker.code);
    v.reasons.push_back("guest " + name + " exited with status " + std::to_string(marker.code));
  }
  return v;
}

std::optional<Verdict> guests_verdict(
    const std::vector<std::pair<std::string, std::optional<ExitMarker>>>& guests) {
  for (const auto& [name, marker] : guests)
    if (!marker) return std::nullopt;
  Verdict all;
  for (const auto& [name, marker] : guests) {
    Verdict one = guest_verdict(name, *marker);
    if (all.status == 0) all.status = one.status;
    for (std::string& r : one.reasons) all.reasons.push_back(std::move(r));
  }
  return all;
}

void Dom0Report::take(const Dom0Event& e) {
  if (e.name == "ready") {
    ready = true;
  } else if (e.name == "created") {
    domid = field_number(e, "domid");
  } else if (e.name == "create-failed") {
    create_failed = field_number(e, "status");
  } else if (e.name == "failed") {
    failed = field_text(e, "step");
  } else if (e.name == "script-exit") {
    script_status = field_number(e, "status");
  } else if (e.name == "domain-gone") {
    gone = field_text(e, "reason");
  } else if (e.name == "poweroff") {
    poweroff = true;
  }
}

std::optional<Verdict> dom0_verdict(const Dom0Report& r) {
  if (r.failed)
    return Verdict{
        kExitBootFailure, {"dom0 could not start Xen's tools (" + *r.failed + " failed)"}, true};
  if (r.create_failed)
    return Verdict{
        kExitBootFailure,
        {"xl create failed in dom0 (exit status " + std::to_string(*r.create_failed) + ")"},
        false};
  if (r.gone) {
    Verdict v;
    const std::string domain = "domain " + std::to_string(r.domid.value_or(-1));
    if (r.marker) {
      v = guest_verdict(r.guest, *r.marker);
    } else if (*r.gone == "poweroff") {
      v.reasons.push_back("no exit marker on the guest's console; " + domain +
                          " shut down with reason poweroff (status 0)");
    } else if (*r.gone == "destroyed") {
      v.reasons.push_back("no exit marker on the guest's console; " + domain +
                          " was destroyed from dom0 (status 0)");
    } else {
      v.status = 1;
      v.reasons.push_back("no exit marker on the guest's console; " + domain +
                          " went away with reason " + *r.gone + " (status 1)");
    }
    if (v.status == 0 && r.script_status.value_or(0) != 0) {
      v.status = 1;
      v.reasons.push_back("the dom0 script failed (exit status " +
                          std::to_string(*r.script_status) + ")");
    }
    return v;
  }
  if (!r.linux_panic.empty())
    return Verdict{kExitBootFailure, {"dom0's Linux kernel panicked:\n  " + r.linux_panic}, true};
  return std::nullopt;
}

}  // namespace petrel::tool
