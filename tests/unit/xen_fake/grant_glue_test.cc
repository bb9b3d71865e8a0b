// xen/src/grant.cc against the fake Xen: the table's bring-up and its
// failures, granting until the references run out, ending access while the
// peer still maps, mapping peer pages and every way that fails, leaving no
// reference, mapping or window slot behind.
#include <stdint.h>
#include <xen/errno.h>
#include <xen/grant_table.h>
#include <xen/memory.h>

#include <cstring>
#include <vector>

#include "fixture.h"
#include "petrel/xen/abi.h"

namespace petrel::xen::test {
namespace {

alignas(4096) uint8_t g_pages[4][4096];

using GrantGlue = XenFakeTest;

TEST_F(GrantGlue, AGrantIsAnEntryXenCanReadAndEndsClean) {
  auto ref = grant::grant_access(fake::kPeer, g_pages[0], false);
  ASSERT_TRUE(ref.ok());
  EXPECT_GE(ref->value, 8u);  // 0-7 are the toolstack's
  auto e = fake::guest_grant(*ref);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->flags, GTF_permit_access);
  EXPECT_EQ(e->domid, fake::kPeer.value);
  EXPECT_EQ(e->frame, gfn_of(reinterpret_cast<uintptr_t>(g_pages[0])).value);
  EXPECT_EQ(grant::stats().granted, 1u);
  ASSERT_TRUE(grant::end_access(*ref).ok());
  EXPECT_EQ(fake::guest_grant(*ref)->flags, 0);
  EXPECT_EQ(grant::stats().granted, 0u);
}

TEST_F(GrantGlue, OnlyWholePagesAndOurOwnReferences) {
  EXPECT_EQ(grant::grant_access(fake::kPeer, g_pages[0] + 1, false).error().code, Errc::kInvalid);
  EXPECT_EQ(grant::end_access(GrantRef{3}).error().code, Errc::kInvalid);
  EXPECT_EQ(grant::end_access(GrantRef{100}).error().code, Errc::kInvalid);
  auto ref = grant::grant_access(fake::kPeer, g_pages[0], true);
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(grant::end_access(*ref).ok());
  EXPECT_EQ(grant::end_access(*ref).error().code, Errc::kInvalid);  // twice
  EXPECT_EQ(grant::stats().granted, 0u);
}

TEST_F(GrantGlue, ExhaustedReferencesAreAnErrorAndComeBack) {
  std::vector<GrantRef> refs;
  for (;;) {
    auto ref = grant::grant_access(fake::kPeer, g_pages[refs.size() % 4], false);
    if (!ref) {
      EXPECT_EQ(ref.error().code, Errc::kNoMemory);
      break;
    }
    refs.push_back(*ref);
    ASSERT_LE(refs.size(), 2048u);
  }
  EXPECT_EQ(refs.size(), grant::stats().capacity);
  EXPECT_EQ(refs.size(), 4u * 512 - 8);
  ASSERT_TRUE(grant::end_access(refs[100]).ok());
  auto again = grant::grant_access(fake::kPeer, g_pages[0], false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->value, refs[100].value);
  refs[100] = *again;
  for (GrantRef r : refs) ASSERT_TRUE(grant::end_access(r).ok());
  EXPECT_EQ(grant::stats().granted, 0u);
}

TEST_F(GrantGlue, APageThePeerStillMapsIsNotTakenBack) {
  std::strcpy(reinterpret_cast<char*>(g_pages[1]), "ours");
  auto ref = grant::grant_access(fake::kPeer, g_pages[1], false);
  ASSERT_TRUE(ref.ok());
  auto* seen = static_cast<char*>(fake::peer_map(fake::kPeer, *ref, false));
  ASSERT_NE(seen, nullptr);
  EXPECT_STREQ(seen, "ours");
  std::strcpy(seen, "theirs");
  Status busy = grant::end_access(*ref);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, Errc::kBusy);
  EXPECT_EQ(grant::stats().granted, 1u);
  fake::peer_unmap(fake::kPeer, *ref);
  EXPECT_TRUE(grant::end_access(*ref).ok());
  EXPECT_STREQ(reinterpret_cast<char*>(g_pages[1]), "theirs");
  // Another domain, or a write to a read-only grant, is refused by Xen.
  auto ro = grant::grant_access(fake::kPeer, g_pages[1], true);
  ASSERT_TRUE(ro.ok());
  EXPECT_EQ(fake::peer_map(fake::kPeer, *ro, false), nullptr);
  EXPECT_EQ(fake::peer_map(DomainId{9}, *ro, true), nullptr);
  EXPECT_TRUE(grant::end_access(*ro).ok());
}

// --- bring-up ---

TEST_F(GrantGlue, QuerySizeRefusedIsAnErrorForGood) {
  fake::fail(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, -XEN_EPERM);
  auto ref = grant::grant_access(fake::kPeer, g_pages[0], false);
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.error().code, Errc::kPermission);
  EXPECT_FALSE(grant::ready());
  EXPECT_EQ(fake::calls(__HYPERVISOR_grant_table_op, GNTTABOP_query_size), 1u);
  EXPECT_EQ(grant::end_access(GrantRef{8}).error().code, Errc::kUnsupported);
}

TEST_F(GrantGlue, AQuerySizeStatusIsAnError) {
  fake::Config c;
  c.query_status = GNTST_general_error;
  start(c);
  Status s = grant::init(fake::board());
  ASSERT_FALSE(s.ok());
  EXPECT_STREQ(s.error().message, "undefined error");  // GNTST_general_error
  EXPECT_EQ(fake::calls(__HYPERVISOR_memory_op, XENMEM_add_to_physmap), 0u);
}

TEST_F(GrantGlue, NoFramesIsUnsupported) {
  fake::Config c;
  c.grant_frames = 0;
  start(c);
  Status s = grant::init(fake::board());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kUnsupported);
}

TEST_F(GrantGlue, FewerFramesGiveFewerReferences) {
  fake::Config c;
  c.grant_frames = 2;
  start(c);
  ASSERT_TRUE(grant::ready());
  EXPECT_EQ(grant::stats().capacity, 2u * 512 - 8);
}

TEST_F(GrantGlue, AFrameXenRefusesIsAnError) {
  fake::fail(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, -XEN_EINVAL, 1, 2);
  Status s = grant::init(fake::board());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalid);
  EXPECT_EQ(fake::calls(__HYPERVISOR_memory_op, XENMEM_add_to_physmap), 3u);
  EXPECT_FALSE(grant::ready());
  EXPECT_EQ(fake::calls(__HYPERVISOR_memory_op, XENMEM_add_to_physmap), 3u);
}

TEST_F(GrantGlue, ARegionTooSmallIsRefusedBeforeAnyHypercall) {
  fake::Config c;
  c.grant_region_size = 0x100000;
  start(c);
  Status s = grant::init(fake::board());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalid);
  EXPECT_EQ(fake::calls(__HYPERVISOR_grant_table_op, GNTTABOP_query_size), 0u);
}

TEST_F(GrantGlue, TheTableNotMappableIsAnError) {
  fake::fail_map_shared_memory();
  Status s = grant::init(fake::board());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kNoMemory);
}

// --- mapping a peer's pages ---

class GrantMapping : public XenFakeTest {
 protected:
  // A page of the peer holding `text`, granted to us.
  GrantRef offer(const char* text, bool readonly = false) {
    char* page = static_cast<char*>(fake::peer_page(fake::kPeer));
    std::strcpy(page, text);
    pages_.push_back(page);
    return fake::peer_grant(fake::kPeer, page, readonly);
  }
  void expect_nothing_mapped() {
    EXPECT_EQ(fake::guest_mappings(), 0u);
    EXPECT_EQ(grant::stats().mapped, 0u);
  }
  std::vector<char*> pages_;
};

TEST_F(GrantMapping, APeerPageIsSharedBothWaysUntilUnmapped) {
  const GrantRef ref = offer("theirs");
  auto m = grant::map(fake::kPeer, ref, false);
  ASSERT_TRUE(m.ok());
  EXPECT_STREQ(static_cast<char*>(m->address), "theirs");
  std::strcpy(static_cast<char*>(m->address), "ours now");
  EXPECT_STREQ(pages_[0], "ours now");
  EXPECT_EQ(grant::stats().mapped, 1u);
  ASSERT_TRUE(grant::unmap(*m).ok());
  expect_nothing_mapped();
  EXPECT_EQ(grant::unmap(*m).error().code, Errc::kInvalid);  // twice
  EXPECT_EQ(grant::unmap(grant::Mapping{g_pages[0], 1}).error().code, Errc::kInvalid);
}

TEST_F(GrantMapping, WhatXenRefusesIsNamedAndLeavesNothing) {
  const GrantRef ro = offer("read-only", true);
  auto write = grant::map(fake::kPeer, ro, false);
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.error().code, Errc::kPermission);
  EXPECT_STREQ(write.error().message, "permission denied");
  auto bad_ref = grant::map(fake::kPeer, GrantRef{4000}, true);
  ASSERT_FALSE(bad_ref.ok());
  EXPECT_STREQ(bad_ref.error().message, "invalid grant reference");
  auto bad_dom = grant::map(DomainId{9}, ro, true);
  ASSERT_FALSE(bad_dom.ok());
  EXPECT_STREQ(bad_dom.error().message, "unrecognised domain id");
  fake::fail(__HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, -XEN_EFAULT);
  auto fault = grant::map(fake::kPeer, ro, true);
  ASSERT_FALSE(fault.ok());
  EXPECT_STREQ(fault.error().message, "Xen: EFAULT");
  expect_nothing_mapped();
  auto fine = grant::map(fake::kPeer, ro, true);
  ASSERT_TRUE(fine.ok());
  EXPECT_TRUE(grant::unmap(*fine).ok());
}

TEST_F(GrantMapping, AFailureHalfWayThroughUndoesThePagesBefore) {
  std::vector<GrantRef> refs = {offer("a"), offer("b"), GrantRef{4000}, offer("d")};
  uint32_t handles[4] = {};
  auto m = grant::map_pages(fake::kPeer, refs.data(), handles, 4, false);
  ASSERT_FALSE(m.ok());
  expect_nothing_mapped();
  refs[2] = offer("c");
  auto again = grant::map_pages(fake::kPeer, refs.data(), handles, 4, false);
  ASSERT_TRUE(again.ok());
  EXPECT_STREQ(static_cast<char*>(*again) + 2 * 4096, "c");
  ASSERT_TRUE(grant::unmap_pages(*again, handles, 4).ok());
  expect_nothing_mapped();
}

TEST_F(GrantMapping, OurOwnMappingFailingUndoesXensToo) {
  ASSERT_TRUE(grant::ready());
  std::vector<GrantRef> refs = {offer("a"), offer("b"), offer("c")};
  uint32_t handles[3] = {};
  fake::fail_map_shared_memory(1);  // page b: Xen maps it, our page tables do not
  auto m = grant::map_pages(fake::kPeer, refs.data(), handles, 3, false);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, Errc::kNoMemory);
  expect_nothing_mapped();
}

TEST_F(GrantMapping, ExhaustedMappingsAreAnErrorAndComeBack) {
  fake::Config c;
  c.max_maps = 3;
  start(c);
  std::vector<grant::Mapping> maps;
  for (int i = 0; i < 3; ++i) {
    auto m = grant::map(fake::kPeer, offer("x"), false);
    ASSERT_TRUE(m.ok());
    maps.push_back(*m);
  }
  const GrantRef fourth = offer("y");
  auto full = grant::map(fake::kPeer, fourth, false);
  ASSERT_FALSE(full.ok());
  EXPECT_STREQ(full.error().message, "no spare translation slot in the I/O MMU");
  EXPECT_EQ(grant::stats().mapped, 3u);
  ASSERT_TRUE(grant::unmap(maps.back()).ok());
  maps.pop_back();
  auto now = grant::map(fake::kPeer, fourth, false);
  ASSERT_TRUE(now.ok());
  maps.push_back(*now);
  for (const grant::Mapping& m : maps) ASSERT_TRUE(grant::unmap(m).ok());
  expect_nothing_mapped();
}

TEST_F(GrantMapping, AWrongHandleKeepsTheMappingUntilTheRightOne) {
  auto m = grant::map(fake::kPeer, offer("x"), false);
  ASSERT_TRUE(m.ok());
  Status wrong = grant::unmap(grant::Mapping{m->address, m->handle + 50});
  ASSERT_FALSE(wrong.ok());
  EXPECT_STREQ(wrong.error().message, "invalid mapping handle");
  EXPECT_EQ(grant::stats().mapped, 1u);
  EXPECT_EQ(fake::guest_mappings(), 1u);
  ASSERT_TRUE(grant::unmap(*m).ok());
  expect_nothing_mapped();
}

TEST_F(GrantMapping, AFullWindowIsAnErrorAndHasRoomAgain) {
  char* page = static_cast<char*>(fake::peer_page(fake::kPeer));
  std::vector<GrantRef> refs;
  for (unsigned i = 0; i < grant::kMapSlots; ++i)
    refs.push_back(fake::peer_grant(fake::kPeer, page, true));
  std::vector<uint32_t> handles(grant::kMapSlots);
  EXPECT_EQ(grant::map_pages(fake::kPeer, refs.data(), handles.data(), 0, true).error().code,
            Errc::kOutOfRange);
  EXPECT_EQ(grant::map_pages(fake::kPeer, refs.data(), handles.data(), grant::kMapSlots + 1, true)
                .error()
                .code,
            Errc::kOutOfRange);
  auto most =
      grant::map_pages(fake::kPeer, refs.data(), handles.data(), grant::kMapSlots - 8, true);
  ASSERT_TRUE(most.ok());
  auto more = grant::map_pages(fake::kPeer, refs.data() + grant::kMapSlots - 8,
                               handles.data() + grant::kMapSlots - 8, 9, true);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.error().code, Errc::kNoMemory);
  EXPECT_EQ(fake::guest_mappings(), grant::kMapSlots - 8);
  ASSERT_TRUE(grant::unmap_pages(*most, handles.data(), grant::kMapSlots - 8).ok());
  expect_nothing_mapped();
  auto all = grant::map_pages(fake::kPeer, refs.data(), handles.data(), grant::kMapSlots, true);
  ASSERT_TRUE(all.ok());
  ASSERT_TRUE(grant::unmap_pages(*all, handles.data(), grant::kMapSlots).ok());
}

}  // namespace
}  // namespace petrel::xen::test
