// xen/src/xenstore.cc against the fake xenstored, over the real ring and
// wire protocol: requests and watches, and a xenstored that replies with
// errors, to nobody, with the wrong type, too long, with indices that go
// backwards or too far, in pieces, that vanishes mid-transaction, stops
// taking a request half-way, or corrupts the request ring. Each call
// returns the right error, and the connection is either still usable or
// declared lost for good, never half-followed.
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include <string>
#include <vector>

#include "fixture.h"
#include "petrel/kernel/ticks.h"

namespace petrel::xen::test {
namespace {

using Fault = fake::xenstored::Fault;

class XenstoreGlue : public XenFakeTest {
 protected:
  // Runs `body` with xenstore connected and a short timeout (100 ms).
  void with_xenstore(std::function<void()> body) {
    run([&] {
      connect_xenstore();
      xenstore::set_timeout(kernel::Ticks{100});
      body();
    });
  }
  static std::string read(const char* path) {
    char buf[64];
    auto n = xenstore::read(path, buf, sizeof buf);
    return n ? std::string(buf, *n) : std::string("error: ") + n.error().message;
  }
  // The connection still works.
  static void expect_usable() {
    EXPECT_TRUE(xenstore::write("data/probe", "1").ok());
    EXPECT_EQ(read("data/probe"), "1");
  }
  // The connection is lost, for this and every later call.
  static void expect_lost() {
    Status s = xenstore::write("data/probe", "1");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::kIo);
    EXPECT_TRUE(xenstore::stats().connection_lost);
  }
};

TEST_F(XenstoreGlue, RequestsReachXenstoredAndComeBack) {
  with_xenstore([&] {
    auto id = xenstore::domain_id();
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(*id, fake::kSelf);
    ASSERT_TRUE(xenstore::write("data/x", "1").ok());
    EXPECT_EQ(fake::xenstored::read("data/x"), "1");
    ASSERT_TRUE(xenstore::mkdir("data/y").ok());
    char list[64];
    auto n = xenstore::directory("data", list, sizeof list);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(std::string(list, *n), std::string("x\0y\0", 4));
    const char* perms[] = {"n5", "r7"};
    ASSERT_TRUE(xenstore::set_permissions("data/x", perms, 2).ok());
    n = xenstore::get_permissions("data/x", list, sizeof list);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(std::string(list, *n), std::string("n5\0r7\0", 6));
    ASSERT_TRUE(xenstore::remove("data/x").ok());
    EXPECT_EQ(read("data/x"), "error: xenstore: ENOENT");
    EXPECT_EQ(xenstore::stats().stray_replies, 0u);
  });
}

TEST_F(XenstoreGlue, AValueLargerThanTheBufferIsAnErrorNotATruncation) {
  with_xenstore([&] {
    fake::xenstored::write("data/long", std::string(40, 'v'));
    char small[16];
    auto n = xenstore::read("data/long", small, sizeof small);
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.error().code, Errc::kOutOfRange);
    expect_usable();
  });
}

TEST_F(XenstoreGlue, AnErrorReplyIsNamed) {
  with_xenstore([&] {
    fake::xenstored::fault_next(Fault::kErrorReply, "EACCES");
    Status s = xenstore::write("data/x", "1");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::kPermission);
    EXPECT_STREQ(s.error().message, "xenstore: EACCES");
    fake::xenstored::fault_next(Fault::kErrorReply, "EWHATEVER");
    EXPECT_EQ(xenstore::write("data/x", "1").error().code, Errc::kIo);
    expect_usable();
  });
}

TEST_F(XenstoreGlue, AReplyWithAnotherRequestsIdIsStrayAndTheCallTimesOut) {
  with_xenstore([&] {
    fake::xenstored::fault_next(Fault::kWrongReqId);
    Status s = xenstore::write("data/x", "1");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::kTimeout);
    EXPECT_EQ(xenstore::stats().stray_replies, 1u);
    expect_usable();
  });
}

TEST_F(XenstoreGlue, AReplyOfTheWrongTypeFailsOnlyThatCall) {
  with_xenstore([&] {
    fake::xenstored::fault_next(Fault::kWrongType);
    Status s = xenstore::write("data/x", "1");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::kIo);
    EXPECT_STREQ(s.error().message, "xenstore: reply of the wrong type");
    expect_usable();
  });
}

TEST_F(XenstoreGlue, AReplyInPiecesIsReassembled) {
  with_xenstore([&] {
    fake::xenstored::write("data/x", "split");
    fake::xenstored::fault_next(Fault::kSplit);
    EXPECT_EQ(read("data/x"), "split");
    expect_usable();
  });
}

// A stream xenstored can no longer be followed on: the call waiting fails
// with kIo at once, and so does every later one.
class XenstoreLost : public XenstoreGlue, public ::testing::WithParamInterface<Fault> {};

TEST_P(XenstoreLost, TheConnectionIsLostForGood) {
  with_xenstore([&] {
    fake::xenstored::fault_next(GetParam());
    const uint64_t ticks_before = host::now();
    Status s = xenstore::write("data/x", "1");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::kIo);
    EXPECT_EQ(host::now(), ticks_before);  // at once, not at the timeout
    expect_lost();
    EXPECT_EQ(xenstore::transaction_start().error().code, Errc::kIo);
  });
}

INSTANTIATE_TEST_SUITE_P(Hostile, XenstoreLost,
                         ::testing::Values(Fault::kOversize, Fault::kUnknownType, Fault::kBackwards,
                                           Fault::kTooFar),
                         [](const auto& info) {
                           switch (info.param) {
                             case Fault::kOversize:
                               return "Oversize";
                             case Fault::kUnknownType:
                               return "UnknownType";
                             case Fault::kBackwards:
                               return "IndexBackwards";
                             default:
                               return "IndexTooFar";
                           }
                         });

TEST_F(XenstoreGlue, ACorruptRequestRingLosesTheConnection) {
  with_xenstore([&] {
    fake::xenstored::corrupt_request_ring();
    Status s = xenstore::write("data/x", "1");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::kIo);
    expect_lost();
  });
}

TEST_F(XenstoreGlue, AVanishedXenstoredTimesOutThenItsLateRepliesAreStray) {
  with_xenstore([&] {
    auto tx = xenstore::transaction_start();
    ASSERT_TRUE(tx.ok());
    fake::xenstored::vanish();
    Status w = xenstore::write("data/x", "1", *tx);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().code, Errc::kTimeout);
    Status end = xenstore::transaction_end(*tx, false);
    EXPECT_EQ(end.error().code, Errc::kTimeout);
    fake::xenstored::revive();  // answers both, to nobody
    EXPECT_EQ(xenstore::stats().stray_replies, 2u);
    EXPECT_FALSE(xenstore::stats().connection_lost);
    expect_usable();
  });
}

TEST_F(XenstoreGlue, ATransactionBodyThatFailsAbortsIt) {
  with_xenstore([&] {
    const uint64_t before = fake::xenstored::requests();
    Status s = xenstore::transaction([&](xenstore::Transaction tx) -> Status {
      fake::xenstored::fault_next(Fault::kErrorReply, "ENOSPC");
      return xenstore::write("data/x", "1", tx);
    });
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::kNoMemory);
    EXPECT_EQ(fake::xenstored::requests(), before + 3);  // start, write, end (abort)
    expect_usable();
  });
}

TEST_F(XenstoreGlue, ATransactionIsRetriedOnConflictsAndGivesUp) {
  with_xenstore([&] {
    int runs = 0;
    auto body = [&](xenstore::Transaction tx) {
      ++runs;
      return xenstore::write("data/t", "1", tx);
    };
    fake::xenstored::conflict_commits(2);
    ASSERT_TRUE(xenstore::transaction(body).ok());
    EXPECT_EQ(runs, 3);
    fake::xenstored::conflict_commits(100);
    runs = 0;
    Status s = xenstore::transaction(body, 4);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::kBusy);
    EXPECT_EQ(runs, 4);
    fake::xenstored::conflict_commits(0);
  });
}

TEST_F(XenstoreGlue, ATransactionIdThatIsNotANumberIsAnError) {
  with_xenstore([&] {
    fake::xenstored::fault_next(Fault::kBadTransaction);
    auto tx = xenstore::transaction_start();
    ASSERT_FALSE(tx.ok());
    EXPECT_EQ(tx.error().code, Errc::kIo);
    expect_usable();
  });
}

TEST_F(XenstoreGlue, ARequestLeftHalfWrittenLosesTheConnection) {
  with_xenstore([&] {
    fake::xenstored::vanish();  // takes nothing: the 1 KiB request ring fills
    Status s = xenstore::write("data/big", std::string(3000, 'b').c_str());
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::kTimeout);
    fake::xenstored::revive();
    expect_lost();
  });
}

std::vector<std::string> g_fired;
void note(const char* path, void*) {
  g_fired.emplace_back(path);
}

TEST_F(XenstoreGlue, WatchesFireUntilRemoved) {
  g_fired.clear();
  with_xenstore([&] {
    auto w = xenstore::watch("data/w", note, nullptr);
    ASSERT_TRUE(w.ok());
    fake::xenstored::write("data/w/sub", "1");
    fake::xenstored::write("data/other", "1");
    ASSERT_TRUE(xenstore::unwatch(*w).ok());
    EXPECT_EQ(fake::xenstored::watches(), 0u);
    fake::xenstored::write("data/w", "2");
    EXPECT_EQ(xenstore::unwatch(*w).error().code, Errc::kNotFound);
  });
  EXPECT_EQ(g_fired, (std::vector<std::string>{"data/w", "data/w/sub"}));
}

TEST_F(XenstoreGlue, AWatchXenstoredRefusesKeepsNoSlot) {
  with_xenstore([&] {
    fake::xenstored::fault_next(Fault::kErrorReply, "EACCES");
    EXPECT_EQ(xenstore::watch("data/w", note, nullptr).error().code, Errc::kPermission);
    std::vector<xenstore::Watch> all;
    for (unsigned i = 0; i < xenstore::kMaxWatches; ++i) {
      auto w = xenstore::watch("data/w", note, nullptr);
      ASSERT_TRUE(w.ok());
      all.push_back(*w);
    }
    EXPECT_EQ(xenstore::watch("data/w", note, nullptr).error().code, Errc::kNoMemory);
    for (auto w : all) ASSERT_TRUE(xenstore::unwatch(w).ok());
    EXPECT_EQ(fake::xenstored::watches(), 0u);
  });
}

TEST_F(XenstoreGlue, MalformedWatchEventsAndStrayRepliesAreDropped) {
  g_fired.clear();
  with_xenstore([&] {
    auto w = xenstore::watch("data/w", note, nullptr);
    ASSERT_TRUE(w.ok());
    fake::xenstored::inject(XS_WATCH_EVENT, 0, std::string("data/w\0", 7));  // no token
    fake::xenstored::inject(XS_WATCH_EVENT, 0, std::string("data/w\0petrel-99\0", 17));
    fake::xenstored::inject(XS_READ, 4242, "nobody asked");
    EXPECT_EQ(xenstore::stats().stray_replies, 1u);
    expect_usable();
  });
  EXPECT_EQ(g_fired, (std::vector<std::string>{"data/w"}));
}

TEST_F(XenstoreGlue, WithoutXenstoreEveryCallFailsAtOnce) {
  fake::Config c;
  c.xenstore = false;
  start(c);
  EXPECT_EQ(xenstore::init().error().code, Errc::kNotFound);
  char buf[8];
  auto n = xenstore::read("domid", buf, sizeof buf);
  ASSERT_FALSE(n.ok());
  EXPECT_STREQ(n.error().message, "xenstore: not available in this domain");
  EXPECT_EQ(xenstore::watch("x", note, nullptr).error().code, Errc::kNotFound);
}

TEST_F(XenstoreGlue, InitAfterAFailedBindWorks) {
  run([&] {
    ASSERT_TRUE(evtchn::ready());
    std::vector<EvtchnPort> ports;
    for (unsigned i = 0; i < evtchn::kMaxBound; ++i) {
      auto p = evtchn::alloc_unbound(fake::kPeer);
      ASSERT_TRUE(p.ok());
      ASSERT_TRUE(evtchn::bind(
                      *p, [](EvtchnPort, void*) {}, nullptr)
                      .ok());
      ports.push_back(*p);
    }
    Status s = xenstore::init();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::kNoMemory);
    EXPECT_FALSE(xenstore::available());
    ASSERT_TRUE(evtchn::close(ports.back()).ok());
    ASSERT_TRUE(xenstore::init().ok());
    expect_usable();
  });
}

}  // namespace
}  // namespace petrel::xen::test
