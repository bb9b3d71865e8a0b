#include "petrel/xen/byte_ring.h"

namespace petrel::xen {
namespace {

uint32_t load(const uint32_t* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);  // once, before the data it covers
}
void store(uint32_t* p, uint32_t v) {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);  // after the data it covers
}

}  // namespace

Status RingProducer::attach() {
  shadow_ = load(prod_);
  if (!used()) return Error{Errc::kIo, "ring: inconsistent indices in the shared page"};
  return ok();
}

Result<uint32_t> RingProducer::used() const {
  const uint32_t used = shadow_ - load(cons_);
  if (used > size_) return Error{Errc::kIo, "ring: the peer's consumer index is out of range"};
  return used;
}

Result<size_t> RingProducer::write(const char* data, size_t len) {
  auto u = used();
  if (!u) return u.error();
  size_t n = size_ - *u;
  if (n > len) n = len;
  for (size_t i = 0; i < n; ++i) buf_[(shadow_ + i) & (size_ - 1)] = data[i];
  shadow_ += static_cast<uint32_t>(n);
  store(prod_, shadow_);
  return n;
}

Result<size_t> RingProducer::pending() const {
  auto u = used();
  if (!u) return u.error();
  return static_cast<size_t>(*u);
}

Status RingConsumer::attach() {
  shadow_ = load(cons_);
  if (!available()) return Error{Errc::kIo, "ring: inconsistent indices in the shared page"};
  return ok();
}

Result<size_t> RingConsumer::available() const {
  const uint32_t avail = load(prod_) - shadow_;
  if (avail > size_) return Error{Errc::kIo, "ring: the peer's producer index is out of range"};
  return static_cast<size_t>(avail);
}

Result<size_t> RingConsumer::read(char* out, size_t size) {
  auto a = available();
  if (!a) return a.error();
  const size_t n = *a < size ? *a : size;
  for (size_t i = 0; i < n; ++i) out[i] = buf_[(shadow_ + i) & (size_ - 1)];
  shadow_ += static_cast<uint32_t>(n);
  store(cons_, shadow_);
  return n;
}

}  // namespace petrel::xen
