// The xenstore wire protocol (Xen's io/xs_wire.h), without the transport:
// encoding requests and reassembling replies from the response ring. Pure:
// unit-tested on the host against malformed and hostile replies.
//
// A message is a 16-byte header (type, request id, transaction id, payload
// length) and a payload of at most XENSTORE_PAYLOAD_MAX (4096) bytes, mostly
// NUL-terminated strings. Replies carry the request's type and id, or
// XS_ERROR with an error name ("ENOENT"); XS_WATCH_EVENT messages (path and
// token) arrive unasked, between replies.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "petrel/result.h"
#include "petrel/xen/byte_ring.h"

namespace petrel::xen::xs {

inline constexpr size_t kMaxPayload = XENSTORE_PAYLOAD_MAX;
inline constexpr size_t kHeaderSize = sizeof(xsd_sockmsg);
inline constexpr size_t kMaxPath = XENSTORE_ABS_PATH_MAX;

struct Message {
  xsd_sockmsg header;
  char payload[kMaxPayload + 1];  // always NUL-terminated after the data
};

// One piece of a request's payload; `nul` appends a terminating NUL.
struct Part {
  const char* data;
  size_t len;
  bool nul;
};

// Writes header and parts into `out`; the total size, or kOutOfRange when
// the payload would exceed kMaxPayload or `cap`.
Result<size_t> encode(char* out, size_t cap, uint32_t type, uint32_t req_id, uint32_t tx_id,
                      const Part* parts, size_t count);

// Reassembles messages from the response ring across calls.
class Decoder {
 public:
  // Reads what the ring has; true once `msg` holds a whole message (the next
  // call starts a new one). An error (a payload longer than kMaxPayload, an
  // unknown type, a ring with corrupt indices) means the stream can no
  // longer be followed: the caller must stop using the connection.
  Result<bool> poll(RingConsumer& ring, Message* msg);
  void reset() { have_ = 0; }

 private:
  size_t have_ = 0;  // bytes of the current message gathered so far
};

// Where a message from xenstored goes: a watch event to the watches, the
// reply to the request waiting for it (same request id), anything else
// (a reply to nobody, a stale or forged id) is dropped and counted.
enum class Route { kReply, kWatchEvent, kStray };
Route route(const Message& m, bool waiting, uint32_t waiting_id);

// The outcome of a reply to a request of type `request_type`: ok, the
// error an XS_ERROR names, or kIo for a reply of another type.
Status check_reply(const Message& m, uint32_t request_type);

// The error an XS_ERROR reply names, with a static message
// ("xenstore: ENOENT") and the closest Errc; unknown names give kIo.
Error reply_error(const char* payload, size_t len);

// Checks a path a caller passes: non-empty, at most kMaxPath bytes,
// printable ASCII without spaces (xenstored's own rule is stricter: letters,
// digits and "-/_@"; it rejects the rest with EINVAL).
Status check_path(const char* path);

// Iterates over the NUL-separated strings of a payload (directory listings,
// permissions, watch events); returns nullptr at the end. A last string
// without its NUL is still returned (the payload is NUL-terminated by the
// decoder).
const char* next_string(const char* payload, size_t len, const char* prev);

// Parses an unsigned decimal (transaction ids); kInvalid if not one.
Result<uint32_t> parse_u32(const char* s);

}  // namespace petrel::xen::xs
