// libxenvchan's page layout as Petrel restates it, checked against Xen's own
// header (host only: it includes <sys/types.h>), and the geometry checks a
// client applies to a page a hostile peer wrote.
#include "petrel/xen/vchan_layout.h"

#include <gtest/gtest.h>
#include <stddef.h>
#include <xen/io/libxenvchan.h>

namespace petrel::xen {
namespace {

TEST(VchanLayout, MatchesXensHeader) {
  EXPECT_EQ(sizeof(VchanShared), offsetof(struct vchan_interface, grants));
  EXPECT_EQ(offsetof(VchanShared, left), offsetof(struct vchan_interface, left));
  EXPECT_EQ(offsetof(VchanShared, right), offsetof(struct vchan_interface, right));
  EXPECT_EQ(offsetof(VchanRingIndices, cons), offsetof(struct ring_shared, cons));
  EXPECT_EQ(offsetof(VchanRingIndices, prod), offsetof(struct ring_shared, prod));
  EXPECT_EQ(offsetof(VchanShared, left_order), offsetof(struct vchan_interface, left_order));
  EXPECT_EQ(offsetof(VchanShared, right_order), offsetof(struct vchan_interface, right_order));
  EXPECT_EQ(offsetof(VchanShared, cli_live), offsetof(struct vchan_interface, cli_live));
  EXPECT_EQ(offsetof(VchanShared, srv_live), offsetof(struct vchan_interface, srv_live));
  EXPECT_EQ(offsetof(VchanShared, cli_notify), offsetof(struct vchan_interface, cli_notify));
  EXPECT_EQ(offsetof(VchanShared, srv_notify), offsetof(struct vchan_interface, srv_notify));
  EXPECT_EQ(kVchanNotifyWrite, VCHAN_NOTIFY_WRITE);
  EXPECT_EQ(kVchanNotifyRead, VCHAN_NOTIFY_READ);
}

TEST(VchanLayout, OrderForSize) {
  EXPECT_EQ(vchan_order_for(0), 10u);
  EXPECT_EQ(vchan_order_for(1024), 10u);
  EXPECT_EQ(vchan_order_for(1025), 11u);
  EXPECT_EQ(vchan_order_for(4096), 12u);
  EXPECT_EQ(vchan_order_for(65536), 16u);
  EXPECT_EQ(vchan_order_for(size_t{1} << 30), kVchanMaxOrder) << "capped";
}

TEST(VchanLayout, InPageRings) {
  auto g = vchan_geometry(10, 11);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->left_offset, 1024u);
  EXPECT_EQ(g->right_offset, 2048u);
  EXPECT_EQ(g->left_pages + g->right_pages, 0u);
  EXPECT_FALSE(vchan_geometry(10, 10).ok()) << "same offset";
  EXPECT_FALSE(vchan_geometry(11, 11).ok());
}

TEST(VchanLayout, PageRings) {
  auto g = vchan_geometry(16, 12);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->left_pages, 16u);
  EXPECT_EQ(g->right_pages, 1u);
  auto mixed = vchan_geometry(10, 18);
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->right_pages, 64u);
  EXPECT_EQ(mixed->left_offset, 1024u);
}

TEST(VchanLayout, HostileOrdersAreRefused) {
  for (uint16_t bad : {0, 1, 9, 21, 32, 64, 0xffff}) {
    EXPECT_FALSE(vchan_geometry(bad, 12).ok()) << bad;
    EXPECT_FALSE(vchan_geometry(12, bad).ok()) << bad;
  }
  // 256 + 256 grants do not fit below an in-page ring at 1024.
  EXPECT_FALSE(vchan_geometry(20, 10).ok());
  EXPECT_TRUE(vchan_geometry(20, 20).ok()) << "512 grants fit in the page without in-page rings";
}

}  // namespace
}  // namespace petrel::xen
