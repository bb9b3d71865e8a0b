// Fuzz target: the host tool's reading of Xen's serial console and of a
// dom0 run's console (tools/petrel/console_parse.cc): every line a guest,
// Xen or dom0 prints goes through it. Input: one line (any bytes). The
// text a parser hands back must be part of the line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "console_parse.h"
#include "fuzz_check.h"

namespace tool = petrel::tool;
using petrel::fuzz::expect;

namespace {

bool within(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exactly sized copy: a read past the line's end is an ASan report.
  const std::string copy(reinterpret_cast<const char*>(data), size);
  const std::string_view line(copy);

  const tool::ConsoleLine c = tool::classify_line(line);
  expect(within(c.text, line), "console text inside the line");
  if (c.kind == tool::ConsoleLine::Kind::kGuest) {
    expect(c.domain >= 0, "a guest's domain is not negative");
    if (auto m = tool::parse_exit_marker(c.text))
      expect(m->reason == tool::ExitMarker::Reason::kPoweroff ||
                 m->reason == tool::ExitMarker::Reason::kCrash,
             "an exit marker has a known reason");
  }
  (void)tool::parse_exit_marker(line);
  (void)tool::is_xen_panic(line);

  const tool::Dom0ConsoleLine d = tool::classify_dom0_line(line);
  expect(within(d.text, line), "dom0 console text inside the line");
  if (d.kind == tool::Dom0ConsoleLine::Kind::kGuest)
    expect(d.domain >= 0, "a guest's domain is not negative");
  if (auto e = tool::parse_dom0_event(d.text)) expect(!e->name.empty(), "an event has a name");
  (void)tool::parse_dom0_event(line);
  (void)tool::is_linux_panic(line);
  return 0;
}
