// The byte stream that vchan (vchan.h) and static channels
// (static_channel.h) both carry: libxenvchan's shared header
// (vchan_layout.h) with two byte rings (byte_ring.h), the two ends'
// liveness and notification-request bits, and one event channel. How the
// memory came to be shared (grants and xenstore, or a region Xen set up
// from the device tree) is the subclass's business; the stream rules are
// here once.
//
// The "server" end reads the left ring and writes the right one; the
// "client" end the other way round. Each end asks the other for a
// notification only when it has to wait (a bit in the peer's notify field)
// and notifies only when asked, so a busy stream costs no event at all.
// Everything in the shared memory is untrusted: ring indices are checked at
// every access, and a peer that corrupts them gets the stream broken (every
// later call fails) with one log line.
//
// Stream use: read()/write() move at least one byte (or time out). Packet
// use: read_all()/write_all() move exactly `len` bytes, write_all() placing
// the whole packet at once (so len may not exceed the ring).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/kernel/ticks.h"
#include "petrel/result.h"
#include "petrel/xen/byte_ring.h"
#include "petrel/xen/types.h"
#include "petrel/xen/vchan_layout.h"

namespace petrel::kernel {
struct Semaphore;
}

namespace petrel::xen {

class RingStream {
 public:
  Result<size_t> read(void* buf, size_t size, kernel::Ticks timeout);
  Result<size_t> write(const void* data, size_t len, kernel::Ticks timeout);
  Status read_all(void* buf, size_t len, kernel::Ticks timeout);
  Status write_all(const void* data, size_t len, kernel::Ticks timeout);

  size_t data_ready();
  size_t buffer_space();
  size_t read_capacity() const { return read_size_; }
  size_t write_capacity() const { return write_size_; }

  // Server: waits until the client connected (kTimeout otherwise).
  Status wait_connected(kernel::Ticks timeout);
  // Waits until the peer has read everything written, or has closed: before
  // closing a stream whose reader stops at the close. Looks every tick;
  // kTimeout after `timeout` (kForever: no limit).
  Status wait_drained(kernel::Ticks timeout);
  bool connected() const;
  // The other end has closed (or never came): reads drain what is left and
  // then fail with kNotFound, writes fail at once.
  bool peer_closed() const;
  // Set when the peer corrupted the shared memory: every call then fails.
  bool broken() const { return broken_; }

  RingStream(const RingStream&) = delete;
  RingStream& operator=(const RingStream&) = delete;

 protected:
  // `kind` names the stream in log lines ("vchan", "static channel").
  explicit RingStream(const char* kind) : kind_(kind) {}
  ~RingStream() = default;

  // Points the two rings at `left_buf` (2^left_order bytes) and `right_buf`
  // (2^right_order), whose indices are in `sh`, for this end's role, and
  // adopts the indices found there (they must agree).
  Status attach_rings(VchanShared* sh, char* left_buf, unsigned left_order, char* right_buf,
                      unsigned right_order, bool server);
  // Marks our end gone in the header and tells the peer.
  void mark_closed();

  bool server_ = false;
  bool broken_ = false;
  EvtchnPort port_{};
  VchanShared* shared_ = nullptr;
  kernel::Semaphore* event_ = nullptr;  // given by the port's handler

 private:
  Status wait_event(kernel::Ticks timeout);
  void request_notify(uint8_t bit);
  void send_notify(uint8_t bit);
  Error fail(const Error& e);

  const char* kind_;
  size_t read_size_ = 0, write_size_ = 0;
  RingConsumer reader_;
  RingProducer writer_;
};

}  // namespace petrel::xen
