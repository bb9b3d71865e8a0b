// xen/src/static_channel.cc against the fake Xen, the peer domain played by
// the test: a port bound to the peer as Xen binds a static one, and a region
// of the test's own memory as the shared region. The owner's layout and the
// borrower's connection both ways, hostile layouts and ring indices, a peer
// that never comes or closes, the shutdown hook, doorbells, and the
// declarations and device-tree lookup of static_channel::open(). Every
// failure gives back each handler and heap block.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <memory>
#include <vector>

#include "../fdt_writer.h"
#include "fixture.h"
#include "petrel/kernel/heap.h"
#include "petrel/xen/static_channel.h"

// The app's declarations, as petrel_static_channel() generates them. Port 3
// is the first the fake gives after xenstore's and the console's.
namespace petrel::xen {
namespace {
constexpr StaticChannelConfig kDeclared[] = {
    {"ping", "peer-app", 3, 0x10000, true},
    {"bell", "peer-app", 4, 0, false},
};
}  // namespace
extern const StaticChannelTable kStaticChannels{kDeclared, 2};
}  // namespace petrel::xen

namespace petrel::xen::test {
namespace {

using kernel::kNoWait;

constexpr size_t kSize = 0x10000;  // 16 pages: 16 KiB rings each way, from pages 1 and 5

struct FreeDeleter {
  void operator()(void* p) const { free(p); }
};

class StaticChannelGlue : public XenFakeTest {
 protected:
  // Runs `body` in a task with event channels up, then checks that
  // nothing is left.
  void with_glue(const std::function<void()>& body) {
    run([&] {
      ASSERT_TRUE(evtchn::ready());
      heap_free_ = kernel::heap_stats().free;
      bound_ = evtchn::stats().bound;
      body();
      EXPECT_EQ(static_channel::open_count(), 0u);
      EXPECT_EQ(evtchn::stats().bound, bound_);
      EXPECT_EQ(kernel::heap_stats().free, heap_free_);
    });
  }
  // A guest port bound to the peer, as Xen binds a static one.
  uint32_t static_port() {
    peer_port_ = fake::peer_alloc_unbound(fake::kPeer, [this] { ++peer_events_; });
    auto p = evtchn::bind_interdomain(fake::kPeer, EvtchnPort{peer_port_});
    EXPECT_TRUE(p.ok());
    return p ? p->value : 0;
  }
  // A zeroed, page-aligned region of `size` bytes.
  char* region(size_t size = kSize) {
    regions_.emplace_back(static_cast<char*>(aligned_alloc(4096, size)));
    std::memset(regions_.back().get(), 0, size);
    return regions_.back().get();
  }
  static StaticRegion region_of(const char* base, size_t size = kSize) {
    return StaticRegion{reinterpret_cast<uintptr_t>(base), size};
  }
  static VchanShared* shared(char* base) { return reinterpret_cast<VchanShared*>(base); }
  // The test as the owner: the layout static_channel.cc would make.
  static void lay_out(char* base, uint16_t left, uint16_t right, uint32_t pages) {
    VchanShared* sh = shared(base);
    sh->left_order = left;
    sh->right_order = right;
    sh->cli_live = 2;
    sh->srv_live = 1;
    sh->cli_notify = sh->srv_notify = kVchanNotifyWrite;
    *static_header(base) = StaticHeader{kStaticMagic, kStaticVersion, pages, 0};
  }
  StaticChannelConfig config(uint32_t port, bool owner) const {
    return StaticChannelConfig{"ping", "peer-app", port, kSize, owner};
  }
  // The guest as the borrower of a fresh region the test laid out with
  // 16 KiB rings (16 pages: the left ring from page 1, the right from 5).
  StaticChannel* borrower(char** base) {
    *base = region();
    lay_out(*base, 14, 14, 16);
    auto ch = static_channel_open(config(static_port(), false), region_of(*base), *base,
                                  kernel::Ticks{10});
    EXPECT_TRUE(ch.ok());
    return ch ? *ch : nullptr;
  }

  uint32_t peer_port_ = 0;
  int peer_events_ = 0;
  size_t heap_free_ = 0;
  unsigned bound_ = 0;
  std::vector<std::unique_ptr<char, FreeDeleter>> regions_;
};

TEST_F(StaticChannelGlue, TheOwnerLaysTheRegionOutAndTalks) {
  with_glue([&] {
    char* base = region();
    auto ch = static_channel_open(config(static_port(), true), region_of(base), base, kNoWait);
    ASSERT_TRUE(ch.ok()) << ch.error().message;
    EXPECT_TRUE((*ch)->owner());
    const StaticHeader* h = static_header(base);
    EXPECT_EQ(h->magic, kStaticMagic);
    EXPECT_EQ(h->region_pages, 16u);
    EXPECT_EQ(shared(base)->left_order, 14);
    EXPECT_EQ(shared(base)->right_order, 14);
    EXPECT_EQ(shared(base)->srv_live, 1);
    EXPECT_EQ(shared(base)->cli_live, 2);
    EXPECT_GE(peer_events_, 1);  // a borrower may be waiting
    EXPECT_FALSE((*ch)->connected());

    // The test connects as the borrower and writes into the left ring.
    shared(base)->cli_live = 1;
    std::memcpy(base + 4096, "hello", 5);
    shared(base)->left.prod = 5;
    ASSERT_TRUE(fake::peer_send(fake::kPeer, peer_port_));
    ASSERT_TRUE((*ch)->wait_connected(kernel::Ticks{10}).ok());
    char buf[8] = {};
    ASSERT_TRUE((*ch)->read_all(buf, 5, kernel::Ticks{10}).ok());
    EXPECT_STREQ(buf, "hello");
    EXPECT_EQ(shared(base)->left.cons, 5u);
    ASSERT_TRUE((*ch)->write_all("world", 5, kernel::Ticks{10}).ok());
    EXPECT_EQ(std::memcmp(base + 5 * 4096, "world", 5), 0);  // the right ring, after 4 pages
    EXPECT_EQ(shared(base)->right.prod, 5u);

    const int events = peer_events_;
    (*ch)->close();
    EXPECT_EQ(shared(base)->srv_live, 0);
    EXPECT_GT(peer_events_, events);
  });
}

TEST_F(StaticChannelGlue, TheBorrowerConnectsToTheOwnersLayout) {
  with_glue([&] {
    char* base = region();
    lay_out(base, 12, 13, 16);  // one page left, two right
    auto ch =
        static_channel_open(config(static_port(), false), region_of(base), base, kernel::Ticks{10});
    ASSERT_TRUE(ch.ok()) << ch.error().message;
    EXPECT_EQ(shared(base)->cli_live, 1);
    EXPECT_EQ((*ch)->write_capacity(), 4096u);
    EXPECT_EQ((*ch)->read_capacity(), 8192u);
    std::memcpy(base + 2 * 4096, "abc", 3);  // the right ring, after the left's page
    shared(base)->right.prod = 3;
    char buf[4] = {};
    auto n = (*ch)->read(buf, sizeof buf, kernel::Ticks{10});
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 3u);
    EXPECT_STREQ(buf, "abc");
    (*ch)->close();
    EXPECT_EQ(shared(base)->cli_live, 0);
  });
}

TEST_F(StaticChannelGlue, TheBorrowerGivesUpWhenNoOwnerComes) {
  with_glue([&] {
    char* base = region();
    auto ch =
        static_channel_open(config(static_port(), false), region_of(base), base, kernel::Ticks{20});
    ASSERT_FALSE(ch.ok());
    EXPECT_EQ(ch.error().code, Errc::kTimeout);
    EXPECT_NE(std::strstr(ch.error().message, "never laid the region out"), nullptr);
    EXPECT_EQ(shared(base)->cli_live, 0);  // nothing written
  });
}

TEST_F(StaticChannelGlue, HostileLayoutsAreRefused) {
  struct Case {
    uint16_t left, right;
    uint32_t pages, version;
    const char* message;
  };
  const Case cases[] = {
      {20, 20, 16, kStaticVersion, "do not fit"},   // rings far beyond the region
      {15, 15, 16, kStaticVersion, "do not fit"},   // 1 + 8 + 8 pages in 16
      {10, 10, 16, kStaticVersion, "same offset"},  // two in-page rings in one place
      {9, 11, 16, kStaticVersion, "out of range"},
      {12, 12, 99, kStaticVersion, "size differs"},
      {12, 12, 16, 2, "version"},
  };
  with_glue([&] {
    const uint32_t port = static_port();
    for (const Case& c : cases) {
      char* base = region();
      lay_out(base, c.left, c.right, c.pages);
      static_header(base)->version = c.version;
      auto ch = static_channel_open(config(port, false), region_of(base), base, kernel::Ticks{5});
      ASSERT_FALSE(ch.ok()) << c.message;
      EXPECT_NE(std::strstr(ch.error().message, c.message), nullptr) << ch.error().message;
      EXPECT_EQ(shared(base)->cli_live, 2);  // never connected
    }
  });
}

TEST_F(StaticChannelGlue, GarbageIndicesBreakTheStream) {
  with_glue([&] {
    char* base = nullptr;
    StaticChannel* ch = borrower(&base);
    ASSERT_NE(ch, nullptr);
    shared(base)->right.prod = 0x7fff0000;  // far more than the ring holds
    char buf[16];
    auto n = ch->read(buf, sizeof buf, kernel::Ticks{10});
    ASSERT_FALSE(n.ok());
    EXPECT_TRUE(ch->broken());
    EXPECT_EQ(ch->write("x", 1, kernel::Ticks{10}).error().code, Errc::kIo);
    ch->close();
    // An index that goes backwards is refused the same way.
    ch = borrower(&base);
    ASSERT_NE(ch, nullptr);
    ASSERT_TRUE(ch->write_all("abcd", 4, kernel::Ticks{10}).ok());
    shared(base)->left.cons = 0xfffffff0;
    EXPECT_FALSE(ch->write_all("efgh", 4, kernel::Ticks{10}).ok());
    EXPECT_TRUE(ch->broken());
    ch->close();
  });
}

TEST_F(StaticChannelGlue, APeerThatClosesEndsReadsAfterItsData) {
  with_glue([&] {
    char* base = nullptr;
    StaticChannel* ch = borrower(&base);
    ASSERT_NE(ch, nullptr);
    std::memcpy(base + 5 * 4096, "xyz", 3);
    shared(base)->right.prod = 3;
    shared(base)->srv_live = 0;  // the owner went
    char buf[8] = {};
    auto n = ch->read(buf, sizeof buf, kernel::Ticks{10});
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 3u);
    n = ch->read(buf, sizeof buf, kernel::Ticks{10});
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error().code, Errc::kNotFound);
    EXPECT_EQ(ch->write("a", 1, kernel::Ticks{10}).error().code, Errc::kNotFound);
    ch->close();
  });
}

TEST_F(StaticChannelGlue, ShutdownMarksEveryOpenChannelClosed) {
  with_glue([&] {
    char* owned = region();
    char* borrowed = region();
    lay_out(borrowed, 10, 11, 16);
    auto a = static_channel_open(config(static_port(), true), region_of(owned), owned, kNoWait);
    auto b = static_channel_open(config(static_port(), false), region_of(borrowed), borrowed,
                                 kernel::Ticks{10});
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(static_channel::open_count(), 2u);
    const int events = peer_events_;
    static_channel_close_all();
    EXPECT_EQ(shared(owned)->srv_live, 0);
    EXPECT_EQ(shared(borrowed)->cli_live, 0);
    EXPECT_GT(peer_events_, events);
    (*a)->close();
    (*b)->close();
  });
}

TEST_F(StaticChannelGlue, AnOwnerRefusedForWantOfASlotLeavesTheRegionUntouched) {
  with_glue([&] {
    std::vector<StaticChannel*> open;
    for (int i = 0; i < 8; ++i) {
      char* base = region();
      auto ch = static_channel_open(config(static_port(), true), region_of(base), base, kNoWait);
      ASSERT_TRUE(ch.ok()) << ch.error().message;
      open.push_back(*ch);
    }
    char* ninth = region();
    auto ch = static_channel_open(config(static_port(), true), region_of(ninth), ninth, kNoWait);
    ASSERT_FALSE(ch.ok());
    EXPECT_EQ(ch.error().code, Errc::kNoMemory);
    // No layout a borrower would take, no magic, no live flags.
    EXPECT_EQ(static_header(ninth)->magic, 0u);
    EXPECT_EQ(shared(ninth)->srv_live, 0);
    EXPECT_EQ(shared(ninth)->left_order, 0);
    for (StaticChannel* c : open) c->close();
  });
}

TEST_F(StaticChannelGlue, ARegionOfAnotherSizeThanDeclaredIsRefused) {
  with_glue([&] {
    char* base = region(0x2000);
    auto ch =
        static_channel_open(config(static_port(), true), region_of(base, 0x2000), base, kNoWait);
    ASSERT_FALSE(ch.ok());
    EXPECT_EQ(ch.error().code, Errc::kInvalid);
    EXPECT_EQ(static_header(base)->magic, 0u);
  });
}

TEST_F(StaticChannelGlue, ADoorbellRingsAndWaits) {
  with_glue([&] {
    const uint32_t port = static_port();
    auto d = static_channel_doorbell(StaticChannelConfig{"bell", "peer-app", port, 0, false});
    ASSERT_TRUE(d.ok());
    (void)(*d)->wait(kNoWait);  // whatever was pending at bind
    ASSERT_TRUE((*d)->ring().ok());
    EXPECT_EQ(peer_events_, 1);
    EXPECT_EQ((*d)->wait(kernel::Ticks{5}).error().code, Errc::kTimeout);
    ASSERT_TRUE(fake::peer_send(fake::kPeer, peer_port_));
    EXPECT_TRUE((*d)->wait(kernel::Ticks{5}).ok());
    (*d)->close();
    EXPECT_TRUE(fake::port_in_use(EvtchnPort{port}));  // Xen's binding stays
    EXPECT_FALSE(static_channel_doorbell(StaticChannelConfig{"x", "p", 0, 0, false}).ok());
  });
}

TEST_F(StaticChannelGlue, OpenFindsTheDeclarationAndTheRegionInTheDeviceTree) {
  with_glue([&] {
    ASSERT_EQ(static_port(), 3u);  // what kDeclared says for "ping"
    char* base = region();
    const uint64_t at = reinterpret_cast<uintptr_t>(base);
    Writer w;
    w.begin("").u32("#address-cells", 2).u32("#size-cells", 2);
    w.begin("reserved-memory").u32("#address-cells", 2).u32("#size-cells", 2);
    w.begin("xen-shmem@0").str("compatible", "xen,shared-memory-v1");
    w.cells("reg", {static_cast<uint32_t>(at >> 32), static_cast<uint32_t>(at), 0, kSize});
    w.str("xen,id", "ping").end().end();
    const Blob blob = w.end().finish();
    fake::set_device_tree(blob.data());

    EXPECT_EQ(static_channel::open("nope", kNoWait).error().code, Errc::kNotFound);
    EXPECT_EQ(static_channel::doorbell("nope").error().code, Errc::kNotFound);
    EXPECT_EQ(static_channel::open("bell", kNoWait).error().code, Errc::kInvalid);
    fake::fail_map_shared_memory();
    EXPECT_EQ(static_channel::open("ping", kNoWait).error().code, Errc::kNoMemory);
    auto ch = static_channel::open("ping", kNoWait);
    ASSERT_TRUE(ch.ok()) << ch.error().message;
    EXPECT_EQ((*ch)->region().base, at);
    EXPECT_EQ(static_header(base)->magic, kStaticMagic);
    (*ch)->close();
    fake::set_device_tree(nullptr);
  });
}

}  // namespace
}  // namespace petrel::xen::test
