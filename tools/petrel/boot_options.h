// The options of every command that boots an app and shows its console:
// `run`, `debug`, `trace` and `soak` take them alike, with one meaning and
// one error message each.
//   --arch arm64|arm32  --gic 2|3  --memory MIB (16-512)  --bootargs STRING
//   --timeout SECONDS (> 0)  --raw  --no-build
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "arch.h"

namespace petrel::tool {

struct BootOptions {
  Arch arch = Arch::kArm64;
  int gic = 3;
  std::optional<unsigned> memory_mib;  // the command's default when not given
  std::string bootargs;
  std::optional<double> timeout_s;  // the command's default when not given
  bool raw = false;
  bool build = true;
};

enum class Took {
  kTaken,    // args[*i] was one of them; *i is on its value, if it has one
  kNotOurs,  // not one of them: the command's own, or unknown
  kBad,      // one of them with a missing or bad value: a usage error was printed
};

// Takes args[*i] (and its value) into *o if it is one of the options above.
// `command` prefixes the usage error ("debug: --gic takes 2 or 3"); "" for
// none.
Took take_boot_option(const std::vector<std::string>& args, size_t* i, BootOptions* o,
                      const std::string& command);

// A command's own arguments: called with the index of each argument that is
// not a boot option (it may move *i onto a value it takes). Returns nothing
// when it took the argument, or the exit status of a usage error (printed).
using OwnArgument = std::function<std::optional<int>(size_t* i)>;

// Walks `args`, the boot options into *boot and every other argument to
// `own`. Nothing when all were taken; otherwise the exit status of the
// first usage error.
std::optional<int> parse_command_line(const std::vector<std::string>& args, BootOptions* boot,
                                      const std::string& command, const OwnArgument& own);

// The value of an --arch at args[*i] (*i moves onto it); nothing if it is
// missing or names no architecture (the error: kArchUsage). For commands
// that take --arch but not the other boot options.
std::optional<Arch> arch_value(const std::vector<std::string>& args, size_t* i);
inline constexpr const char* kArchUsage = "--arch takes arm64 or arm32";

// A finite number > 0, the whole string ("1.5", "30", "1e3").
std::optional<double> parse_positive(const std::string& s);

}  // namespace petrel::tool
