// The FIFO event-channel consumer, with the test playing Xen's producer:
// linking pending ports into per-priority queues.
#include "petrel/xen/evtchn_fifo.h"

#include <gtest/gtest.h>

#include <vector>

namespace petrel::xen {
namespace {

constexpr event_word_t kPending = 1u << EVTCHN_FIFO_PENDING;
constexpr event_word_t kMasked = 1u << EVTCHN_FIFO_MASKED;
constexpr event_word_t kLinked = 1u << EVTCHN_FIFO_LINKED;

struct FakeXen {
  evtchn_fifo_control_block cb{};
  std::vector<event_word_t> words[EvtchnFifo::kMaxPages];
  event_word_t* pages[EvtchnFifo::kMaxPages];
  uint32_t tail[EVTCHN_FIFO_MAX_QUEUES] = {};
  uint8_t upcall = 0;
  EvtchnFifo fifo;

  FakeXen() {
    for (uint32_t i = 0; i < EvtchnFifo::kMaxPages; ++i) {
      words[i].assign(kFifoWordsPerPage, 0);
      pages[i] = words[i].data();
    }
    fifo = EvtchnFifo(&cb, pages, EvtchnFifo::kMaxPages);
  }
  event_word_t& w(uint32_t port) {
    return words[port / kFifoWordsPerPage][port % kFifoWordsPerPage];
  }
  // Xen's side of raising `port` on queue q (simplified: no BUSY handling).
  void raise(uint32_t port, uint32_t q = EVTCHN_FIFO_PRIORITY_DEFAULT) {
    w(port) |= kPending;
    if ((w(port) & (kMasked | kLinked)) != 0) return;
    w(port) |= kLinked;
    // The queue is empty when its old tail is no longer linked.
    if (tail[q] != 0 && (w(tail[q]) & kLinked) != 0) {
      w(tail[q]) = (w(tail[q]) & ~EVTCHN_FIFO_LINK_MASK) | port;
    } else {
      cb.head[q] = port;
    }
    tail[q] = port;
    cb.ready |= 1u << q;
    upcall = 1;
  }
};

void record(uint32_t port, void* ctx) {
  static_cast<std::vector<uint32_t>*>(ctx)->push_back(port);
}

TEST(EvtchnFifo, QueueOrderIsKept) {
  FakeXen x;
  std::vector<uint32_t> got;
  for (uint32_t p : {5u, 900u, 17u, 3000u}) x.raise(p);
  EXPECT_EQ(x.fifo.scan(&x.upcall, record, &got), 4u);
  EXPECT_EQ(got, (std::vector<uint32_t>{5, 900, 17, 3000}));
  EXPECT_EQ(x.upcall, 0);
  for (uint32_t p : {5u, 900u, 17u, 3000u}) EXPECT_FALSE(x.fifo.is_pending(p));
}

TEST(EvtchnFifo, HigherPrioritiesFirst) {
  FakeXen x;
  std::vector<uint32_t> got;
  x.raise(10, 9);
  x.raise(11, 2);
  x.raise(12, 15);
  x.raise(13, 0);
  x.raise(14, 2);
  x.fifo.scan(&x.upcall, record, &got);
  EXPECT_EQ(got, (std::vector<uint32_t>{13, 11, 14, 10, 12}));
}

TEST(EvtchnFifo, EveryPortOnce) {
  FakeXen x;
  std::vector<uint32_t> got;
  for (uint32_t p = 1; p < x.fifo.capacity(); ++p) x.raise(p, p % 16);
  EXPECT_EQ(x.fifo.scan(&x.upcall, record, &got), x.fifo.capacity() - 1);
  std::vector<bool> seen(x.fifo.capacity());
  for (uint32_t p : got) {
    EXPECT_FALSE(seen[p]);
    seen[p] = true;
  }
  // A second round after the queues drained works the same.
  got.clear();
  x.raise(77);
  x.raise(78);
  x.fifo.scan(&x.upcall, record, &got);
  EXPECT_EQ(got, (std::vector<uint32_t>{77, 78}));
}

TEST(EvtchnFifo, MaskedStaysPending) {
  FakeXen x;
  std::vector<uint32_t> got;
  x.fifo.set_mask(40, true);
  EXPECT_TRUE(x.fifo.is_masked(40));
  x.raise(40);
  x.raise(41);
  x.fifo.scan(&x.upcall, record, &got);
  EXPECT_EQ(got, std::vector<uint32_t>{41});
  EXPECT_TRUE(x.fifo.is_pending(40));
  x.fifo.set_mask(40, false);
  EXPECT_FALSE(x.fifo.is_masked(40));
}

TEST(EvtchnFifo, EventLinkedDuringHandlerIsSeen) {
  FakeXen x;
  struct Ctx {
    FakeXen* x;
    std::vector<uint32_t> got;
  } c{&x, {}};
  x.raise(7);
  x.fifo.scan(
      &x.upcall,
      [](uint32_t port, void* p) {
        auto* c = static_cast<Ctx*>(p);
        c->got.push_back(port);
        if (port == 7) c->x->raise(8);  // arrives while 7 is handled
      },
      &c);
  EXPECT_EQ(c.got, (std::vector<uint32_t>{7, 8}));
}

TEST(EvtchnFifo, BogusHeadsAreIgnored) {
  FakeXen x;
  std::vector<uint32_t> got;
  x.cb.ready = 1u << 3;
  x.cb.head[3] = 100000;  // beyond the array
  EXPECT_EQ(x.fifo.scan(&x.upcall, record, &got), 0u);
  x.cb.ready = 1u << 4;  // ready, but empty
  EXPECT_EQ(x.fifo.scan(&x.upcall, record, &got), 0u);
  EXPECT_TRUE(got.empty());
  x.raise(9, 4);
  x.fifo.scan(&x.upcall, record, &got);
  EXPECT_EQ(got, std::vector<uint32_t>{9});
  EXPECT_FALSE(x.fifo.is_pending(1u << 20));
  x.fifo.set_mask(1u << 20, true);  // out of range: ignored
}

TEST(EvtchnFifo, StormIsBounded) {
  FakeXen x;
  struct Ctx {
    FakeXen* x;
    uint32_t n = 0;
  } c{&x};
  x.raise(3);
  const uint32_t n = x.fifo.scan(
      &x.upcall,
      [](uint32_t port, void* p) {
        auto* c = static_cast<Ctx*>(p);
        ++c->n;
        c->x->raise(port);  // raises itself forever
      },
      &c);
  EXPECT_EQ(n, EvtchnFifo::kMaxEventsPerUpcall);
  EXPECT_NE(x.cb.ready, 0u) << "the unfinished queue is left ready";
}

}  // namespace
}  // namespace petrel::xen
