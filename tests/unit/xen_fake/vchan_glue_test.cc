// xen/src/vchan.cc against the fake Xen, the peer domain played by the
// test: a server that runs out of grants, ports or xenstore's goodwill, a
// server closed while its client still maps its pages, a client facing a
// hostile server page, and a connected client whose peer corrupts the ring.
// Every failure gives back each grant, mapping, port and heap block.
#include <stdint.h>

#include <cstring>
#include <string>
#include <vector>

#include "fixture.h"
#include "petrel/kernel/heap.h"
#include "petrel/xen/vchan_layout.h"

namespace petrel::xen::test {
namespace {

class VchanGlue : public XenFakeTest {
 protected:
  // Runs `body` with xenstore connected, then checks that nothing is left.
  void with_xenstore(std::function<void()> body) {
    run([&] {
      connect_xenstore();
      xenstore::set_timeout(kernel::Ticks{100});
      ASSERT_TRUE(grant::ready());
      heap_free_ = kernel::heap_stats().free;
      ports_ = fake::ports_in_use();
      body();
    });
  }
  void expect_nothing_left() {
    EXPECT_EQ(grant::stats().granted, 0u);
    EXPECT_EQ(grant::stats().mapped, 0u);
    EXPECT_EQ(fake::guest_mappings(), 0u);
    EXPECT_EQ(fake::ports_in_use(), ports_);
    EXPECT_EQ(vchan::stats().open, 0u);
    EXPECT_EQ(vchan::stats().pending_grants, 0u);
    EXPECT_EQ(kernel::heap_stats().free, heap_free_);
  }
  size_t heap_free_ = 0;
  unsigned ports_ = 0;
};

TEST_F(VchanGlue, AServerPublishesItselfAndCleansUp) {
  with_xenstore([&] {
    auto v = vchan::server(fake::kPeer, "data/vchan", 1024, 2048);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(grant::stats().granted, 1u);  // in-page rings: the shared page alone
    EXPECT_TRUE(fake::xenstored::read("data/vchan/ring-ref").has_value());
    EXPECT_TRUE(fake::xenstored::read("data/vchan/event-channel").has_value());
    EXPECT_FALSE((*v)->connected());
    (*v)->close();
    EXPECT_FALSE(fake::xenstored::read("data/vchan").has_value());
    expect_nothing_left();
  });
}

TEST_F(VchanGlue, AServerWithoutEnoughGrantsLeavesNothing) {
  with_xenstore([&] {
    std::vector<GrantRef> taken;
    while (grant::stats().granted + 2 < grant::stats().capacity) {
      auto r = grant::grant_access(fake::kPeer, reinterpret_cast<void*>(0x30000000), true);
      ASSERT_TRUE(r.ok());
      taken.push_back(*r);
    }
    auto v = vchan::server(fake::kPeer, "data/vchan", 8192, 8192);  // 5 pages
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, Errc::kNoMemory);
    EXPECT_EQ(grant::stats().granted, taken.size());
    for (GrantRef r : taken) ASSERT_TRUE(grant::end_access(r).ok());
    EXPECT_FALSE(fake::xenstored::read("data/vchan").has_value());
    expect_nothing_left();
  });
}

TEST_F(VchanGlue, AServerWithoutAPortLeavesNothing) {
  fake::Config c;
  c.max_ports = 3;  // xenstore's and the console's ports take them all
  start(c);
  with_xenstore([&] {
    auto v = vchan::server(fake::kPeer, "data/vchan", 1024, 2048);
    ASSERT_FALSE(v.ok());
    EXPECT_STREQ(v.error().message, "Xen: ENOSPC");
    expect_nothing_left();
  });
}

TEST_F(VchanGlue, AServerXenstoreRefusesLeavesNothing) {
  with_xenstore([&] {
    fake::xenstored::fault_next(fake::xenstored::Fault::kErrorReply, "EACCES");
    auto v = vchan::server(fake::kPeer, "data/vchan", 1024, 2048);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, Errc::kPermission);
    EXPECT_FALSE(fake::xenstored::read("data/vchan").has_value());
    expect_nothing_left();
    EXPECT_EQ(vchan::server(fake::kPeer, std::string(120, 'p').c_str(), 1024, 2048).error().code,
              Errc::kOutOfRange);
  });
}

TEST_F(VchanGlue, PagesAClientStillMapsWaitForReap) {
  with_xenstore([&] {
    auto v = vchan::server(fake::kPeer, "data/vchan", 8192, 1024);  // 1 + 2 pages
    ASSERT_TRUE(v.ok());
    const GrantRef ref{static_cast<uint32_t>(
        std::stoul(fake::xenstored::read("data/vchan/ring-ref").value_or("0")))};
    ASSERT_NE(fake::peer_map(fake::kPeer, ref, false), nullptr);
    (*v)->close();
    EXPECT_EQ(vchan::stats().pending_grants, 1u);
    EXPECT_EQ(vchan::reap(), 1u);
    EXPECT_LT(kernel::heap_stats().free, heap_free_);  // the block stays out of the heap
    fake::peer_unmap(fake::kPeer, ref);
    EXPECT_EQ(vchan::reap(), 0u);
    expect_nothing_left();
  });
}

// --- the client side, facing a server page the test makes ---

struct PeerServer {
  char* page;
  VchanShared* shared;
  uint32_t port;
  int events = 0;
};

class VchanClient : public VchanGlue {
 protected:
  // A server in kPeer at /local/domain/7/vchan with rings of the orders
  // given, published as libxenvchan does.
  PeerServer& offer(uint16_t left, uint16_t right) {
    server_.page = static_cast<char*>(fake::peer_page(fake::kPeer));
    server_.shared = reinterpret_cast<VchanShared*>(server_.page);
    server_.shared->left_order = left;
    server_.shared->right_order = right;
    server_.shared->cli_live = 2;
    server_.shared->srv_live = 1;
    server_.shared->cli_notify = kVchanNotifyWrite;
    server_.shared->srv_notify = kVchanNotifyWrite;
    const GrantRef ref = fake::peer_grant(fake::kPeer, server_.page, false);
    server_.port = fake::peer_alloc_unbound(fake::kPeer, [this] { ++server_.events; });
    fake::xenstored::write(kPath + "/ring-ref", std::to_string(ref.value));
    fake::xenstored::write(kPath + "/event-channel", std::to_string(server_.port));
    return server_;
  }
  Result<Vchan*> connect() { return vchan::client(fake::kPeer, kPath.c_str()); }

  const std::string kPath = "/local/domain/7/vchan";
  PeerServer server_{};
};

TEST_F(VchanClient, TalksToAPeerServerUntilItCorruptsTheRing) {
  with_xenstore([&] {
    PeerServer& s = offer(10, 11);
    auto v = connect();
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(s.shared->cli_live, 1);
    ASSERT_TRUE((*v)->write_all("hi", 2, kernel::Ticks{10}).ok());
    EXPECT_EQ(std::string(s.page + 1024, 2), "hi");  // the left ring, in-page at 1 KiB
    EXPECT_EQ(s.shared->left.prod, 2u);
    std::memcpy(s.page + 2048, "yo", 2);  // the right ring, at 2 KiB
    __atomic_store_n(&s.shared->right.prod, 2u, __ATOMIC_RELEASE);
    fake::peer_send(fake::kPeer, s.port);
    char buf[8];
    auto n = (*v)->read(buf, sizeof buf, kernel::Ticks{10});
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(std::string(buf, *n), "yo");
    __atomic_store_n(&s.shared->right.prod, 2u + 5000, __ATOMIC_RELEASE);  // beyond the ring
    auto bad = (*v)->read(buf, sizeof buf, kernel::Ticks{10});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, Errc::kIo);
    EXPECT_TRUE((*v)->broken());
    EXPECT_EQ((*v)->write("x", 1, kernel::Ticks{1}).error().code, Errc::kIo);
    (*v)->close();
    EXPECT_EQ(s.shared->cli_live, 0);
    expect_nothing_left();
  });
}

TEST_F(VchanClient, AServerThatIsNotThereOrNotANumber) {
  with_xenstore([&] {
    auto none = connect();
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, Errc::kNotFound);
    fake::xenstored::write(kPath + "/ring-ref", "twelve");
    fake::xenstored::write(kPath + "/event-channel", "3");
    EXPECT_EQ(connect().error().code, Errc::kInvalid);
    fake::xenstored::write(kPath + "/ring-ref", "4000");  // the peer granted nothing
    auto unmapped = connect();
    ASSERT_FALSE(unmapped.ok());
    EXPECT_STREQ(unmapped.error().message, "unrecognised domain id");
    expect_nothing_left();
  });
}

// A hostile shared page: each is refused, and what was mapped or bound
// before the refusal is given back.
TEST_F(VchanClient, HostileServerPagesAreRefusedCleanly) {
  with_xenstore([&] {
    offer(9, 11);  // order below the minimum
    EXPECT_EQ(connect().error().code, Errc::kOutOfRange);
    expect_nothing_left();
    offer(10, 10);  // both rings at one offset
    EXPECT_EQ(connect().error().code, Errc::kInvalid);
    expect_nothing_left();
    PeerServer& s = offer(13, 10);  // two ring pages, whose grants are bogus
    vchan_grants(s.shared)[0] = 4000;
    vchan_grants(s.shared)[1] = 4001;
    EXPECT_FALSE(connect().ok());
    expect_nothing_left();
    PeerServer& t = offer(10, 11);
    t.shared->left.prod = 5000;  // the client's ring claims more than it holds
    EXPECT_EQ(connect().error().code, Errc::kIo);
    expect_nothing_left();
    PeerServer& u = offer(10, 11);
    fake::peer_close(fake::kPeer, u.port);  // its event channel is gone
    EXPECT_EQ(connect().error().code, Errc::kInvalid);
    expect_nothing_left();
  });
}

}  // namespace
}  // namespace petrel::xen::test
