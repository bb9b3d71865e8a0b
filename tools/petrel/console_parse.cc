#include "console_parse.h"

#include <charconv>

namespace petrel::tool {
namespace {

// Parses a decimal number at the start of `s`; returns the rest.
std::optional<std::string_view> take_number(std::string_view s, int* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  return s.substr(static_cast<size_t>(end - s.data()));
}

// A domain ID at the start of `s`: digits only (from_chars would also take
// a minus sign, and "(d-1)" is no guest's line).
std::optional<std::string_view> take_domain(std::string_view s, int* out) {
  if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
  return take_number(s, out);
}

bool consume(std::string_view* s, std::string_view prefix) {
  if (s->substr(0, prefix.size()) != prefix) return false;
  s->remove_prefix(prefix.size());
  return true;
}

}  // namespace

ConsoleLine classify_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view s = line;
  int dom = 0;
  if (consume(&s, "(d")) {
    auto rest = take_domain(s, &dom);
    if (rest && consume(&*rest, ") ")) return {ConsoleLine::Kind::kGuest, dom, *rest};
    if (rest && *rest == ")") return {ConsoleLine::Kind::kGuest, dom, std::string_view()};
  }
  s = line;
  if (consume(&s, "(XEN) DOM")) {
    auto rest = take_domain(s, &dom);
    if (rest && consume(&*rest, ": ")) return {ConsoleLine::Kind::kGuest, dom, *rest};
    if (rest && *rest == ":") return {ConsoleLine::Kind::kGuest, dom, std::string_view()};
  }
  return {ConsoleLine::Kind::kXen, 0, line};
}

std::optional<ExitMarker> parse_exit_marker(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  if (!consume(&text, "@petrel-exit reason=")) return std::nullopt;
  ExitMarker m{};
  if (consume(&text, "poweroff")) {
    m.reason = ExitMarker::Reason::kPoweroff;
  } else if (consume(&text, "crash")) {
    m.reason = ExitMarker::Reason::kCrash;
  } else {
    return std::nullopt;
  }
  if (!consume(&text, " code=")) return std::nullopt;
  auto rest = take_number(text, &m.code);
  if (!rest || !rest->empty()) return std::nullopt;
  return m;
}

std::vector<std::string> guest_texts(const std::vector<std::string>& serial) {
  std::vector<std::string> out;
  for (const std::string& line : serial)
    if (const ConsoleLine c = classify_line(line); c.kind == ConsoleLine::Kind::kGuest)
      out.emplace_back(c.text);
  return out;
}

bool is_xen_panic(std::string_view line) {
  return line.find("Panic on CPU") != std::string_view::npos;
}

Dom0ConsoleLine classify_dom0_line(std::string_view line) {
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  using Kind = Dom0ConsoleLine::Kind;
  if (ConsoleLine c = classify_line(line); c.kind == ConsoleLine::Kind::kGuest)
    return {Kind::kGuest, c.domain, c.text};
  std::string_view s = line;
  if (consume(&s, "(XEN)")) return {Kind::kXen, 0, line};
  if (consume(&s, "[dom0]")) {
    if (s.empty() || consume(&s, " ")) return {Kind::kDom0, 0, s};
    return {Kind::kOther, 0, line};
  }
  s = line;
  int dom = 0;
  if (consume(&s, "[d")) {
    auto rest = take_domain(s, &dom);
    if (rest && consume(&*rest, "] ")) return {Kind::kGuest, dom, *rest};
    if (rest && *rest == "]") return {Kind::kGuest, dom, std::string_view()};
  }
  // Linux: "[" then spaces, seconds "." microseconds, "]".
  s = line;
  if (consume(&s, "[")) {
    while (consume(&s, " ")) {
    }
    int whole = 0;
    int fraction = 0;
    auto rest = take_number(s, &whole);
    if (rest && consume(&*rest, ".")) rest = take_number(*rest, &fraction);
    if (rest && consume(&*rest, "]")) return {Kind::kDom0Kernel, 0, line};
  }
  return {Kind::kOther, 0, line};
}

std::optional<Dom0Event> parse_dom0_event(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  if (!consume(&text, "@petrel-dom0 ")) return std::nullopt;
  Dom0Event e;
  size_t sp = text.find(' ');
  e.name = std::string(text.substr(0, sp));
  if (e.name.empty()) return std::nullopt;
  text.remove_prefix(sp == std::string_view::npos ? text.size() : sp + 1);
  while (!text.empty()) {
    sp = text.find(' ');
    std::string_view field = text.substr(0, sp);
    text.remove_prefix(sp == std::string_view::npos ? text.size() : sp + 1);
    if (field.empty()) continue;
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos || eq == 0) return std::nullopt;
    e.fields[std::string(field.substr(0, eq))] = std::string(field.substr(eq + 1));
  }
  return e;
}

bool is_linux_panic(std::string_view line) {
  return line.find("Kernel panic - not syncing") != std::string_view::npos;
}

std::vector<std::string> dom0_texts(const std::vector<std::string>& serial,
                                    std::initializer_list<Dom0ConsoleLine::Kind> kinds) {
  std::vector<std::string> out;
  for (const std::string& line : serial) {
    const Dom0ConsoleLine c = classify_dom0_line(line);
    for (Dom0ConsoleLine::Kind k : kinds)
      if (c.kind == k) out.emplace_back(c.text);
  }
  return out;
}

}  // namespace petrel::tool
