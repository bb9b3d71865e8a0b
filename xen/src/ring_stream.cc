// The stream rules vchan and static channels share (petrel/xen/ring_stream.h).
#include "petrel/xen/ring_stream.h"

#include "petrel/kernel/semaphore.h"
#include "petrel/kernel/task.h"
#include "petrel/log.h"
#include "petrel/xen/evtchn.h"

namespace petrel::xen {
namespace {

using kernel::Ticks;

uint8_t load8(const uint8_t* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

constexpr Error kPeerClosed{Errc::kNotFound, "the peer closed the channel"};
constexpr Error kBroken{Errc::kIo, "the channel is broken"};

}  // namespace

Status RingStream::attach_rings(VchanShared* sh, char* left_buf, unsigned left_order,
                                char* right_buf, unsigned right_order, bool server) {
  shared_ = sh;
  server_ = server;
  const auto left_size = static_cast<uint32_t>(1u << left_order);
  const auto right_size = static_cast<uint32_t>(1u << right_order);
  if (server) {
    read_size_ = left_size;
    write_size_ = right_size;
    reader_ = RingConsumer(left_buf, left_size, &sh->left.prod, &sh->left.cons);
    writer_ = RingProducer(right_buf, right_size, &sh->right.prod, &sh->right.cons);
  } else {
    read_size_ = right_size;
    write_size_ = left_size;
    writer_ = RingProducer(left_buf, left_size, &sh->left.prod, &sh->left.cons);
    reader_ = RingConsumer(right_buf, right_size, &sh->right.prod, &sh->right.cons);
  }
  if (Status s = reader_.attach(); !s) return s;
  return writer_.attach();
}

void RingStream::mark_closed() {
  if (shared_ == nullptr) return;
  __atomic_store_n(server_ ? &shared_->srv_live : &shared_->cli_live, uint8_t{0}, __ATOMIC_RELEASE);
  if (port_.value != 0) (void)evtchn::send(port_);
}

Error RingStream::fail(const Error& e) {
  if (!broken_) log(LogLevel::kError, "%s: %s; the channel is closed", kind_, e.message);
  broken_ = true;
  return e;
}

// Asks the peer to notify us when it does `bit` (its field).
void RingStream::request_notify(uint8_t bit) {
  __atomic_fetch_or(server_ ? &shared_->cli_notify : &shared_->srv_notify, bit, __ATOMIC_ACQ_REL);
}

// We did `bit`: notify the peer if it asked (our field).
void RingStream::send_notify(uint8_t bit) {
  const uint8_t prev = __atomic_fetch_and(server_ ? &shared_->srv_notify : &shared_->cli_notify,
                                          uint8_t(~bit), __ATOMIC_ACQ_REL);
  if ((prev & bit) != 0) (void)evtchn::send(port_);
}

bool RingStream::connected() const {
  return load8(server_ ? &shared_->cli_live : &shared_->srv_live) == 1;
}

bool RingStream::peer_closed() const {
  return load8(server_ ? &shared_->cli_live : &shared_->srv_live) == 0;
}

Status RingStream::wait_event(Ticks timeout) {
  return kernel::semaphore_take(event_, timeout);
}

Status RingStream::wait_connected(Ticks timeout) {
  const kernel::Deadline deadline = kernel::Deadline::after(timeout);
  while (!connected()) {
    if (peer_closed()) return kPeerClosed;
    Status s = wait_event(deadline.remaining());
    if (!s) return s;
  }
  return ok();
}

Status RingStream::wait_drained(Ticks timeout) {
  const kernel::Deadline deadline = kernel::Deadline::after(timeout);
  while (buffer_space() < write_capacity() && !peer_closed()) {
    if (deadline.remaining() == kernel::kNoWait)
      return Error{Errc::kTimeout, "timed out waiting for the peer to read the channel"};
    kernel::task_delay(Ticks{1});
  }
  return ok();
}

size_t RingStream::data_ready() {
  auto a = reader_.available();
  if (!a) {
    (void)fail(a.error());
    return 0;
  }
  return *a;
}

size_t RingStream::buffer_space() {
  auto p = writer_.pending();
  if (!p) {
    (void)fail(p.error());
    return 0;
  }
  return write_size_ - *p;
}

Result<size_t> RingStream::read(void* buf, size_t size, Ticks timeout) {
  const kernel::Deadline deadline = kernel::Deadline::after(timeout);
  for (;;) {
    if (broken_) return kBroken;
    auto n = reader_.read(static_cast<char*>(buf), size);
    if (!n) return fail(n.error());
    if (*n > 0 || size == 0) {
      send_notify(kVchanNotifyRead);
      return *n;
    }
    if (peer_closed()) return kPeerClosed;
    request_notify(kVchanNotifyWrite);
    // The data may have come between the check and the request.
    if (data_ready() > 0) continue;
    if (Status s = wait_event(deadline.remaining()); !s) {
      if (s.error().code == Errc::kTimeout) return size_t{0};
      return s.error();
    }
  }
}

Result<size_t> RingStream::write(const void* data, size_t len, Ticks timeout) {
  const kernel::Deadline deadline = kernel::Deadline::after(timeout);
  for (;;) {
    if (broken_) return kBroken;
    if (peer_closed()) return kPeerClosed;
    auto n = writer_.write(static_cast<const char*>(data), len);
    if (!n) return fail(n.error());
    if (*n > 0 || len == 0) {
      send_notify(kVchanNotifyWrite);
      return *n;
    }
    request_notify(kVchanNotifyRead);
    if (buffer_space() > 0) continue;
    if (Status s = wait_event(deadline.remaining()); !s) {
      if (s.error().code == Errc::kTimeout) return size_t{0};
      return s.error();
    }
  }
}

Status RingStream::read_all(void* buf, size_t len, Ticks timeout) {
  const kernel::Deadline deadline = kernel::Deadline::after(timeout);
  size_t got = 0;
  while (got < len) {
    auto n = read(static_cast<char*>(buf) + got, len - got, deadline.remaining());
    if (!n) return n.error();
    if (*n == 0) return Error{Errc::kTimeout, "timed out reading from the channel"};
    got += *n;
  }
  return ok();
}

Status RingStream::write_all(const void* data, size_t len, Ticks timeout) {
  if (len > write_size_) return Error{Errc::kOutOfRange, "packet larger than the channel's ring"};
  const kernel::Deadline deadline = kernel::Deadline::after(timeout);
  // Wait for room for the whole packet, then place it at once.
  for (;;) {
    if (broken_) return kBroken;
    if (peer_closed()) return kPeerClosed;
    if (buffer_space() >= len) break;
    request_notify(kVchanNotifyRead);
    if (buffer_space() >= len) break;
    if (Status s = wait_event(deadline.remaining()); !s) {
      if (s.error().code == Errc::kTimeout)
        return Error{Errc::kTimeout, "timed out writing to the channel"};
      return s;
    }
  }
  auto n = writer_.write(static_cast<const char*>(data), len);
  if (!n) return fail(n.error());
  send_notify(kVchanNotifyWrite);
  return ok();
}

}  // namespace petrel::xen
