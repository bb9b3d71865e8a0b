#include "fuzz.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "files.h"
#include "process.h"

namespace fs = std::filesystem;

namespace petrel::tool {
namespace {

constexpr int kDefaultSeconds = 60;

// What one libFuzzer run reported at its end.
struct FuzzStats {
  uint64_t executions = 0;  // stat::number_of_executed_units
  std::string coverage;     // "cov: 123 ft: 456 corp: 7/890b" of the last status line
  std::string crash;        // the input libFuzzer saved for a crash, if any
};

// The value after `key` in `line` up to the next space ("" if absent).
std::string field(std::string_view line, std::string_view key) {
  const size_t at = line.find(key);
  if (at == std::string_view::npos) return "";
  std::string_view rest = line.substr(at + key.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return std::string(rest.substr(0, rest.find(' ')));
}

FuzzStats read_stats(const std::string& log) {
  FuzzStats s;
  std::istringstream in(read_file(log).value_or(""));
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("stat::number_of_executed_units:")) {
      s.executions = std::strtoull(field(line, "units:").c_str(), nullptr, 10);
    } else if (line.starts_with("#") && line.find("cov: ") != std::string::npos) {
      s.coverage = "cov " + field(line, "cov:") + ", ft " + field(line, "ft:") + ", corpus " +
                   field(line, "corp:");
    } else if (const size_t at = line.find("Test unit written to "); at != std::string::npos) {
      s.crash = line.substr(at + std::string_view("Test unit written to ").size());
    }
  }
  return s;
}

// The targets the fuzz build made: build/fuzz/fuzz_NAME -> NAME.
std::vector<std::string> built_targets(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string file = e.path().filename().string();
    if (e.is_regular_file() && file.starts_with("fuzz_")) names.push_back(file.substr(5));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Executions of all campaigns so far (campaign/NAME.executions), plus `more`.
uint64_t add_executions(const fs::path& file, uint64_t more) {
  uint64_t total = 0;
  if (auto text = read_file(file)) total = std::strtoull(text->c_str(), nullptr, 10);
  total += more;
  (void)write_file(file, std::to_string(total) + "\n");
  return total;
}

}  // namespace

int cmd_fuzz(const Paths& paths, const std::vector<std::string>& args,
             const std::function<bool()>& build) {
  int seconds = kDefaultSeconds;
  std::optional<std::string> only;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--time" && i + 1 < args.size()) {
      seconds = std::atoi(args[++i].c_str());
      if (seconds <= 0) {
        std::fprintf(stderr, "petrel: --time takes a positive number of seconds\n");
        return 2;
      }
    } else if (!args[i].starts_with("-") && !only) {
      only = args[i];
    } else {
      std::fprintf(stderr,
                   "petrel: fuzz: unexpected '%s' (usage: petrel fuzz [TARGET] [--time S])\n",
                   args[i].c_str());
      return 2;
    }
  }
  if (!build()) return 1;
  const fs::path build_dir = paths.root / "build" / "fuzz";
  std::vector<std::string> targets = built_targets(build_dir);
  if (only) {
    if (std::find(targets.begin(), targets.end(), *only) == targets.end()) {
      std::string list;
      for (const auto& t : targets) list += " " + t;
      std::fprintf(stderr, "petrel: no fuzz target '%s'; there are:%s\n", only->c_str(),
                   list.c_str());
      return 2;
    }
    targets = {*only};
  }
  const fs::path campaign = build_dir / "campaign";
  const fs::path fuzz_src = paths.root / "tests" / "fuzz";
  int status = 0;
  for (const auto& name : targets) {
    const fs::path corpus = campaign / name;
    const fs::path crashes = campaign / "crashes" / name;
    std::error_code ec;
    fs::create_directories(corpus, ec);
    fs::create_directories(crashes, ec);
    std::vector<std::string> argv = {(build_dir / ("fuzz_" + name)).string(),
                                     "-max_total_time=" + std::to_string(seconds),
                                     "-timeout=10",
                                     "-rss_limit_mb=2048",
                                     "-print_final_stats=1",
                                     "-artifact_prefix=" + crashes.string() + "/",
                                     corpus.string()};
    // The seeds (committed, and those the fuzz build wrote) and the inputs
    // that once crashed the target.
    for (const fs::path& dir :
         {fuzz_src / "corpus" / name, build_dir / "seeds" / name, fuzz_src / "regressions" / name})
      if (fs::is_directory(dir)) argv.push_back(dir.string());
    const std::string log = (campaign / (name + ".log")).string();
    fs::remove(log, ec);
    std::printf("fuzz %s: %d s ...\n", name.c_str(), seconds);
    const int rc = run_logged(argv, log);
    const FuzzStats s = read_stats(log);
    const uint64_t total = add_executions(campaign / (name + ".executions"), s.executions);
    std::printf("fuzz %s: %llu executions (%llu in all campaigns), %s\n", name.c_str(),
                static_cast<unsigned long long>(s.executions),
                static_cast<unsigned long long>(total),
                s.coverage.empty() ? "no coverage reported" : s.coverage.c_str());
    if (rc != 0) {
      status = 1;
      std::printf("fuzz %s: CRASH (exit status %d): input %s; log %s\n", name.c_str(), rc,
                  s.crash.empty() ? "(none saved)" : s.crash.c_str(), log.c_str());
    }
  }
  return status;
}

}  // namespace petrel::tool
