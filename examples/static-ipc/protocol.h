// What ipc-ping and ipc-pong say to each other over their static channel
// "ping": frames of a 16-byte header and up to kMaxPayload bytes.
//   kEcho:   pong sends the frame back unchanged (round trips);
//   kSink:   pong checks the payload against bulk_payload() and counts it
//            (throughput: the one payload is made once, so the figure is
//            the channel's, not the cost of making and checksumming data);
//   kReport: pong answers with a kReport header: seq = sink frames taken,
//            len = 0, kind's high half = frames whose payload was wrong.
// pong checks every header it reads (a length beyond kMaxPayload, an
// unknown kind) as it would from any other domain.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ipc {

enum Kind : uint32_t { kEcho = 1, kSink = 2, kReport = 3 };

struct Frame {
  uint32_t seq;
  uint32_t kind;
  uint32_t len;  // payload bytes after the header
  uint32_t reserved;
};
static_assert(sizeof(Frame) == 16);

inline constexpr size_t kMaxPayload = 4096;
inline constexpr const char kChannel[] = "ping";

// Payload byte i of frame `seq`: something a lost or repeated byte changes.
inline uint8_t pattern(uint32_t seq, size_t i) {
  return static_cast<uint8_t>(seq * 7 + i * 13 + (i >> 8));
}

// The payload of every kSink frame.
inline void bulk_payload(uint8_t* out) {
  for (size_t i = 0; i < kMaxPayload; ++i) out[i] = pattern(0xb0, i);
}

}  // namespace ipc
