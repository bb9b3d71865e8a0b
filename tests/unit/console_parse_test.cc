// The host tool's reading of Xen's serial console.
#include "console_parse.h"

#include <gtest/gtest.h>

namespace petrel::tool {
namespace {

TEST(ConsoleParse, HypercallConsoleLine) {
  ConsoleLine c = classify_line("(d1) hello world");
  EXPECT_EQ(c.kind, ConsoleLine::Kind::kGuest);
  EXPECT_EQ(c.domain, 1);
  EXPECT_EQ(c.text, "hello world");
}

TEST(ConsoleParse, Vpl011Line) {
  ConsoleLine c = classify_line("(XEN) DOM12: text with (d1) inside\r");
  EXPECT_EQ(c.kind, ConsoleLine::Kind::kGuest);
  EXPECT_EQ(c.domain, 12);
  EXPECT_EQ(c.text, "text with (d1) inside");
}

TEST(ConsoleParse, EmptyGuestLines) {
  EXPECT_EQ(classify_line("(d2)").kind, ConsoleLine::Kind::kGuest);
  EXPECT_EQ(classify_line("(d2)").text, "");
  EXPECT_EQ(classify_line("(XEN) DOM3:").domain, 3);
}

TEST(ConsoleParse, XenLines) {
  for (const char* l : {"(XEN) Xen version 4.17", "(XEN) DOMAIN info", "(dx) nope", "(d) nope",
                        "plain text", "", "(XEN) DOM: no number"}) {
    ConsoleLine c = classify_line(l);
    EXPECT_EQ(c.kind, ConsoleLine::Kind::kXen) << l;
  }
}

// Found by fuzzing (tests/fuzz/regressions/console_parse): "(XEN) DOM-1: "
// was a line of domain -1.
TEST(ConsoleParse, NegativeDomainsAreNoGuests) {
  for (const char* l : {"(d-1) text", "(XEN) DOM-1: text", "(XEN) DOM-3:"})
    EXPECT_EQ(classify_line(l).kind, ConsoleLine::Kind::kXen) << l;
  EXPECT_EQ(classify_dom0_line("[d-2] text").kind, Dom0ConsoleLine::Kind::kOther);
}

TEST(ConsoleParse, Dom0TextsKeepsTheKindsAskedForInOrder) {
  const std::vector<std::string> serial = {"(XEN) boot", "[d1] one",   "[dom0] two",
                                           "[d1] three", "plain four", "[    1.0] kernel"};
  using K = Dom0ConsoleLine::Kind;
  EXPECT_EQ(dom0_texts(serial, {K::kGuest}), (std::vector<std::string>{"one", "three"}));
  EXPECT_EQ(dom0_texts(serial, {K::kDom0, K::kOther}),
            (std::vector<std::string>{"two", "plain four"}));
  EXPECT_TRUE(dom0_texts(serial, {}).empty());
}

TEST(ConsoleParse, GuestTextsOfADom0lessRun) {
  const std::vector<std::string> serial = {"(XEN) Xen version 4.17", "(d1) one", "(XEN) DOM2: two",
                                           "(XEN) panic", "(d1) three"};
  EXPECT_EQ(guest_texts(serial), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_TRUE(guest_texts({"(XEN) only Xen"}).empty());
}

TEST(ConsoleParse, ExitMarker) {
  auto m = parse_exit_marker("@petrel-exit reason=poweroff code=0");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->reason, ExitMarker::Reason::kPoweroff);
  EXPECT_EQ(m->code, 0);
  m = parse_exit_marker("@petrel-exit reason=crash code=2\r");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->reason, ExitMarker::Reason::kCrash);
  EXPECT_EQ(m->code, 2);
  EXPECT_EQ(parse_exit_marker("@petrel-exit reason=poweroff code=-3")->code, -3);
}

TEST(ConsoleParse, MalformedMarkersAreNotMarkers) {
  for (const char* t :
       {"@petrel-exit", "@petrel-exit reason=reboot code=0", "@petrel-exit reason=poweroff",
        "@petrel-exit reason=poweroff code=", "@petrel-exit reason=poweroff code=1x",
        "x @petrel-exit reason=crash code=1",
        "@petrel-exit reason=poweroff code=99999999999999999999"}) {
    EXPECT_FALSE(parse_exit_marker(t)) << t;
  }
}

TEST(ConsoleParse, XenPanic) {
  EXPECT_TRUE(is_xen_panic("(XEN) Panic on CPU 0:"));
  EXPECT_FALSE(is_xen_panic("(d1) no panic here"));
}

}  // namespace
}  // namespace petrel::tool
