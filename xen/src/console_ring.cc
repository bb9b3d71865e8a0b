#include "petrel/xen/console_ring.h"

namespace petrel::xen {
namespace {

constexpr uint32_t kOutSize = sizeof(xencons_interface::out);
constexpr uint32_t kInSize = sizeof(xencons_interface::in);
static_assert((kOutSize & (kOutSize - 1)) == 0 && (kInSize & (kInSize - 1)) == 0);

XENCONS_RING_IDX peer_index(const XENCONS_RING_IDX* p) {
  // One read, ordered before the ring accesses it allows.
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
void publish(XENCONS_RING_IDX* p, XENCONS_RING_IDX v) {
  // Ring contents written (or read) before the index moves.
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

}  // namespace

Status ConsoleRing::attach(xencons_interface* page) {
  const XENCONS_RING_IDX out_prod = __atomic_load_n(&page->out_prod, __ATOMIC_ACQUIRE);
  const XENCONS_RING_IDX out_cons = __atomic_load_n(&page->out_cons, __ATOMIC_ACQUIRE);
  const XENCONS_RING_IDX in_prod = __atomic_load_n(&page->in_prod, __ATOMIC_ACQUIRE);
  const XENCONS_RING_IDX in_cons = __atomic_load_n(&page->in_cons, __ATOMIC_ACQUIRE);
  if (static_cast<XENCONS_RING_IDX>(out_prod - out_cons) > kOutSize ||
      static_cast<XENCONS_RING_IDX>(in_prod - in_cons) > kInSize) {
    ++errors_;
    return Error{Errc::kIo, "console ring: inconsistent indices in the shared page"};
  }
  page_ = page;
  out_prod_ = out_prod;
  in_cons_ = in_cons;
  return ok();
}

Result<size_t> ConsoleRing::write(const char* data, size_t len) {
  if (page_ == nullptr) return Error{Errc::kInvalid, "console ring: not attached"};
  const XENCONS_RING_IDX cons = peer_index(&page_->out_cons);
  const XENCONS_RING_IDX used = out_prod_ - cons;
  if (used > kOutSize) {
    ++errors_;
    return Error{Errc::kIo, "console ring: the backend's out_cons is out of range"};
  }
  size_t n = kOutSize - used;
  if (n > len) n = len;
  for (size_t i = 0; i < n; ++i) {
    page_->out[(out_prod_ + i) & (kOutSize - 1)] = data[i];
  }
  out_prod_ += static_cast<XENCONS_RING_IDX>(n);
  publish(&page_->out_prod, out_prod_);
  return n;
}

Result<size_t> ConsoleRing::read(char* buf, size_t size) {
  if (page_ == nullptr) return Error{Errc::kInvalid, "console ring: not attached"};
  const XENCONS_RING_IDX prod = peer_index(&page_->in_prod);
  const XENCONS_RING_IDX avail = prod - in_cons_;
  if (avail > kInSize) {
    ++errors_;
    return Error{Errc::kIo, "console ring: the backend's in_prod is out of range"};
  }
  size_t n = avail < size ? avail : size;
  for (size_t i = 0; i < n; ++i) buf[i] = page_->in[(in_cons_ + i) & (kInSize - 1)];
  in_cons_ += static_cast<XENCONS_RING_IDX>(n);
  publish(&page_->in_cons, in_cons_);
  return n;
}

Result<size_t> ConsoleRing::out_pending() {
  if (page_ == nullptr) return Error{Errc::kInvalid, "console ring: not attached"};
  const XENCONS_RING_IDX used = out_prod_ - peer_index(&page_->out_cons);
  if (used > kOutSize) {
    ++errors_;
    return Error{Errc::kIo, "console ring: the backend's out_cons is out of range"};
  }
  return static_cast<size_t>(used);
}

}  // namespace petrel::xen
