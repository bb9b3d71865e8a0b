// xen/src/evtchn.cc against the fake Xen: bring-up over both ABIs and its
// failures, delivery, masking, and every error path leaving no port or
// handler slot behind.
#include <stdint.h>
#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/vcpu.h>

#include "fixture.h"
#include "petrel/arch.h"
#include "petrel/xen/abi.h"

namespace petrel::xen::test {
namespace {

void count(EvtchnPort, void* ctx) {
  ++*static_cast<int*>(ctx);
}

// A loopback pair: `a` unbound for ourselves, `b` bound to it.
struct Pair {
  EvtchnPort a, b;
};
Pair loopback() {
  auto a = evtchn::alloc_unbound(kDomainSelf);
  EXPECT_TRUE(a.ok());
  auto b = evtchn::bind_interdomain(kDomainSelf, a.value_or(EvtchnPort{}));
  EXPECT_TRUE(b.ok());
  return Pair{a.value_or(EvtchnPort{}), b.value_or(EvtchnPort{})};
}

// Over the FIFO ABI (true) and the 2-level ABI (false).
class EvtchnGlue : public XenFakeTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    fake::Config c;
    c.fifo = GetParam();
    start(c);
  }
};

TEST_P(EvtchnGlue, ComesUpWithTheAbiXenOffers) {
  ASSERT_TRUE(evtchn::ready());
  EXPECT_STREQ(evtchn::abi_name(), GetParam() ? "FIFO" : "2-level");
}

TEST_P(EvtchnGlue, DeliversLoopbackEventsBothWays) {
  ASSERT_TRUE(evtchn::ready());
  const Pair p = loopback();
  int at_a = 0, at_b = 0;
  ASSERT_TRUE(evtchn::bind(p.a, count, &at_a).ok());
  ASSERT_TRUE(evtchn::bind(p.b, count, &at_b).ok());
  ASSERT_TRUE(evtchn::send(p.b).ok());
  EXPECT_EQ(at_a, 1);
  ASSERT_TRUE(evtchn::send(p.a).ok());
  ASSERT_TRUE(evtchn::send(p.a).ok());
  EXPECT_EQ(at_b, 2);
  EXPECT_EQ(evtchn::stats().bound, 2u);
}

TEST_P(EvtchnGlue, AMaskedPortKeepsItsEventUntilUnmasked) {
  ASSERT_TRUE(evtchn::ready());
  const Pair p = loopback();
  int at_a = 0;
  ASSERT_TRUE(evtchn::bind(p.a, count, &at_a).ok());
  evtchn::mask(p.a);
  ASSERT_TRUE(evtchn::send(p.b).ok());
  EXPECT_EQ(at_a, 0);
  ASSERT_TRUE(evtchn::unmask(p.a).ok());
  EXPECT_EQ(at_a, 1);
}

TEST_P(EvtchnGlue, AnEventWithoutAHandlerIsCountedAndMasked) {
  ASSERT_TRUE(evtchn::ready());
  const Pair p = loopback();  // Xen raised b once already: nobody handles it
  const uint64_t before = evtchn::stats().unbound;
  EXPECT_GE(before, 1u);
  ASSERT_TRUE(evtchn::send(p.b).ok());  // to a, which has no handler either
  EXPECT_EQ(evtchn::stats().unbound, before + 1);
  ASSERT_TRUE(evtchn::send(p.b).ok());  // masked now: not taken again
  EXPECT_EQ(evtchn::stats().unbound, before + 1);
}

TEST_P(EvtchnGlue, ExhaustedPortsAreAnErrorAndComeBackWhenClosed) {
  fake::Config c;
  c.fifo = GetParam();
  c.max_ports = 16;  // port 0, xenstore's and the console's included
  start(c);
  ASSERT_TRUE(evtchn::ready());
  std::vector<EvtchnPort> ports;
  for (;;) {
    auto p = evtchn::alloc_unbound(fake::kPeer);
    if (!p) {
      EXPECT_EQ(p.error().code, Errc::kNoMemory);
      EXPECT_STREQ(p.error().message, "Xen: ENOSPC");
      break;
    }
    ports.push_back(*p);
    ASSERT_LT(ports.size(), 16u);
  }
  EXPECT_EQ(ports.size(), 13u);
  auto bound = evtchn::bind_virq(VIRQ_DEBUG);
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.error().code, Errc::kNoMemory);
  ASSERT_TRUE(evtchn::close(ports.back()).ok());
  ports.pop_back();
  auto again = evtchn::bind_virq(VIRQ_DEBUG);
  ASSERT_TRUE(again.ok());
  ports.push_back(*again);
  for (EvtchnPort p : ports) ASSERT_TRUE(evtchn::close(p).ok());
  EXPECT_EQ(fake::ports_in_use(), 2u);  // xenstore's and the console's
}

TEST_P(EvtchnGlue, AFullHandlerTableIsAnErrorAndHasRoomAfterAClose) {
  ASSERT_TRUE(evtchn::ready());
  int n = 0;
  std::vector<EvtchnPort> ports;
  for (unsigned i = 0; i < evtchn::kMaxBound; ++i) {
    auto p = evtchn::alloc_unbound(fake::kPeer);
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(evtchn::bind(*p, count, &n).ok());
    ports.push_back(*p);
  }
  auto extra = evtchn::alloc_unbound(fake::kPeer);
  ASSERT_TRUE(extra.ok());
  Status full = evtchn::bind(*extra, count, &n);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, Errc::kNoMemory);
  EXPECT_EQ(evtchn::stats().bound, evtchn::kMaxBound);
  ASSERT_TRUE(evtchn::close(ports[10]).ok());
  EXPECT_TRUE(evtchn::bind(*extra, count, &n).ok());
  EXPECT_EQ(evtchn::stats().bound, evtchn::kMaxBound);
}

TEST_P(EvtchnGlue, BindingAPortXenDoesNotKnowKeepsNoSlot) {
  ASSERT_TRUE(evtchn::ready());
  int n = 0;
  Status s = evtchn::bind(EvtchnPort{300}, count, &n);  // never allocated
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalid);
  EXPECT_EQ(evtchn::stats().bound, 0u);
  EXPECT_FALSE(evtchn::close(EvtchnPort{300}).ok());
}

TEST_P(EvtchnGlue, BadBindsAreRefused) {
  ASSERT_TRUE(evtchn::ready());
  const Pair p = loopback();
  int n = 0;
  EXPECT_EQ(evtchn::bind(EvtchnPort{0}, count, &n).error().code, Errc::kOutOfRange);
  EXPECT_EQ(evtchn::bind(EvtchnPort{4096}, count, &n).error().code, Errc::kOutOfRange);
  EXPECT_EQ(evtchn::bind(p.a, nullptr, &n).error().code, Errc::kOutOfRange);
  ASSERT_TRUE(evtchn::bind(p.a, count, &n).ok());
  EXPECT_EQ(evtchn::bind(p.a, count, &n).error().code, Errc::kBusy);
  EXPECT_EQ(evtchn::stats().bound, 1u);
}

TEST_P(EvtchnGlue, APeerEndTalksAndSeesTheCloseAndNoPortIsLeft) {
  ASSERT_TRUE(evtchn::ready());
  const unsigned before = fake::ports_in_use();
  int at_peer = 0, at_us = 0;
  const uint32_t peer_port = fake::peer_alloc_unbound(fake::kPeer, [&] { ++at_peer; });
  auto port = evtchn::bind_interdomain(fake::kPeer, EvtchnPort{peer_port});
  ASSERT_TRUE(port.ok());
  ASSERT_TRUE(evtchn::bind(*port, count, &at_us).ok());
  ASSERT_TRUE(evtchn::send(*port).ok());
  EXPECT_EQ(at_peer, 1);
  EXPECT_TRUE(fake::peer_send(fake::kPeer, peer_port));
  // Xen raised the new port once, before it had a handler: masked as
  // unhandled, then unmasked by bind(); the peer's event arrives.
  EXPECT_EQ(at_us, 1);
  ASSERT_TRUE(evtchn::close(*port).ok());
  EXPECT_EQ(fake::ports_in_use(), before);
  EXPECT_EQ(evtchn::stats().bound, 0u);
  EXPECT_FALSE(fake::peer_send(fake::kPeer, peer_port));  // its end is unbound now
  Status s = evtchn::send(*port);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalid);
  EXPECT_STREQ(s.error().message, "Xen: EINVAL");
}

TEST_P(EvtchnGlue, BindingToAPortThatIsNotOffered) {
  ASSERT_TRUE(evtchn::ready());
  const unsigned before = fake::ports_in_use();
  auto p = evtchn::bind_interdomain(fake::kPeer, EvtchnPort{4000});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, Errc::kInvalid);
  // A peer port already bound by us cannot be bound twice.
  const uint32_t peer_port = fake::peer_alloc_unbound(fake::kPeer, nullptr);
  auto once = evtchn::bind_interdomain(fake::kPeer, EvtchnPort{peer_port});
  ASSERT_TRUE(once.ok());
  EXPECT_FALSE(evtchn::bind_interdomain(fake::kPeer, EvtchnPort{peer_port}).ok());
  ASSERT_TRUE(evtchn::close(*once).ok());
  EXPECT_EQ(fake::ports_in_use(), before);
}

TEST_P(EvtchnGlue, VirqsAreDeliveredAndBoundOnce) {
  ASSERT_TRUE(evtchn::ready());
  auto p = evtchn::bind_virq(VIRQ_DEBUG);
  ASSERT_TRUE(p.ok());
  int n = 0;
  ASSERT_TRUE(evtchn::bind(*p, count, &n).ok());
  fake::raise_virq(VIRQ_DEBUG);
  EXPECT_EQ(n, 1);
  const unsigned before = fake::ports_in_use();
  EXPECT_FALSE(evtchn::bind_virq(VIRQ_DEBUG).ok());
  EXPECT_EQ(fake::ports_in_use(), before);
}

// A handler that sends runs in interrupt context: the upcall it causes
// waits until interrupts are back on, and is not lost.
TEST_P(EvtchnGlue, AnEventSentFromAHandlerIsNotLost) {
  ASSERT_TRUE(evtchn::ready());
  const Pair first = loopback(), second = loopback();
  static EvtchnPort relay_to;
  relay_to = second.b;
  int relayed = 0, at_end = 0;
  ASSERT_TRUE(evtchn::bind(
                  first.a,
                  [](EvtchnPort, void* ctx) {
                    ++*static_cast<int*>(ctx);
                    (void)evtchn::send(relay_to);
                  },
                  &relayed)
                  .ok());
  ASSERT_TRUE(evtchn::bind(second.a, count, &at_end).ok());
  ASSERT_TRUE(evtchn::send(first.b).ok());
  fake::deliver_upcalls();
  EXPECT_EQ(relayed, 1);
  EXPECT_EQ(at_end, 1);
}

INSTANTIATE_TEST_SUITE_P(Abi, EvtchnGlue, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Fifo" : "TwoLevel"; });

// --- bring-up ---

using EvtchnInit = XenFakeTest;

TEST_F(EvtchnInit, TheBootargsKeepTheTwoLevelAbi) {
  fake::Config c;
  c.bootargs = "console=hvc0 evtchn=2l";
  start(c);
  ASSERT_TRUE(evtchn::ready());
  EXPECT_STREQ(evtchn::abi_name(), "2-level");
  EXPECT_EQ(fake::calls(__HYPERVISOR_event_channel_op, EVTCHNOP_init_control), 0u);
}

TEST_F(EvtchnInit, FewerFifoPagesGiveFewerPorts) {
  fake::Config c;
  c.fifo_pages = 1;
  start(c);
  ASSERT_TRUE(evtchn::ready());
  EXPECT_STREQ(evtchn::abi_name(), "FIFO");
  const Pair p = loopback();
  int n = 0;
  ASSERT_TRUE(evtchn::bind(p.a, count, &n).ok());
  ASSERT_TRUE(evtchn::send(p.b).ok());
  EXPECT_EQ(n, 1);
}

TEST_F(EvtchnInit, AFifoControlBlockWithoutPagesIsAnErrorForGood) {
  fake::Config c;
  c.fifo_pages = 0;
  start(c);
  EXPECT_FALSE(evtchn::ready());
  Status s = evtchn::init(fake::board());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kIo);
  // Not tried again: the same answer without a hypercall.
  const uint64_t calls = fake::calls(__HYPERVISOR_event_channel_op, EVTCHNOP_init_control);
  EXPECT_FALSE(evtchn::ready());
  EXPECT_EQ(fake::calls(__HYPERVISOR_event_channel_op, EVTCHNOP_init_control), calls);
  int n = 0;
  EXPECT_EQ(evtchn::bind(EvtchnPort{5}, count, &n).error().code, Errc::kUnsupported);
}

TEST_F(EvtchnInit, SharedInfoRefusedIsAnErrorForGood) {
  fake::fail(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, -XEN_ENOMEM);
  Status s = evtchn::init(fake::board());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kNoMemory);
  EXPECT_STREQ(s.error().message, "Xen: ENOMEM");
  EXPECT_FALSE(evtchn::ready());
  EXPECT_EQ(fake::calls(__HYPERVISOR_memory_op, XENMEM_add_to_physmap), 1u);
  EXPECT_EQ(fake::calls(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info), 0u);
  int n = 0;
  EXPECT_EQ(evtchn::bind(EvtchnPort{5}, count, &n).error().code, Errc::kUnsupported);
  evtchn::mask(EvtchnPort{5});  // harmless before bring-up
}

TEST_F(EvtchnInit, VcpuInfoRefusedIsAnError) {
  fake::fail(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, -XEN_EINVAL);
  Status s = evtchn::init(fake::board());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalid);
  EXPECT_FALSE(evtchn::ready());
}

TEST_F(EvtchnInit, AnUpcallInterruptInUseIsAnError) {
  ASSERT_TRUE(arch::irq_register(
                  31, [](uint32_t, void*) {}, nullptr)
                  .ok());
  Status s = evtchn::init(fake::board());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kBusy);
}

}  // namespace
}  // namespace petrel::xen::test
