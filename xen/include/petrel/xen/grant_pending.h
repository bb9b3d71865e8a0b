// Grants that outlive their owner: when a vchan server closes while its
// client still maps some of its pages, those grants cannot end yet, and the
// memory block behind them must not return to the heap while another domain
// can write it. PendingGrants keeps such grants, each tagged with its block,
// retries them, and frees a block only once none of its grants is left.
//
// Pure bookkeeping, host-tested (tests/unit/grant_pending_test.cc): ending a
// grant and freeing a block are passed in, and the caller serializes calls.
#pragma once

#include <stdint.h>

namespace petrel::xen {

class PendingGrants {
 public:
  static constexpr unsigned kCapacity = 1024;
  using EndFn = bool (*)(uint32_t ref);  // true: ended (the peer let go)
  using FreeFn = void (*)(void* block);

  // Ends the grants refs[0..n) of `block`; those still mapped are kept. The
  // block is freed at once if every grant ended. False when the list could
  // not keep them all: the block is then never freed (a leak, not a page
  // another domain can write after the heap reused it).
  bool retire(const uint32_t* refs, unsigned n, void* block, EndFn end, FreeFn free_block);
  // Retries every kept grant; frees each block none of whose grants is left.
  void retry(EndFn end, FreeFn free_block);
  unsigned count() const { return count_; }

 private:
  struct Entry {
    uint32_t ref;
    bool ended;   // within retry()
    void* block;  // nullptr: never to be freed
  };
  Entry entries_[kCapacity] = {};
  unsigned count_ = 0;
};

}  // namespace petrel::xen
