// The PV console's shared page (struct xencons_interface from Xen's
// io/console.h): the guest produces into `out` and consumes `in`; the
// backend in another domain (xenconsoled) does the opposite.
//
// The page is shared with that domain, so nothing in it is trusted: the
// indices we own (out_prod, in_cons) are kept in private copies and only
// ever written to the page; the peer's (out_cons, in_prod) are read once per
// call, and a value that claims more data or space than the ring holds is an
// error (the call fails, counts it and touches nothing), never an
// out-of-bounds access. Ring positions are masked to the ring size.
//
// Pure: no hypercalls (the caller notifies the event channel), unit-tested
// on the host with a fake page. The two directions are byte_ring.h's.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <xen/io/console.h>

#include "petrel/result.h"
#include "petrel/xen/byte_ring.h"

namespace petrel::xen {

class ConsoleRing {
 public:
  ConsoleRing() = default;
  // Adopts the page's current indices (a fresh domain's are 0); fails if they
  // are already inconsistent.
  Status attach(xencons_interface* page);
  bool attached() const { return attached_; }

  // Copies as much of `data` as fits into the output ring and publishes it.
  // Returns the number of bytes taken (0: the ring is full).
  Result<size_t> write(const char* data, size_t len);
  // Takes up to `size` bytes of input. Returns the number read (0: none).
  Result<size_t> read(char* buf, size_t size);

  // Bytes written but not yet consumed by the backend, as last seen.
  Result<size_t> out_pending();

  uint32_t errors() const { return errors_; }

 private:
  template <typename T>
  Result<T> count(Result<T> r);  // counts errors
  RingProducer out_;
  RingConsumer in_;
  bool attached_ = false;
  uint32_t errors_ = 0;
};

}  // namespace petrel::xen
