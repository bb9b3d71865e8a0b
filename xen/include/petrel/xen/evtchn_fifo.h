// The FIFO event-channel ABI's consumer side, without hypercalls: pure code
// over the control block and event words Xen shares with the guest,
// unit-tested on the host with the test playing Xen's producer side.
//
// Each port has a 32-bit event word (PENDING, MASKED, LINKED, BUSY and a
// 17-bit LINK to the next port in its queue). Xen appends a pending,
// unmasked port to the queue of its priority (16 queues, 0 highest),
// records the head of a queue that was empty in the control block's head[]
// and sets the queue's bit in `ready`. The guest takes `ready`, and for the
// highest-priority ready queue consumes one event at a time: starting from
// its own idea of the head (or the control block's when it had reached the
// tail), it clears the word's LINKED bit, reading the link to the next port
// in the same atomic operation; a zero link means the queue is empty after
// this one. A port still pending and not masked is then handled (its
// PENDING bit is cleared before the handler). Higher priorities are always
// served first; the work per upcall is bounded.
#pragma once

#include <stdint.h>
#include <xen/event_channel.h>

namespace petrel::xen {

inline constexpr uint32_t kFifoWordsPerPage = 4096 / sizeof(event_word_t);

class EvtchnFifo {
 public:
  using Dispatch = void (*)(uint32_t port, void* ctx);
  static constexpr uint32_t kMaxPages = 4;  // 4096 ports

  EvtchnFifo() = default;
  // `pages` event-array pages of kFifoWordsPerPage words each.
  EvtchnFifo(evtchn_fifo_control_block* control, event_word_t* const* pages, uint32_t count);

  // Handles one upcall: every queue until it is empty, highest priority
  // first; returns the number of ports dispatched. A safety bound of
  // kMaxEventsPerUpcall events (only reached by a handler that keeps raising
  // its own port) leaves the rest queued for the next upcall.
  uint32_t scan(uint8_t* upcall_pending, Dispatch dispatch, void* ctx);

  void set_mask(uint32_t port, bool masked);
  bool is_masked(uint32_t port) const;
  bool is_pending(uint32_t port) const;
  void clear_pending(uint32_t port);
  uint32_t capacity() const { return pages_ * kFifoWordsPerPage; }

  static constexpr uint32_t kMaxEventsPerUpcall = 65536;

 private:
  event_word_t* word(uint32_t port) const;
  // Consumes the head of queue q; returns the port handled or 0.
  bool consume_one(uint32_t q, uint32_t* ready, Dispatch dispatch, void* ctx);

  evtchn_fifo_control_block* control_ = nullptr;
  event_word_t* page_[kMaxPages] = {};
  uint32_t pages_ = 0;
  uint32_t head_[EVTCHN_FIFO_MAX_QUEUES] = {};  // our head of each queue (0: read Xen's)
};

}  // namespace petrel::xen
