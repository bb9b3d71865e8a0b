// Fuzz target: xenstore replies and watch events (xen/src/xs_protocol.cc)
// as xenstored's side of the ring would deliver them. Input: one byte for
// the request type a reply is checked against, one for how many bytes the
// peer puts in the ring at a time (0: as many as fit), then the byte stream
// of messages (16-byte header, payload). Every message the decoder
// completes is routed, checked as a reply and split into its strings, as
// the xenstore client does with directory listings and watch events.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "fuzz_check.h"
#include "petrel/xen/byte_ring.h"
#include "petrel/xen/xs_protocol.h"

namespace xs = petrel::xen::xs;
using petrel::fuzz::expect;

namespace {

void check_message(const xs::Message& m, uint32_t request_type) {
  const size_t len = m.header.len;
  expect(len <= xs::kMaxPayload, "payload within kMaxPayload");
  expect(m.payload[len] == '\0', "payload NUL-terminated");
  (void)xs::route(m, true, m.header.req_id);
  (void)xs::route(m, false, 0);
  (void)xs::check_reply(m, request_type);
  (void)xs::reply_error(m.payload, len);
  size_t strings = 0;
  for (const char* s = xs::next_string(m.payload, len, nullptr); s != nullptr;
       s = xs::next_string(m.payload, len, s)) {
    expect(s >= m.payload && s < m.payload + len, "string inside the payload");
    expect(++strings <= len, "at most one string per byte");
    (void)xs::parse_u32(s);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint32_t request_type = data[0] % (XS_TYPE_COUNT + 2);
  const size_t chunk = data[1] == 0 ? XENSTORE_RING_SIZE : data[1];
  const char* stream = reinterpret_cast<const char*>(data + 2);
  const size_t stream_size = size - 2;

  auto ring = std::make_unique<char[]>(XENSTORE_RING_SIZE);
  uint32_t prod = 0;
  uint32_t cons = 0;
  petrel::xen::RingConsumer consumer(ring.get(), XENSTORE_RING_SIZE, &prod, &cons);
  expect(consumer.attach().ok(), "a fresh ring attaches");
  auto msg = std::make_unique<xs::Message>();
  xs::Decoder decoder;
  size_t at = 0;
  while (at < stream_size) {
    // The peer: as much of the next chunk as the ring has room for.
    size_t n = stream_size - at < chunk ? stream_size - at : chunk;
    const size_t room = XENSTORE_RING_SIZE - (prod - cons);
    if (n > room) n = room;
    for (size_t i = 0; i < n; ++i) ring[(prod + i) % XENSTORE_RING_SIZE] = stream[at + i];
    prod += static_cast<uint32_t>(n);
    at += n;
    for (;;) {
      auto got = decoder.poll(consumer, msg.get());
      if (!got) return 0;  // the connection is given up: nothing more to read
      if (!*got) break;
      check_message(*msg, request_type);
    }
    expect(prod == cons, "the decoder drains the ring");
  }
  // The stream as a path a caller might pass (up to its first NUL).
  const std::string path(stream, stream_size);
  (void)xs::check_path(path.c_str());
  return 0;
}
