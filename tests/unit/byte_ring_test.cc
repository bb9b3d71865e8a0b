// One direction of a shared ring (byte_ring.h), as vchan uses it (64 KiB,
// several pages), against a peer that corrupts its index.
#include "petrel/xen/byte_ring.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace petrel::xen {
namespace {

constexpr uint32_t kSize = 65536;

struct Ring {
  std::vector<char> buf = std::vector<char>(kSize);
  uint32_t prod = 0, cons = 0;
};

TEST(ByteRing, DataCrossesAcrossTheWrap) {
  Ring r;
  RingProducer w(r.buf.data(), kSize, &r.prod, &r.cons);
  RingConsumer c(r.buf.data(), kSize, &r.prod, &r.cons);
  ASSERT_TRUE(w.attach().ok());
  ASSERT_TRUE(c.attach().ok());
  std::string sent, got;
  char chunk[5000];
  for (int round = 0; round < 100; ++round) {
    for (size_t i = 0; i < sizeof chunk; ++i) chunk[i] = static_cast<char>(round * 7 + i);
    size_t off = 0;
    while (off < sizeof chunk) {
      auto n = w.write(chunk + off, sizeof chunk - off);
      ASSERT_TRUE(n.ok());
      sent.append(chunk + off, *n);
      off += *n;
      char out[3000];
      auto m = c.read(out, sizeof out);
      ASSERT_TRUE(m.ok());
      got.append(out, *m);
    }
  }
  char out[kSize];
  auto m = c.read(out, sizeof out);
  ASSERT_TRUE(m.ok());
  got.append(out, *m);
  EXPECT_EQ(got, sent);
  EXPECT_EQ(*c.available(), 0u);
  EXPECT_EQ(*w.pending(), 0u);
}

TEST(ByteRing, FullAndEmpty) {
  Ring r;
  RingProducer w(r.buf.data(), kSize, &r.prod, &r.cons);
  RingConsumer c(r.buf.data(), kSize, &r.prod, &r.cons);
  std::string big(kSize + 100, 'x');
  EXPECT_EQ(*w.write(big.data(), big.size()), kSize);
  EXPECT_EQ(*w.write("y", 1), 0u);
  char out[16];
  EXPECT_EQ(*c.read(out, sizeof out), sizeof out);
  EXPECT_EQ(*w.write("y", 1), 1u);
}

// The consumer's index is the peer's when we produce: a value claiming it
// consumed more than we wrote is refused and nothing is written.
TEST(ByteRing, HostileConsumerIndex) {
  Ring r;
  RingProducer w(r.buf.data(), kSize, &r.prod, &r.cons);
  ASSERT_EQ(*w.write("abc", 3), 3u);
  for (uint32_t bad : {4u, kSize, 0x80000000u, 0xffffffffu - 5}) {
    r.cons = bad;
    const uint32_t prod_before = r.prod;
    auto n = w.write("defg", 4);
    EXPECT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.error().code, Errc::kIo);
    EXPECT_EQ(r.prod, prod_before) << "our index unchanged";
    EXPECT_FALSE(w.pending().ok());
  }
}

// The producer's index is the peer's when we consume: a value claiming more
// data than the ring holds is refused and nothing is read.
TEST(ByteRing, HostileProducerIndex) {
  Ring r;
  RingConsumer c(r.buf.data(), kSize, &r.prod, &r.cons);
  for (uint32_t bad : {kSize + 1, 0x7fffffffu, 0xffffffffu}) {
    r.prod = bad;
    char out[64];
    auto n = c.read(out, sizeof out);
    EXPECT_FALSE(n.ok()) << bad;
    EXPECT_EQ(r.cons, 0u) << "our index unchanged";
    EXPECT_FALSE(c.available().ok());
  }
  r.prod = kSize;  // exactly full is fine
  EXPECT_EQ(*c.available(), kSize);
}

TEST(ByteRing, AttachRefusesInconsistentIndices) {
  Ring r;
  r.prod = 100;
  r.cons = 200;  // consumer ahead of producer
  RingProducer w(r.buf.data(), kSize, &r.prod, &r.cons);
  RingConsumer c(r.buf.data(), kSize, &r.prod, &r.cons);
  EXPECT_FALSE(w.attach().ok());
  EXPECT_FALSE(c.attach().ok());
}

}  // namespace
}  // namespace petrel::xen
