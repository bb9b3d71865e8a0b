// The PV console ring against a fake shared page and a hostile backend.
#include "petrel/xen/console_ring.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace petrel::xen {
namespace {

// The backend's side: consumes `out`, produces `in`.
struct Backend {
  xencons_interface* page;
  std::string drain() {
    std::string s;
    while (page->out_cons != page->out_prod) s += page->out[page->out_cons++ % sizeof page->out];
    return s;
  }
  void type(const std::string& s) {
    for (char c : s) page->in[page->in_prod++ % sizeof page->in] = c;
  }
};

struct Fixture : ::testing::Test {
  xencons_interface page{};
  ConsoleRing ring;
  Backend backend{&page};
  void SetUp() override { ASSERT_TRUE(ring.attach(&page).ok()); }
};

using ConsoleRingTest = Fixture;

TEST_F(ConsoleRingTest, WritesReachTheBackend) {
  ASSERT_EQ(*ring.write("hello\n", 6), 6u);
  EXPECT_EQ(page.out_prod, 6u);
  EXPECT_EQ(backend.drain(), "hello\n");
  EXPECT_EQ(*ring.out_pending(), 0u);
}

TEST_F(ConsoleRingTest, FullRingTakesWhatFitsAndWraps) {
  std::string big(3000, 'x');
  EXPECT_EQ(*ring.write(big.data(), big.size()), sizeof page.out);
  EXPECT_EQ(*ring.write("y", 1), 0u) << "full";
  EXPECT_EQ(backend.drain().size(), sizeof page.out);
  // Across the wrap point, byte for byte.
  std::string text;
  for (int i = 0; i < 1500; ++i) text += static_cast<char>('a' + i % 26);
  EXPECT_EQ(*ring.write(text.data(), text.size()), text.size());
  EXPECT_EQ(backend.drain(), text);
}

TEST_F(ConsoleRingTest, IndicesWrapAround32Bits) {
  xencons_interface p{};
  p.out_prod = p.out_cons = 0xfffffff0u;
  p.in_prod = p.in_cons = 0xfffffffeu;
  ConsoleRing r;
  ASSERT_TRUE(r.attach(&p).ok());
  Backend b{&p};
  EXPECT_EQ(*r.write("0123456789abcdefXYZ", 19), 19u);
  EXPECT_EQ(b.drain(), "0123456789abcdefXYZ");
  b.type("hi!");
  char buf[8] = {};
  EXPECT_EQ(*r.read(buf, sizeof buf), 3u);
  EXPECT_STREQ(buf, "hi!");
}

TEST_F(ConsoleRingTest, InputReachesTheGuest) {
  backend.type("ls -l\n");
  char buf[4];
  EXPECT_EQ(*ring.read(buf, sizeof buf), 4u);
  EXPECT_EQ(std::string(buf, 4), "ls -");
  EXPECT_EQ(*ring.read(buf, sizeof buf), 2u);
  EXPECT_EQ(std::string(buf, 2), "l\n");
  EXPECT_EQ(*ring.read(buf, sizeof buf), 0u);
  EXPECT_EQ(page.in_cons, 6u);
}

TEST_F(ConsoleRingTest, HostileOutConsIsAnErrorNotAnOverflow) {
  ASSERT_EQ(*ring.write("abc", 3), 3u);
  const xencons_interface before = page;
  for (uint32_t bad : {4u, 100u, 0x80000000u, 0xfffff000u}) {
    page.out_cons = bad;  // claims the backend consumed more than we wrote
    auto r = ring.write("defgh", 5);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::kIo);
    EXPECT_EQ(0, std::memcmp(page.out, before.out, sizeof page.out)) << "ring untouched";
    EXPECT_EQ(page.out_prod, 3u);
    EXPECT_FALSE(ring.out_pending().ok());
  }
  EXPECT_GE(ring.errors(), 4u);
  page.out_cons = 3;  // the backend recovers
  EXPECT_EQ(*ring.write("d", 1), 1u);
}

TEST_F(ConsoleRingTest, HostileInProdIsAnErrorNotAnOverread) {
  for (uint32_t bad : {1025u, 5000u, 0x7fffffffu}) {
    page.in_prod = bad;
    char buf[16];
    auto r = ring.read(buf, sizeof buf);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(page.in_cons, 0u);
  }
  page.in_prod = 0;
  char buf[4];
  EXPECT_EQ(*ring.read(buf, sizeof buf), 0u);
}

TEST(ConsoleRing, AttachRefusesAnInconsistentPage) {
  xencons_interface p{};
  p.out_prod = 5000;  // more than the 2048-byte ring
  ConsoleRing r;
  EXPECT_FALSE(r.attach(&p).ok());
  EXPECT_FALSE(r.attached());
  EXPECT_FALSE(r.write("x", 1).ok());
  char c;
  EXPECT_FALSE(r.read(&c, 1).ok());
}

}  // namespace
}  // namespace petrel::xen
