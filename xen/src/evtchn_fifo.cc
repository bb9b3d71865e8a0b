#include "petrel/xen/evtchn_fifo.h"

namespace petrel::xen {
namespace {

constexpr event_word_t kPending = 1u << EVTCHN_FIFO_PENDING;
constexpr event_word_t kMasked = 1u << EVTCHN_FIFO_MASKED;
constexpr event_word_t kLinked = 1u << EVTCHN_FIFO_LINKED;
constexpr event_word_t kLinkMask = EVTCHN_FIFO_LINK_MASK;

}  // namespace

EvtchnFifo::EvtchnFifo(evtchn_fifo_control_block* control, event_word_t* const* pages,
                       uint32_t count)
    : control_(control), pages_(count > kMaxPages ? kMaxPages : count) {
  for (uint32_t i = 0; i < pages_; ++i) page_[i] = pages[i];
}

event_word_t* EvtchnFifo::word(uint32_t port) const {
  if (port >= capacity()) return nullptr;
  return &page_[port / kFifoWordsPerPage][port % kFifoWordsPerPage];
}

void EvtchnFifo::set_mask(uint32_t port, bool masked) {
  event_word_t* w = word(port);
  if (w == nullptr) return;
  if (masked) {
    __atomic_fetch_or(w, kMasked, __ATOMIC_ACQ_REL);
  } else {
    __atomic_fetch_and(w, ~kMasked, __ATOMIC_ACQ_REL);
  }
}

bool EvtchnFifo::is_masked(uint32_t port) const {
  const event_word_t* w = word(port);
  return w != nullptr && (__atomic_load_n(w, __ATOMIC_ACQUIRE) & kMasked) != 0;
}

bool EvtchnFifo::is_pending(uint32_t port) const {
  const event_word_t* w = word(port);
  return w != nullptr && (__atomic_load_n(w, __ATOMIC_ACQUIRE) & kPending) != 0;
}

void EvtchnFifo::clear_pending(uint32_t port) {
  if (event_word_t* w = word(port)) __atomic_fetch_and(w, ~kPending, __ATOMIC_ACQ_REL);
}

bool EvtchnFifo::consume_one(uint32_t q, uint32_t* ready, Dispatch dispatch, void* ctx) {
  uint32_t port = head_[q];
  if (port == 0) port = __atomic_load_n(&control_->head[q], __ATOMIC_ACQUIRE);
  event_word_t* w = word(port);
  if (port == 0 || w == nullptr) {
    // An empty queue marked ready, or a head beyond our array: nothing to
    // follow; forget the queue until Xen readies it again.
    head_[q] = 0;
    *ready &= ~(1u << q);
    return false;
  }
  // Unlink: clear LINKED and learn the next port in one atomic step, so a
  // port Xen links behind this one meanwhile is not missed.
  event_word_t old = __atomic_load_n(w, __ATOMIC_ACQUIRE);
  while (!__atomic_compare_exchange_n(w, &old, old & ~(kLinked | kLinkMask), false,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
  }
  const uint32_t next = old & kLinkMask;
  head_[q] = next;
  if (next == 0) *ready &= ~(1u << q);  // reached the tail
  if ((old & kPending) != 0 && (old & kMasked) == 0) {
    clear_pending(port);
    dispatch(port, ctx);
    return true;
  }
  return false;
}

uint32_t EvtchnFifo::scan(uint8_t* upcall_pending, Dispatch dispatch, void* ctx) {
  __atomic_store_n(upcall_pending, 0, __ATOMIC_RELEASE);
  uint32_t dispatched = 0;
  uint32_t ready = __atomic_exchange_n(&control_->ready, 0u, __ATOMIC_ACQ_REL);
  for (uint32_t steps = 0; ready != 0 && steps < kMaxEventsPerUpcall; ++steps) {
    const uint32_t q = static_cast<uint32_t>(__builtin_ctz(ready));  // 0: highest priority
    if (q >= EVTCHN_FIFO_MAX_QUEUES) break;
    if (consume_one(q, &ready, dispatch, ctx)) ++dispatched;
    ready |= __atomic_exchange_n(&control_->ready, 0u, __ATOMIC_ACQ_REL);
  }
  if (ready != 0) {
    // Only a handler that raises its own port again and again gets here:
    // the rest waits in its queues until the next upcall.
    __atomic_fetch_or(&control_->ready, ready, __ATOMIC_ACQ_REL);
  }
  return dispatched;
}

}  // namespace petrel::xen
