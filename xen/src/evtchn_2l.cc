#include "petrel/xen/evtchn_2l.h"

namespace petrel::xen {
namespace {

uint64_t load(const uint64_t* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
uint64_t bit(uint32_t port) {
  return 1ull << (port % 64);
}

}  // namespace

void Evtchn2lScanner::set_mask(const Evtchn2lWords& w, uint32_t port, bool masked) {
  if (port >= kEvtchn2lPorts) return;
  if (masked) {
    __atomic_fetch_or(&w.mask[port / 64], bit(port), __ATOMIC_ACQ_REL);
  } else {
    __atomic_fetch_and(&w.mask[port / 64], ~bit(port), __ATOMIC_ACQ_REL);
  }
}

bool Evtchn2lScanner::is_masked(const Evtchn2lWords& w, uint32_t port) {
  return port < kEvtchn2lPorts && (load(&w.mask[port / 64]) & bit(port)) != 0;
}

bool Evtchn2lScanner::is_pending(const Evtchn2lWords& w, uint32_t port) {
  return port < kEvtchn2lPorts && (load(&w.pending[port / 64]) & bit(port)) != 0;
}

void Evtchn2lScanner::clear_pending(const Evtchn2lWords& w, uint32_t port) {
  if (port >= kEvtchn2lPorts) return;
  __atomic_fetch_and(&w.pending[port / 64], ~bit(port), __ATOMIC_ACQ_REL);
}

uint32_t Evtchn2lScanner::scan(const Evtchn2lWords& w, Dispatch dispatch, void* ctx) {
  uint32_t dispatched = 0;
  for (int round = 0; round < kMaxRounds; ++round) {
    __atomic_store_n(w.upcall_pending, 0, __ATOMIC_RELEASE);
    const uint64_t sel = __atomic_exchange_n(w.pending_sel, 0, __ATOMIC_ACQ_REL);
    if (sel == 0) break;
    // Every selected word once, starting after the word that last had an
    // event; all ports pending in a word's snapshot are dispatched, so none
    // waits longer than one round.
    const uint32_t start = next_word_;
    for (uint32_t n = 0; n < kEvtchn2lWords; ++n) {
      const uint32_t word = (start + n) % kEvtchn2lWords;
      if ((sel & (1ull << word)) == 0) continue;
      uint64_t ready = load(&w.pending[word]) & ~load(&w.mask[word]);
      while (ready != 0) {
        const uint32_t port = word * 64 + static_cast<uint32_t>(__builtin_ctzll(ready));
        ready &= ready - 1;
        clear_pending(w, port);
        dispatch(port, ctx);
        ++dispatched;
      }
      next_word_ = (word + 1) % kEvtchn2lWords;
    }
    if (__atomic_load_n(w.upcall_pending, __ATOMIC_ACQUIRE) == 0) break;
  }
  return dispatched;
}

}  // namespace petrel::xen
