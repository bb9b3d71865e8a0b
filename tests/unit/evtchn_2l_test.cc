// The 2-level event-channel scan over fake shared words: every port of the
// 4096 reachable, masks respected, pending bits cleared before dispatch,
// fairness between words, hostile selector bits bounded.
#include "petrel/xen/evtchn_2l.h"

#include <gtest/gtest.h>

#include <vector>

namespace petrel::xen {
namespace {

struct Fake {
  uint64_t pending[kEvtchn2lWords] = {};
  uint64_t mask[kEvtchn2lWords] = {};
  uint64_t sel = 0;
  uint8_t upcall = 0;
  Evtchn2lWords words() { return {pending, mask, &sel, &upcall}; }

  // What Xen does when it raises a port.
  void raise(uint32_t port) {
    pending[port / 64] |= 1ull << (port % 64);
    if ((mask[port / 64] & (1ull << (port % 64))) == 0) {
      sel |= 1ull << (port / 64);
      upcall = 1;
    }
  }
};

struct Log {
  Fake* fake;
  std::vector<uint32_t> ports;
  bool pending_seen_set = false;
};

void record(uint32_t port, void* ctx) {
  auto* log = static_cast<Log*>(ctx);
  log->ports.push_back(port);
  if (Evtchn2lScanner::is_pending(log->fake->words(), port)) log->pending_seen_set = true;
}

TEST(Evtchn2l, EveryPortIsDispatchedOnce) {
  for (uint32_t port = 0; port < kEvtchn2lPorts; ++port) {
    Fake f;
    Evtchn2lScanner s;
    Log log{&f, {}};
    f.raise(port);
    ASSERT_EQ(s.scan(f.words(), record, &log), 1u) << port;
    ASSERT_EQ(log.ports, std::vector<uint32_t>{port});
    ASSERT_FALSE(log.pending_seen_set) << "pending is cleared before the handler runs";
    ASSERT_EQ(f.upcall, 0);
    ASSERT_EQ(f.sel, 0u);
  }
}

TEST(Evtchn2l, AllPortsAtOnce) {
  Fake f;
  Evtchn2lScanner s;
  Log log{&f, {}};
  for (uint32_t port = 0; port < kEvtchn2lPorts; ++port) f.raise(port);
  EXPECT_EQ(s.scan(f.words(), record, &log), kEvtchn2lPorts);
  std::vector<bool> seen(kEvtchn2lPorts);
  for (uint32_t p : log.ports) {
    EXPECT_FALSE(seen[p]) << p;
    seen[p] = true;
  }
  for (uint64_t w : f.pending) EXPECT_EQ(w, 0u);
}

TEST(Evtchn2l, MaskedPortsStayPending) {
  Fake f;
  Evtchn2lScanner s;
  Log log{&f, {}};
  Evtchn2lScanner::set_mask(f.words(), 70, true);
  EXPECT_TRUE(Evtchn2lScanner::is_masked(f.words(), 70));
  f.raise(70);
  f.raise(71);
  EXPECT_EQ(s.scan(f.words(), record, &log), 1u);
  EXPECT_EQ(log.ports, std::vector<uint32_t>{71});
  EXPECT_TRUE(Evtchn2lScanner::is_pending(f.words(), 70));
  Evtchn2lScanner::set_mask(f.words(), 70, false);
  EXPECT_FALSE(Evtchn2lScanner::is_masked(f.words(), 70));
}

TEST(Evtchn2l, SelectorWithoutPendingBitsIsHarmless) {
  Fake f;
  Evtchn2lScanner s;
  Log log{&f, {}};
  f.sel = ~0ull;  // a confused or hostile selector
  f.upcall = 1;
  EXPECT_EQ(s.scan(f.words(), record, &log), 0u);
  EXPECT_TRUE(log.ports.empty());
}

// An event raised again while its handler runs is dispatched in the next
// round of the same upcall, not lost.
struct Reraise {
  Fake* fake;
  int calls = 0;
};
void reraise_once(uint32_t port, void* ctx) {
  auto* r = static_cast<Reraise*>(ctx);
  if (r->calls++ == 0) r->fake->raise(port);
}

TEST(Evtchn2l, EventDuringHandlerIsNotLost) {
  Fake f;
  Evtchn2lScanner s;
  Reraise r{&f};
  f.raise(5);
  EXPECT_EQ(s.scan(f.words(), reraise_once, &r), 2u);
  EXPECT_EQ(r.calls, 2);
  EXPECT_FALSE(Evtchn2lScanner::is_pending(f.words(), 5));
}

// A port that is raised again by every handler call cannot keep the scan
// going forever: kMaxRounds passes, then the upcall returns (the interrupt
// comes back for the rest).
void reraise_always(uint32_t port, void* ctx) {
  static_cast<Reraise*>(ctx)->fake->raise(port);
}

TEST(Evtchn2l, StormIsBounded) {
  Fake f;
  Evtchn2lScanner s;
  Reraise r{&f};
  f.raise(9);
  EXPECT_EQ(s.scan(f.words(), reraise_always, &r),
            static_cast<uint32_t>(Evtchn2lScanner::kMaxRounds));
}

// Words are visited starting after the last word that had an event.
TEST(Evtchn2l, WordsTakeTurns) {
  Fake f;
  Evtchn2lScanner s;
  Log log{&f, {}};
  f.raise(1);  // word 0
  s.scan(f.words(), record, &log);
  log.ports.clear();
  f.raise(2);    // word 0
  f.raise(130);  // word 2
  s.scan(f.words(), record, &log);
  EXPECT_EQ(log.ports, (std::vector<uint32_t>{130, 2}));
}

TEST(Evtchn2l, OutOfRangePortsAreIgnored) {
  Fake f;
  Evtchn2lScanner::set_mask(f.words(), kEvtchn2lPorts, true);
  Evtchn2lScanner::clear_pending(f.words(), 100000);
  EXPECT_FALSE(Evtchn2lScanner::is_pending(f.words(), kEvtchn2lPorts));
  EXPECT_FALSE(Evtchn2lScanner::is_masked(f.words(), kEvtchn2lPorts));
  for (uint64_t w : f.mask) EXPECT_EQ(w, 0u);
}

}  // namespace
}  // namespace petrel::xen
