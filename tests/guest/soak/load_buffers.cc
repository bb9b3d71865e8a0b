// soak: stream and message buffers.
//
// Streams: a writer task sends chunks of random length of a pseudo-random
// byte sequence into a stream buffer of random capacity and trigger level;
// a reader reads chunks of random size and compares them with its own copy
// of the sequence. A second stream carries a counting byte sequence from the
// interrupt source to a reader. At the end every byte written was read or is
// still buffered.
//
// Messages: a writer sends numbered messages of random length whose bytes
// follow from their number; the reader checks each one's length, contents
// and number (consecutive: a message buffer loses nothing and splits
// nothing).
#include <petrel/kernel/stream_buffer.h>

#include "soak.h"

namespace soak {
namespace {

using namespace petrel::kernel;

// --- streams ---
struct StreamState {
  StreamBuffer* stream;
  StreamBuffer* isr_stream;
  uint64_t seed;
  uint64_t written;
  uint64_t read;
  uint64_t isr_written;
  uint64_t isr_read;
} s;

// The byte sequence of the task stream: 8 bytes per draw.
class ByteSequence {
 public:
  explicit ByteSequence(uint64_t seed) : rng_(seed) {}
  uint8_t next() {
    if (left_ == 0) {
      word_ = rng_.next();
      left_ = 8;
    }
    --left_;
    return static_cast<uint8_t>(word_ >> (8 * left_));
  }

 private:
  Rng rng_;
  uint64_t word_ = 0;
  unsigned left_ = 0;
};

uint8_t isr_byte(uint64_t n) {
  return static_cast<uint8_t>(n * 7 + (n >> 8));
}

void stream_writer(void* arg) {
  Rng rng(seed_of(arg));
  ByteSequence bytes(s.seed);
  uint8_t chunk[64];
  size_t have = 0;  // bytes of `chunk` drawn but not written yet
  while (!stopping()) {
    if (have == 0) {
      have = rng.between(1, sizeof chunk);
      for (size_t i = 0; i < have; ++i) chunk[i] = bytes.next();
    }
    auto sent = stream_buffer_send(s.stream, chunk, have, Ticks{rng.between(0, 3)});
    if (!sent) continue;
    count(Op::kStream);
    s.written += *sent;
    for (size_t i = *sent; i < have; ++i) chunk[i - *sent] = chunk[i];
    have -= *sent;
    if (rng.one_in(4)) task_delay(Ticks{rng.below(2)});
  }
}

void stream_reader(void* arg) {
  Rng rng(seed_of(arg));
  ByteSequence bytes(s.seed);
  uint8_t chunk[64];
  while (!stopping()) {
    auto got = stream_buffer_receive(s.stream, chunk, rng.between(1, sizeof chunk),
                                     Ticks{rng.between(0, 3)});
    if (!got) continue;
    for (size_t i = 0; i < *got; ++i)
      if (chunk[i] != bytes.next()) {
        const uint64_t at = s.read + i;
        fail("stream: byte %llu differs from what was written",
             static_cast<unsigned long long>(at));
        return;
      }
    s.read += *got;
  }
}

void isr_stream_reader(void*) {
  uint8_t chunk[32];
  while (!stopping()) {
    auto got = stream_buffer_receive(s.isr_stream, chunk, sizeof chunk, Ticks{5});
    if (!got) continue;
    for (size_t i = 0; i < *got; ++i)
      if (chunk[i] != isr_byte(s.isr_read + i)) {
        const uint64_t at = s.isr_read + i;
        fail("stream: byte %llu from the interrupt differs", static_cast<unsigned long long>(at));
        return;
      }
    s.isr_read += *got;
  }
}

void stream_begin(Rng& rng) {
  s = StreamState{};
  const size_t capacity = rng.between(16, 512);
  auto stream = stream_buffer_create(capacity, rng.between(1, 8));
  auto isr_stream = stream_buffer_create(rng.between(16, 128), 1);
  if (!stream || !isr_stream) {
    fail("stream: creating failed");
    return;
  }
  s.stream = *stream;
  s.isr_stream = *isr_stream;
  s.seed = rng.next();
  spawn("str-writer", static_cast<Priority>(rng.between(5, 20)), 4096, stream_writer,
        seed_arg(rng));
  spawn("str-reader", static_cast<Priority>(rng.between(5, 20)), 4096, stream_reader,
        seed_arg(rng));
  spawn("str-isr", kIsrConsumerPriority, 4096, isr_stream_reader, nullptr);
}

void stream_from_isr(Rng& rng) {
  if (s.isr_stream == nullptr) return;
  uint8_t chunk[8];
  const size_t len = rng.between(1, sizeof chunk);
  for (size_t i = 0; i < len; ++i) chunk[i] = isr_byte(s.isr_written + i);
  bool woken = false;
  auto sent = stream_buffer_send_from_isr(s.isr_stream, chunk, len, &woken);
  if (sent && *sent > 0) {
    s.isr_written += *sent;
    count(Op::kStream);
  }
}

void stream_end() {
  if (s.stream == nullptr) return;
  const size_t left = stream_buffer_bytes_available(s.stream);
  if (s.written != s.read + left)
    fail("stream: %llu bytes written, %llu read, %zu buffered",
         static_cast<unsigned long long>(s.written), static_cast<unsigned long long>(s.read), left);
  const size_t isr_left = stream_buffer_bytes_available(s.isr_stream);
  if (s.isr_written != s.isr_read + isr_left)
    fail("stream: %llu bytes written by the interrupt, %llu read, %zu buffered",
         static_cast<unsigned long long>(s.isr_written),
         static_cast<unsigned long long>(s.isr_read), isr_left);
  (void)stream_buffer_delete(s.stream);
  (void)stream_buffer_delete(s.isr_stream);
  s.stream = nullptr;
  s.isr_stream = nullptr;
}

// --- messages ---
constexpr size_t kMaxMessage = 48;

struct MessageState {
  MessageBuffer* buffer;
  uint32_t sent;
  uint32_t received;
  uint64_t seed;
} m;

// Message n: 4 bytes of its number, then bytes that follow from it.
size_t make_message(uint32_t number, size_t len, uint8_t* out) {
  for (size_t i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(number >> (8 * i));
  for (size_t i = 4; i < len; ++i) out[i] = static_cast<uint8_t>(number * 31 + i);
  return len;
}

void message_writer(void* arg) {
  Rng rng(seed_of(arg));
  uint8_t msg[kMaxMessage];
  size_t len = 0;
  while (!stopping()) {
    if (len == 0) len = make_message(m.sent, rng.between(4, kMaxMessage), msg);
    if (message_buffer_send(m.buffer, msg, len, Ticks{rng.between(0, 3)})) {
      ++m.sent;
      len = 0;
      count(Op::kMessage);
    }
    if (rng.one_in(4)) task_delay(Ticks{rng.below(2)});
  }
}

bool check_message(const uint8_t* msg, size_t len) {
  uint8_t expected[kMaxMessage];
  if (len < 4 || len > kMaxMessage) {
    fail("message: %zu bytes", len);
    return false;
  }
  make_message(m.received, len, expected);
  for (size_t i = 0; i < len; ++i)
    if (msg[i] != expected[i]) {
      fail("message: message %u differs at byte %zu", m.received, i);
      return false;
    }
  ++m.received;
  return true;
}

void message_reader(void* arg) {
  Rng rng(seed_of(arg));
  uint8_t msg[kMaxMessage];
  while (!stopping()) {
    auto got = message_buffer_receive(m.buffer, msg, sizeof msg, Ticks{rng.between(0, 3)});
    if (got && !check_message(msg, *got)) return;
  }
}

void message_begin(Rng& rng) {
  m = MessageState{};
  auto buffer = message_buffer_create(rng.between(kMaxMessage + kMessageHeaderSize, 512));
  if (!buffer) {
    fail("message: creating failed");
    return;
  }
  m.buffer = *buffer;
  spawn("msg-writer", static_cast<Priority>(rng.between(5, 20)), 4096, message_writer,
        seed_arg(rng));
  spawn("msg-reader", static_cast<Priority>(rng.between(5, 20)), 4096, message_reader,
        seed_arg(rng));
}

void message_end() {
  if (m.buffer == nullptr) return;
  uint8_t msg[kMaxMessage];
  for (;;) {
    auto got = message_buffer_receive(m.buffer, msg, sizeof msg, kNoWait);
    if (!got || !check_message(msg, *got)) break;
  }
  if (m.sent != m.received) fail("message: %u sent, %u received", m.sent, m.received);
  (void)message_buffer_delete(m.buffer);
  m.buffer = nullptr;
}

}  // namespace

const Load kStreamLoad{"stream", stream_begin, stream_end, stream_from_isr};
const Load kMessageLoad{"message", message_begin, message_end, nullptr};

}  // namespace soak
