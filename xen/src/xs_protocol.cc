#include "petrel/xen/xs_protocol.h"

#include "petrel/string.h"

namespace petrel::xen::xs {
namespace {

struct NamedError {
  const char* name;
  Errc code;
  const char* message;
};

// The error names xenstored sends (the errno names of io/xs_wire.h).
constexpr NamedError kErrors[] = {
    {"EINVAL", Errc::kInvalid, "xenstore: EINVAL"},
    {"EACCES", Errc::kPermission, "xenstore: EACCES"},
    {"EEXIST", Errc::kBusy, "xenstore: EEXIST"},
    {"EISDIR", Errc::kInvalid, "xenstore: EISDIR"},
    {"ENOENT", Errc::kNotFound, "xenstore: ENOENT"},
    {"ENOMEM", Errc::kNoMemory, "xenstore: ENOMEM"},
    {"ENOSPC", Errc::kNoMemory, "xenstore: ENOSPC"},
    {"EIO", Errc::kIo, "xenstore: EIO"},
    {"ENOTEMPTY", Errc::kBusy, "xenstore: ENOTEMPTY"},
    {"ENOSYS", Errc::kUnsupported, "xenstore: ENOSYS"},
    {"EROFS", Errc::kPermission, "xenstore: EROFS"},
    {"EBUSY", Errc::kBusy, "xenstore: EBUSY"},
    {"EAGAIN", Errc::kBusy, "xenstore: EAGAIN"},
    {"EISCONN", Errc::kBusy, "xenstore: EISCONN"},
    {"E2BIG", Errc::kOutOfRange, "xenstore: E2BIG"},
    {"EPERM", Errc::kPermission, "xenstore: EPERM"},
    {"EQUOTA", Errc::kNoMemory, "xenstore: EQUOTA"},
};

bool known_type(uint32_t type) {
  return type < XS_TYPE_COUNT && type != XS_SET_TARGET + 1;  // the removed XS_RESTRICT
}

}  // namespace

Result<size_t> encode(char* out, size_t cap, uint32_t type, uint32_t req_id, uint32_t tx_id,
                      const Part* parts, size_t count) {
  size_t len = 0;
  for (size_t i = 0; i < count; ++i) {
    len += parts[i].len + (parts[i].nul ? 1 : 0);
    if (len > kMaxPayload) return Error{Errc::kOutOfRange, "xenstore: request too long"};
  }
  if (kHeaderSize + len > cap)
    return Error{Errc::kOutOfRange, "xenstore: request buffer too small"};
  xsd_sockmsg h{type, req_id, tx_id, static_cast<uint32_t>(len)};
  str::copy(out, &h, kHeaderSize);
  size_t at = kHeaderSize;
  for (size_t i = 0; i < count; ++i) {
    str::copy(out + at, parts[i].data, parts[i].len);
    at += parts[i].len;
    if (parts[i].nul) out[at++] = '\0';
  }
  return at;
}

Result<bool> Decoder::poll(RingConsumer& ring, Message* msg) {
  char* raw = reinterpret_cast<char*>(msg);
  for (;;) {
    size_t want;
    if (have_ < kHeaderSize) {
      want = kHeaderSize - have_;
    } else {
      // The header is complete: its length is checked once, before any
      // payload byte is stored.
      if (msg->header.len > kMaxPayload) {
        have_ = 0;
        return Error{Errc::kIo, "xenstore: reply longer than the protocol allows"};
      }
      if (!known_type(msg->header.type)) {
        have_ = 0;
        return Error{Errc::kIo, "xenstore: reply of an unknown type"};
      }
      want = kHeaderSize + msg->header.len - have_;
      if (want == 0) {
        msg->payload[msg->header.len] = '\0';
        have_ = 0;
        return true;
      }
    }
    auto n = ring.read(raw + have_, want);
    if (!n) {
      have_ = 0;
      return n.error();
    }
    if (*n == 0) return false;
    have_ += *n;
  }
}

Route route(const Message& m, bool waiting, uint32_t waiting_id) {
  if (m.header.type == XS_WATCH_EVENT) return Route::kWatchEvent;
  if (waiting && m.header.req_id == waiting_id) return Route::kReply;
  return Route::kStray;
}

Status check_reply(const Message& m, uint32_t request_type) {
  if (m.header.type == XS_ERROR) return reply_error(m.payload, m.header.len);
  if (m.header.type != request_type) return Error{Errc::kIo, "xenstore: reply of the wrong type"};
  return ok();
}

Error reply_error(const char* payload, size_t len) {
  for (const NamedError& e : kErrors) {
    const size_t n = str::length(e.name);
    if ((len == n || (len == n + 1 && payload[n] == '\0')) &&
        str::compare_strings_n(payload, e.name, n) == 0)
      return Error{e.code, e.message};
  }
  return Error{Errc::kIo, "xenstore: unknown error"};
}

Status check_path(const char* path) {
  if (path == nullptr || path[0] == '\0') return Error{Errc::kInvalid, "xenstore: empty path"};
  size_t n = 0;
  for (const char* p = path; *p != '\0'; ++p, ++n) {
    if (n >= kMaxPath) return Error{Errc::kOutOfRange, "xenstore: path too long"};
    if (*p <= ' ' || *p > '~') return Error{Errc::kInvalid, "xenstore: bad character in path"};
  }
  return ok();
}

const char* next_string(const char* payload, size_t len, const char* prev) {
  const char* end = payload + len;
  if (prev != nullptr && (prev < payload || prev >= end)) return nullptr;
  const char* p = prev == nullptr
                      ? payload
                      : prev + str::length_bounded(prev, static_cast<size_t>(end - prev)) + 1;
  if (p >= end) return nullptr;
  return p;
}

Result<uint32_t> parse_u32(const char* s) {
  if (s == nullptr || *s == '\0') return Error{Errc::kInvalid, "xenstore: not a number"};
  uint64_t v = 0;
  for (; *s != '\0'; ++s) {
    if (*s < '0' || *s > '9') return Error{Errc::kInvalid, "xenstore: not a number"};
    v = v * 10 + static_cast<uint64_t>(*s - '0');
    if (v > 0xffffffffu) return Error{Errc::kOutOfRange, "xenstore: number too large"};
  }
  return static_cast<uint32_t>(v);
}

}  // namespace petrel::xen::xs
