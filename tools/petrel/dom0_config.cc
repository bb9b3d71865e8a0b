#include "dom0_config.h"

#include <cctype>
#include <vector>

#include "dom0_init_template.h"  // tools/dom0/init.sh, embedded by the build
#include "text.h"

namespace petrel::tool {
namespace {

// The key of an xl configuration line "key = value" (or "" for comments,
// blank lines and anything else).
std::string_view line_key(std::string_view line) {
  line = trim(line);
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) return {};
  std::string_view key = trim(line.substr(0, eq));
  if (key.empty()) return {};
  for (char c : key)
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return {};
  return key;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// An xl string value: "text", with backslashes and quotes escaped.
std::string xl_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void replace_all(std::string* s, std::string_view from, std::string_view to) {
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size()))
    s->replace(at, from.size(), to);
}

}  // namespace

std::string xl_config_value(std::string_view config, std::string_view key) {
  std::string value;
  for (std::string_view line : lines_of(config)) {
    if (line_key(line) != key) continue;
    std::string_view v = trim(line.substr(line.find('=') + 1));
    if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
      const size_t close = v.find(v.front(), 1);
      v = v.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
    } else {
      v = trim(v.substr(0, v.find('#')));
    }
    value = std::string(v);  // the last one counts, as in xl
  }
  return value;
}

XlConfig dom0_xl_config(std::string_view original, const XlConfigRequest& r) {
  XlConfig config;
  config.text = "# xl configuration written by `petrel run --dom0`\n";
  bool has_name = false;
  bool has_memory = false;
  bool has_vcpus = false;
  bool has_disk = false;
  const std::string memory_line = "memory = " + std::to_string(r.memory_mib);
  for (std::string_view line : lines_of(original)) {
    const std::string_view key = line_key(line);
    if (key == "kernel") continue;  // a host path: replaced below
    if (key == "extra" && !r.bootargs.empty()) continue;
    if (key == "memory") {
      has_memory = true;
      if (r.override_memory) {
        config.text += memory_line + "\n";
        continue;
      }
    }
    has_name = has_name || key == "name";
    has_vcpus = has_vcpus || key == "vcpus";
    has_disk = has_disk || key == "disk";
    config.text += std::string(line) + "\n";
  }
  if (!has_name) config.text += "name = " + xl_string(r.default_name) + "\n";
  config.text += "kernel = " + xl_string(r.kernel) + "\n";
  if (!has_memory) config.text += memory_line + "\n";
  if (!has_vcpus) config.text += "vcpus = 1\n";
  if (!has_disk) config.text += "disk = []\n";
  if (!r.bootargs.empty()) config.text += "extra = " + xl_string(r.bootargs) + "\n";
  config.name = xl_config_value(config.text, "name");
  return config;
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string dom0_init_script(const Dom0InitRequest& r) {
  // tools/dom0/init.sh: @NAME@ and the like are filled in below.
  std::string s = kDom0InitTemplate;
  std::string modules;
  for (const auto& m : kDom0Modules) {
    if (!modules.empty()) modules += ' ';
    modules += m.name;
  }
  replace_all(&s, "@NAME@", shell_quote(r.name));
  replace_all(&s, "@CFG@", shell_quote(r.cfg));
  replace_all(&s, "@SCRIPT@", r.script ? shell_quote(kDom0Script) : "''");
  replace_all(&s, "@XENBIN@", kDom0XenBin);
  replace_all(&s, "@MODULES@", modules);
  replace_all(&s, "@MODDIR@", kDom0ModuleDir);
  replace_all(&s, "@RUNDIR@", kDom0RunDir);
  replace_all(&s, "@EVENT@", kDom0EventMarker);
  return s;
}

}  // namespace petrel::tool
