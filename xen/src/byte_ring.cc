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
  seen_ = load(cons_);
  if (shadow_ - seen_ > size_)
    return Error{Errc::kIo, "ring: inconsistent indices in the shared page"};
  return ok();
}

Result<uint32_t> RingProducer::used() const {
  // The consumer may only have moved forward, and not past what we wrote.
  const uint32_t cons = load(cons_);
  if (cons - seen_ > shadow_ - seen_)
    return Error{Errc::kIo, "ring: the peer's consumer index is out of range"};
  seen_ = cons;
  return shadow_ - cons;
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
  seen_ = load(prod_);
  if (seen_ - shadow_ > size_)
    return Error{Errc::kIo, "ring: inconsistent indices in the shared page"};
  return ok();
}

Result<size_t> RingConsumer::available() const {
  // The producer may only have moved forward, and not more than the ring's
  // size ahead of what we consumed.
  const uint32_t prod = load(prod_);
  if (prod - seen_ > size_ - (seen_ - shadow_))
    return Error{Errc::kIo, "ring: the peer's producer index is out of range"};
  seen_ = prod;
  return static_cast<size_t>(prod - shadow_);
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
