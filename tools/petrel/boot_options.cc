#include "boot_options.h"

#include <cmath>

#include "exit_status.h"
#include "text.h"

namespace petrel::tool {

std::optional<double> parse_positive(const std::string& s) {
  double d = 0;
  if (!parse_real(s, &d) || !(d > 0)) return std::nullopt;
  return d;
}

std::optional<Arch> arch_value(const std::vector<std::string>& args, size_t* i) {
  if (*i + 1 >= args.size()) return std::nullopt;
  return parse_arch(args[++*i]);
}

Took take_boot_option(const std::vector<std::string>& args, size_t* i, BootOptions* o,
                      const std::string& command) {
  const std::string& a = args[*i];
  const std::string* v = *i + 1 < args.size() ? &args[*i + 1] : nullptr;
  const auto bad = [&](const char* msg) {
    usage_error(command.empty() ? std::string(msg) : command + ": " + msg);
    return Took::kBad;
  };
  // An option with a value: *i moves onto the value.
  const auto taken = [&] {
    ++*i;
    return Took::kTaken;
  };
  if (a == "--arch") {
    const auto arch = arch_value(args, i);
    if (!arch) return bad(kArchUsage);
    o->arch = *arch;
    return Took::kTaken;
  }
  if (a == "--gic") {
    if (v == nullptr || (*v != "2" && *v != "3")) return bad("--gic takes 2 or 3");
    o->gic = *v == "2" ? 2 : 3;
    return taken();
  }
  if (a == "--memory") {
    const auto d = v != nullptr ? parse_positive(*v) : std::nullopt;
    if (!d || *d < 16 || *d > 512 || *d != std::floor(*d))
      return bad("--memory takes a size in MiB from 16 to 512");
    o->memory_mib = static_cast<unsigned>(*d);
    return taken();
  }
  if (a == "--bootargs") {
    if (v == nullptr) return bad("--bootargs takes a string");
    o->bootargs = *v;
    return taken();
  }
  if (a == "--timeout") {
    const auto d = v != nullptr ? parse_positive(*v) : std::nullopt;
    if (!d) return bad("--timeout takes seconds > 0");
    o->timeout_s = *d;
    return taken();
  }
  if (a == "--raw") {
    o->raw = true;
    return Took::kTaken;
  }
  if (a == "--no-build") {
    o->build = false;
    return Took::kTaken;
  }
  return Took::kNotOurs;
}

std::optional<int> parse_command_line(const std::vector<std::string>& args, BootOptions* boot,
                                      const std::string& command, const OwnArgument& own) {
  for (size_t i = 0; i < args.size(); ++i) {
    switch (take_boot_option(args, &i, boot, command)) {
      case Took::kTaken:
        break;
      case Took::kBad:
        return kExitUsage;
      case Took::kNotOurs:
        if (const auto status = own(&i)) return status;
        break;
    }
  }
  return std::nullopt;
}

}  // namespace petrel::tool
