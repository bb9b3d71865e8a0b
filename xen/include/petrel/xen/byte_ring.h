// One direction of a byte ring in a page shared with another domain (the PV
// console's and xenstore's rings are two of these each): a power-of-two
// buffer with free-running 32-bit producer and consumer indices.
//
// The other domain is not trusted. The index we own is kept in a private
// copy and only written to the page; the peer's index is read once per call
// and must move forward, and no further than ours allows (a consumer cannot
// pass the producer, a producer cannot get more than the ring's size ahead).
// Anything else is an error that changes nothing, never an out-of-bounds
// access. Pure code, unit-tested on the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/result.h"

namespace petrel::xen {

// We write `buf`, the peer reads it.
class RingProducer {
 public:
  RingProducer() = default;
  RingProducer(char* buf, uint32_t size, uint32_t* prod, const uint32_t* cons)
      : buf_(buf), size_(size), prod_(prod), cons_(cons) {}
  // Adopts the page's producer index; fails if the two indices disagree.
  Status attach();
  // Copies as much of `data` as fits and publishes it; the byte count.
  Result<size_t> write(const char* data, size_t len);
  // Bytes not yet consumed by the peer.
  Result<size_t> pending() const;

 private:
  Result<uint32_t> used() const;
  char* buf_ = nullptr;
  uint32_t size_ = 0;
  uint32_t* prod_ = nullptr;
  const uint32_t* cons_ = nullptr;
  uint32_t shadow_ = 0;
  mutable uint32_t seen_ = 0;  // the peer's index when last read
};

// The peer writes `buf`, we read it.
class RingConsumer {
 public:
  RingConsumer() = default;
  RingConsumer(const char* buf, uint32_t size, const uint32_t* prod, uint32_t* cons)
      : buf_(buf), size_(size), prod_(prod), cons_(cons) {}
  Status attach();
  // Copies up to `size` available bytes out and releases them; the count.
  Result<size_t> read(char* out, size_t size);
  // Bytes available to read.
  Result<size_t> available() const;

 private:
  const char* buf_ = nullptr;
  uint32_t size_ = 0;
  const uint32_t* prod_ = nullptr;
  uint32_t* cons_ = nullptr;
  uint32_t shadow_ = 0;
  mutable uint32_t seen_ = 0;  // the peer's index when last read
};

}  // namespace petrel::xen
