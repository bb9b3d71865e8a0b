// PendingGrants: grants a peer still maps keep their memory block out of the
// heap until every grant of the block has ended.
#include "petrel/xen/grant_pending.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace {

using petrel::xen::PendingGrants;

// The "peer": refs it still maps; and the blocks freed, in order.
std::set<uint32_t> g_mapped;
std::vector<void*> g_freed;

bool end_grant(uint32_t ref) {
  return g_mapped.count(ref) == 0;
}
void free_block(void* block) {
  g_freed.push_back(block);
}

class PendingGrantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_mapped.clear();
    g_freed.clear();
  }
  PendingGrants pending;
  char a = 0, b = 0;  // two blocks
};

TEST_F(PendingGrantsTest, ABlockWhoseGrantsAllEndIsFreedAtOnce) {
  const uint32_t refs[] = {1, 2, 3};
  EXPECT_TRUE(pending.retire(refs, 3, &a, end_grant, free_block));
  EXPECT_EQ(pending.count(), 0u);
  EXPECT_EQ(g_freed, std::vector<void*>{&a});
}

TEST_F(PendingGrantsTest, TheBlockWaitsForEveryOneOfItsGrantsInAnyOrder) {
  const uint32_t refs[] = {1, 2, 3};
  g_mapped = {1, 2, 3};
  EXPECT_TRUE(pending.retire(refs, 3, &a, end_grant, free_block));
  EXPECT_EQ(pending.count(), 3u);
  // The peer lets go of the last grant first, then of the first.
  g_mapped = {1, 2};
  pending.retry(end_grant, free_block);
  g_mapped = {2};
  pending.retry(end_grant, free_block);
  EXPECT_TRUE(g_freed.empty()) << "freed while grant 2 is still mapped";
  EXPECT_EQ(pending.count(), 1u);
  g_mapped.clear();
  pending.retry(end_grant, free_block);
  EXPECT_EQ(g_freed, std::vector<void*>{&a});
  EXPECT_EQ(pending.count(), 0u);
}

TEST_F(PendingGrantsTest, TwoBlocksEndingInOneRetryAreBothFreedOnce) {
  const uint32_t ra[] = {1, 2}, rb[] = {3, 4};
  g_mapped = {1, 2, 3, 4};
  EXPECT_TRUE(pending.retire(ra, 2, &a, end_grant, free_block));
  EXPECT_TRUE(pending.retire(rb, 2, &b, end_grant, free_block));
  g_mapped.clear();
  pending.retry(end_grant, free_block);
  EXPECT_EQ(g_freed, (std::vector<void*>{&a, &b}));
  EXPECT_EQ(pending.count(), 0u);
}

TEST_F(PendingGrantsTest, AFullListKeepsTheBlockForGood) {
  std::vector<uint32_t> fill(PendingGrants::kCapacity);
  for (uint32_t i = 0; i < PendingGrants::kCapacity; ++i) {
    fill[i] = 1000 + i;
    g_mapped.insert(fill[i]);
  }
  EXPECT_TRUE(pending.retire(fill.data(), PendingGrants::kCapacity - 1, &a, end_grant, free_block));
  // Block b has two grants still mapped and room for one: it must never be
  // freed, not even when the grant that was kept ends.
  const uint32_t rb[] = {1, 2};
  g_mapped.insert({1, 2});
  EXPECT_FALSE(pending.retire(rb, 2, &b, end_grant, free_block));
  EXPECT_EQ(pending.count(), PendingGrants::kCapacity);
  g_mapped.erase(1);
  pending.retry(end_grant, free_block);
  EXPECT_TRUE(g_freed.empty());
  // Block a still goes back once its own grants end.
  for (uint32_t i = 0; i + 1 < PendingGrants::kCapacity; ++i) g_mapped.erase(fill[i]);
  pending.retry(end_grant, free_block);
  EXPECT_EQ(g_freed, std::vector<void*>{&a});
}

}  // namespace
