// The xenstore wire protocol: encoding, and reassembling replies from a fake
// response ring fed by a well-behaved or a hostile xenstored.
#include "petrel/xen/xs_protocol.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace petrel::xen::xs {
namespace {

struct FakeRing {
  char buf[XENSTORE_RING_SIZE] = {};
  uint32_t prod = 0, cons = 0;
  RingConsumer consumer{buf, sizeof buf, &prod, &cons};
  // The daemon's side: writes what fits, returns how much.
  size_t push(const std::string& bytes) {
    size_t n = 0;
    while (n < bytes.size() && prod - cons < sizeof buf) buf[prod++ % sizeof buf] = bytes[n++];
    return n;
  }
};

std::string message(uint32_t type, uint32_t id, const std::string& payload, uint32_t tx = 0) {
  xsd_sockmsg h{type, id, tx, static_cast<uint32_t>(payload.size())};
  return std::string(reinterpret_cast<const char*>(&h), sizeof h) + payload;
}

TEST(XsEncode, WriteRequest) {
  char out[64];
  const Part parts[] = {{"data/key", 8, true}, {"value", 5, false}};
  auto n = encode(out, sizeof out, XS_WRITE, 7, 3, parts, 2);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 16u + 9 + 5);
  xsd_sockmsg h;
  std::memcpy(&h, out, sizeof h);
  EXPECT_EQ(h.type, static_cast<uint32_t>(XS_WRITE));
  EXPECT_EQ(h.req_id, 7u);
  EXPECT_EQ(h.tx_id, 3u);
  EXPECT_EQ(h.len, 14u);
  EXPECT_EQ(std::string(out + 16, 14), std::string("data/key\0value", 14));
}

TEST(XsEncode, TooLongIsRefused) {
  static char out[8192];
  std::string big(kMaxPayload, 'a');
  const Part p[] = {{big.data(), big.size(), true}};
  EXPECT_EQ(encode(out, sizeof out, XS_READ, 1, 0, p, 1).error().code, Errc::kOutOfRange);
  const Part q[] = {{big.data(), 100, true}};
  EXPECT_EQ(encode(out, 50, XS_READ, 1, 0, q, 1).error().code, Errc::kOutOfRange) << "small buffer";
}

TEST(XsDecoder, WholeMessage) {
  FakeRing r;
  Decoder d;
  static Message m;
  r.push(message(XS_READ, 5, "hello"));
  auto got = d.poll(r.consumer, &m);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(*got);
  EXPECT_EQ(m.header.req_id, 5u);
  EXPECT_EQ(m.header.len, 5u);
  EXPECT_STREQ(m.payload, "hello");
  EXPECT_FALSE(*d.poll(r.consumer, &m)) << "nothing more";
}

TEST(XsDecoder, MessageInPiecesAndLargerThanTheRing) {
  FakeRing r;
  Decoder d;
  static Message m;
  std::string payload(3000, 'p');  // 3 KiB through a 1 KiB ring
  std::string bytes = message(XS_READ, 9, payload);
  size_t sent = 0;
  int polls = 0;
  bool done = false;
  while (!done) {
    sent += r.push(bytes.substr(sent, 7));  // a few bytes at a time
    auto got = d.poll(r.consumer, &m);
    ASSERT_TRUE(got.ok());
    done = *got;
    ASSERT_LT(++polls, 10000);
  }
  EXPECT_EQ(sent, bytes.size());
  EXPECT_EQ(std::string(m.payload, m.header.len), payload);
}

TEST(XsDecoder, TwoMessagesBackToBack) {
  FakeRing r;
  Decoder d;
  static Message m;
  r.push(message(XS_WATCH_EVENT, 0, std::string("a/b\0tok\0", 8)) + message(XS_WRITE, 2, "OK"));
  ASSERT_TRUE(*d.poll(r.consumer, &m));
  EXPECT_EQ(m.header.type, static_cast<uint32_t>(XS_WATCH_EVENT));
  const char* path = next_string(m.payload, m.header.len, nullptr);
  const char* token = next_string(m.payload, m.header.len, path);
  EXPECT_STREQ(path, "a/b");
  EXPECT_STREQ(token, "tok");
  EXPECT_EQ(next_string(m.payload, m.header.len, token), nullptr);
  ASSERT_TRUE(*d.poll(r.consumer, &m));
  EXPECT_EQ(m.header.req_id, 2u);
  EXPECT_STREQ(m.payload, "OK");
}

TEST(XsDecoder, OversizedLengthIsAnErrorBeforeAnyCopy) {
  for (uint32_t bad : {uint32_t{kMaxPayload + 1}, 100000u, 0xffffffffu}) {
    FakeRing r;
    Decoder d;
    static Message m;
    std::memset(&m, 0x5a, sizeof m);
    xsd_sockmsg h{XS_READ, 1, 0, bad};
    r.push(std::string(reinterpret_cast<const char*>(&h), sizeof h) + std::string(500, 'x'));
    auto got = d.poll(r.consumer, &m);
    ASSERT_FALSE(got.ok()) << bad;
    EXPECT_EQ(got.error().code, Errc::kIo);
    EXPECT_EQ(m.payload[0], 0x5a) << "no payload byte stored";
  }
}

TEST(XsDecoder, UnknownTypeIsAnError) {
  FakeRing r;
  Decoder d;
  static Message m;
  r.push(message(XS_TYPE_COUNT + 5, 1, "x"));
  EXPECT_FALSE(d.poll(r.consumer, &m).ok());
  FakeRing r2;
  r2.push(message(XS_INVALID, 1, ""));
  EXPECT_FALSE(d.poll(r2.consumer, &m).ok());
}

TEST(XsDecoder, CorruptRingIndexIsAnError) {
  FakeRing r;
  Decoder d;
  static Message m;
  r.prod = 5000;  // claims more than the ring holds
  EXPECT_FALSE(d.poll(r.consumer, &m).ok());
  EXPECT_EQ(r.cons, 0u);
}

TEST(XsReplyError, NamesMapToErrc) {
  EXPECT_EQ(reply_error("ENOENT", 7).code, Errc::kNotFound);
  EXPECT_STREQ(reply_error("ENOENT", 7).message, "xenstore: ENOENT");
  EXPECT_EQ(reply_error("EACCES", 6).code, Errc::kPermission);
  EXPECT_EQ(reply_error("EAGAIN", 7).code, Errc::kBusy);
  EXPECT_STREQ(reply_error("EAGAIN", 7).message, "xenstore: EAGAIN");
  EXPECT_EQ(reply_error("ENOENTX", 8).code, Errc::kIo) << "no prefix matching";
  EXPECT_STREQ(reply_error("", 0).message, "xenstore: unknown error");
}

TEST(XsPaths, Checks) {
  EXPECT_TRUE(check_path("/local/domain/1/data").ok());
  EXPECT_TRUE(check_path("data/x").ok());
  EXPECT_FALSE(check_path("").ok());
  EXPECT_FALSE(check_path(nullptr).ok());
  EXPECT_FALSE(check_path("a b").ok());
  EXPECT_FALSE(check_path("a\nb").ok());
  std::string longest(kMaxPath, 'a');
  EXPECT_TRUE(check_path(longest.c_str()).ok());
  std::string too_long(kMaxPath + 1, 'a');
  EXPECT_EQ(check_path(too_long.c_str()).error().code, Errc::kOutOfRange);
}

TEST(XsNumbers, Parse) {
  EXPECT_EQ(*parse_u32("0"), 0u);
  EXPECT_EQ(*parse_u32("4294967295"), 4294967295u);
  EXPECT_FALSE(parse_u32("4294967296").ok());
  EXPECT_FALSE(parse_u32("").ok());
  EXPECT_FALSE(parse_u32("12a").ok());
  EXPECT_FALSE(parse_u32("-1").ok());
}

}  // namespace
}  // namespace petrel::xen::xs

namespace petrel::xen::xs {
namespace {

Message make(uint32_t type, uint32_t id, const std::string& payload) {
  Message m{};
  m.header = xsd_sockmsg{type, id, 0, static_cast<uint32_t>(payload.size())};
  std::memcpy(m.payload, payload.data(), payload.size());
  m.payload[payload.size()] = '\0';
  return m;
}

TEST(XsRoute, RepliesGoToTheirRequestOnly) {
  EXPECT_EQ(route(make(XS_READ, 7, "v"), true, 7), Route::kReply);
  EXPECT_EQ(route(make(XS_READ, 6, "v"), true, 7), Route::kStray) << "wrong request id";
  EXPECT_EQ(route(make(XS_READ, 7, "v"), false, 7), Route::kStray) << "nobody waiting";
  EXPECT_EQ(route(make(XS_ERROR, 9, std::string("EINVAL\0", 7)), true, 7), Route::kStray);
  EXPECT_EQ(route(make(XS_WATCH_EVENT, 7, std::string("p\0t\0", 4)), true, 7), Route::kWatchEvent)
      << "a watch event is never taken for a reply, whatever its id";
}

TEST(XsRoute, ReplyOutcome) {
  EXPECT_TRUE(check_reply(make(XS_WRITE, 1, "OK"), XS_WRITE).ok());
  auto e = check_reply(make(XS_ERROR, 1, std::string("EACCES\0", 7)), XS_WRITE);
  EXPECT_EQ(e.error().code, Errc::kPermission);
  EXPECT_STREQ(e.error().message, "xenstore: EACCES");
  EXPECT_EQ(check_reply(make(XS_READ, 1, "x"), XS_WRITE).error().code, Errc::kIo)
      << "a reply of another type";
}

}  // namespace
}  // namespace petrel::xen::xs
