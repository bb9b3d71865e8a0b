// The 2-level event-channel ABI's bookkeeping, without hypercalls: pure code
// over the words Xen shares with the guest, unit-tested on the host against
// all 4096 ports.
//
// Xen marks a port pending by setting its bit in shared_info.evtchn_pending
// (64 words of 64 bits), then, unless the port is masked
// (shared_info.evtchn_mask), the word's bit in vcpu_info.evtchn_pending_sel
// and vcpu_info.evtchn_upcall_pending, and raises the upcall interrupt. The
// guest clears upcall_pending, takes the selector with an atomic exchange,
// and for every selected word dispatches the pending, unmasked ports,
// clearing each pending bit atomically before calling its handler (an event
// arriving during the handler is then not lost). It repeats while Xen set
// upcall_pending again. Each pass starts at the word after the last one
// that had an event, and dispatches every port pending in a word's snapshot,
// so a busy port cannot starve others.
//
// The words are in memory Xen writes concurrently; they are accessed only
// with atomic operations, and every loop is bounded: a selector whose words
// have nothing pending costs one pass, never a hang.
#pragma once

#include <stdint.h>

namespace petrel::xen {

inline constexpr uint32_t kEvtchn2lWords = 64;
inline constexpr uint32_t kEvtchn2lPorts = kEvtchn2lWords * 64;  // 4096

struct Evtchn2lWords {
  uint64_t* pending;        // shared_info.evtchn_pending[64]
  uint64_t* mask;           // shared_info.evtchn_mask[64]
  uint64_t* pending_sel;    // vcpu_info.evtchn_pending_sel
  uint8_t* upcall_pending;  // vcpu_info.evtchn_upcall_pending
};

class Evtchn2lScanner {
 public:
  using Dispatch = void (*)(uint32_t port, void* ctx);

  // Handles one upcall: dispatches every pending, unmasked port once (at
  // most kMaxRounds passes while Xen keeps raising upcall_pending). Returns
  // the number of ports dispatched.
  uint32_t scan(const Evtchn2lWords& w, Dispatch dispatch, void* ctx);

  // Port helpers on the shared words (atomic).
  static void set_mask(const Evtchn2lWords& w, uint32_t port, bool masked);
  static bool is_masked(const Evtchn2lWords& w, uint32_t port);
  static bool is_pending(const Evtchn2lWords& w, uint32_t port);
  static void clear_pending(const Evtchn2lWords& w, uint32_t port);

  static constexpr int kMaxRounds = 4;

 private:
  uint32_t next_word_ = 0;  // fairness: where the next pass starts
};

}  // namespace petrel::xen
