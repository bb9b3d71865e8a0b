// Granting and revoking on a fake grant table; the test plays Xen, setting
// GTF_reading/GTF_writing as a peer maps the frame.
#include "petrel/xen/grant_entries.h"

#include <gtest/gtest.h>

#include <set>

namespace petrel::xen {
namespace {

struct Table {
  grant_entry_v1_t entries[64] = {};
  GrantEntries g;
  Table() { EXPECT_TRUE(g.attach(entries, 64).ok()); }
};

TEST(GrantEntries, GrantWritesTheEntry) {
  Table t;
  auto ref = t.g.grant(DomainId{0}, Gfn{0x40123}, false);
  ASSERT_TRUE(ref.ok());
  EXPECT_GE(ref->value, uint32_t{GNTTAB_NR_RESERVED_ENTRIES}) << "toolstack's entries untouched";
  const grant_entry_v1_t& e = t.entries[ref->value];
  EXPECT_EQ(e.flags, GTF_permit_access);
  EXPECT_EQ(e.domid, 0);
  EXPECT_EQ(e.frame, 0x40123u);
  auto ro = t.g.grant(DomainId{3}, Gfn{0x40124}, true);
  EXPECT_EQ(t.entries[ro->value].flags, GTF_permit_access | GTF_readonly);
  EXPECT_EQ(t.g.granted(), 2u);
}

TEST(GrantEntries, RevokeOnlyWhenThePeerLetGo) {
  Table t;
  GrantRef ref = *t.g.grant(DomainId{0}, Gfn{1}, false);
  t.entries[ref.value].flags |= GTF_writing;  // the peer mapped it
  EXPECT_TRUE(t.g.in_use(ref));
  auto busy = t.g.revoke(ref);
  EXPECT_EQ(busy.error().code, Errc::kBusy);
  EXPECT_NE(t.entries[ref.value].flags & GTF_permit_access, 0) << "still granted";
  t.entries[ref.value].flags &= static_cast<uint16_t>(~GTF_writing);  // unmapped
  t.entries[ref.value].flags |= GTF_reading;
  EXPECT_EQ(t.g.revoke(ref).error().code, Errc::kBusy) << "reading counts too";
  t.entries[ref.value].flags &= static_cast<uint16_t>(~GTF_reading);
  EXPECT_TRUE(t.g.revoke(ref).ok());
  EXPECT_EQ(t.entries[ref.value].flags, 0);
  EXPECT_EQ(t.g.granted(), 0u);
  EXPECT_EQ(t.g.revoke(ref).error().code, Errc::kInvalid) << "no double revoke";
}

TEST(GrantEntries, BadReferencesAreRefused) {
  Table t;
  EXPECT_FALSE(t.g.revoke(GrantRef{0}).ok()) << "reserved";
  EXPECT_FALSE(t.g.revoke(GrantRef{20}).ok()) << "never granted";
  EXPECT_FALSE(t.g.revoke(GrantRef{64}).ok()) << "beyond the table";
  EXPECT_FALSE(t.g.revoke(GrantRef{0xffffffff}).ok());
  EXPECT_FALSE(t.g.in_use(GrantRef{100000}));
  EXPECT_FALSE(t.g.grant(DomainId{0}, Gfn{1ull << 32}, false).ok()) << "frame too large for v1";
}

TEST(GrantEntries, ExhaustionAndReuse) {
  Table t;
  std::set<uint32_t> refs;
  for (uint32_t i = 0; i < t.g.capacity(); ++i) {
    auto r = t.g.grant(DomainId{0}, Gfn{i}, false);
    ASSERT_TRUE(r.ok()) << i;
    EXPECT_TRUE(refs.insert(r->value).second) << "unique";
  }
  EXPECT_EQ(t.g.grant(DomainId{0}, Gfn{1}, false).error().code, Errc::kNoMemory);
  EXPECT_TRUE(t.g.revoke(GrantRef{30}).ok());
  auto again = t.g.grant(DomainId{0}, Gfn{7}, false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->value, 30u) << "the freed entry is reused";
}

TEST(GrantEntries, AttachChecksTheTable) {
  grant_entry_v1_t e[8];
  GrantEntries g;
  EXPECT_FALSE(g.attach(nullptr, 64).ok());
  EXPECT_FALSE(g.attach(e, 8).ok()) << "only reserved entries";
  EXPECT_FALSE(g.grant(DomainId{0}, Gfn{1}, false).ok()) << "not attached";
}

}  // namespace
}  // namespace petrel::xen
