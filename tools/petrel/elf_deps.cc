#include "elf_deps.h"

#include <algorithm>
#include <deque>

namespace petrel::tool {
namespace {

// The text between "[" and "]" after `label` on `line`, if the line has it.
std::optional<std::string_view> bracketed_after(std::string_view line, std::string_view label) {
  const size_t at = line.find(label);
  if (at == std::string_view::npos) return std::nullopt;
  const size_t open = line.find('[', at + label.size());
  const size_t close = line.rfind(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  return line.substr(open + 1, close - open - 1);
}

std::vector<std::string> split_colons(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t c = s.find(':');
    std::string_view part = s.substr(0, c);
    if (!part.empty()) out.emplace_back(part);
    if (c == std::string_view::npos) break;
    s.remove_prefix(c + 1);
  }
  return out;
}

std::string relative(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return std::string(path);
}

}  // namespace

ElfDynamicInfo parse_readelf(std::string_view output) {
  constexpr std::string_view kInterpreter = "[Requesting program interpreter:";
  ElfDynamicInfo info;
  std::vector<std::string> rpath;
  while (!output.empty()) {
    const size_t nl = output.find('\n');
    std::string_view line = output.substr(0, nl);
    output.remove_prefix(nl == std::string_view::npos ? output.size() : nl + 1);
    if (line.find("(NEEDED)") != std::string_view::npos) {
      if (auto v = bracketed_after(line, "Shared library:")) info.needed.emplace_back(*v);
    } else if (line.find("(RUNPATH)") != std::string_view::npos) {
      if (auto v = bracketed_after(line, "Library runpath:")) info.runpath = split_colons(*v);
    } else if (line.find("(RPATH)") != std::string_view::npos) {
      if (auto v = bracketed_after(line, "Library rpath:")) rpath = split_colons(*v);
    } else if (const size_t at = line.find(kInterpreter); at != std::string_view::npos) {
      std::string_view rest = line.substr(at + kInterpreter.size());
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      rest = rest.substr(0, rest.find(']'));
      info.interpreter = std::string(rest);
    }
  }
  if (info.runpath.empty()) info.runpath = std::move(rpath);  // RUNPATH wins over RPATH
  return info;
}

LibraryClosure resolve_library_closure(
    const std::vector<std::string>& programs, const std::vector<std::string>& search_dirs,
    const std::function<std::optional<ElfDynamicInfo>(const std::string&)>& inspect,
    const std::function<bool(const std::string&)>& exists) {
  LibraryClosure result;
  std::vector<std::string> seen;  // files inspected or queued
  std::deque<std::string> queue;
  auto is_seen = [&seen](const std::string& p) {
    return std::find(seen.begin(), seen.end(), p) != seen.end();
  };
  auto enqueue = [&](const std::string& p, bool is_library) {
    if (is_seen(p)) return;
    seen.push_back(p);
    queue.push_back(p);
    if (is_library) result.files.push_back(p);
  };
  auto note_missing = [&result](std::string what) {
    if (std::find(result.missing.begin(), result.missing.end(), what) == result.missing.end())
      result.missing.push_back(std::move(what));
  };
  for (const auto& p : programs) enqueue(p, false);

  while (!queue.empty()) {
    const std::string file = queue.front();
    queue.pop_front();
    const auto info = inspect(file);
    if (!info) continue;
    if (!info->interpreter.empty()) {
      const std::string interp = relative(info->interpreter);
      if (exists(interp)) {
        enqueue(interp, true);
      } else {
        std::string what = info->interpreter;
        what += " (interpreter of ";
        what += file;
        what += ')';
        note_missing(std::move(what));
      }
    }
    for (const auto& soname : info->needed) {
      std::vector<std::string> dirs;
      for (const auto& d : info->runpath) dirs.push_back(relative(d));
      dirs.insert(dirs.end(), search_dirs.begin(), search_dirs.end());
      std::optional<std::string> found;
      for (const auto& d : dirs) {
        std::string candidate = d;
        if (!candidate.empty()) candidate += '/';
        candidate += soname;
        if (exists(candidate)) {
          found = candidate;
          break;
        }
      }
      if (found) {
        enqueue(*found, true);
      } else {
        std::string what = soname;
        what += " (needed by ";
        what += file;
        what += ')';
        note_missing(std::move(what));
      }
    }
  }
  return result;
}

}  // namespace petrel::tool
