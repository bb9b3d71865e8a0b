// Fuzz target: the FIFO event-channel consumer (xen/src/evtchn_fifo.cc),
// with the event words and the control block (head[], ready) written by the
// input instead of Xen: any link, any head, any ready bits, on 1 to 4 event
// pages. A handler may change words meanwhile, as Xen does concurrently.
// An upcall must end (the scan is bounded), dispatch only ports of the
// array, and never touch a word outside the pages (exactly sized heap
// arrays).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "petrel/xen/evtchn_fifo.h"

namespace xen = petrel::xen;
using petrel::fuzz::expect;

namespace {

struct Peer {
  FuzzedDataProvider* in;
  std::vector<std::vector<event_word_t>>* pages;
  uint32_t capacity;
  uint32_t dispatched = 0;
};

// The handler: checks the port, and lets the input rewrite a word (Xen
// raising or relinking a port while the guest handles another).
void handle(uint32_t port, void* ctx) {
  auto* peer = static_cast<Peer*>(ctx);
  expect(port != 0 && port < peer->capacity, "a dispatched port is in the array");
  ++peer->dispatched;
  if (peer->in->remaining_bytes() > 0 && peer->in->ConsumeBool()) {
    const uint32_t p = peer->in->ConsumeIntegralInRange<uint32_t>(0, peer->capacity - 1);
    (*peer->pages)[p / xen::kFifoWordsPerPage][p % xen::kFifoWordsPerPage] =
        peer->in->ConsumeIntegral<event_word_t>();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const uint32_t count = in.ConsumeIntegralInRange<uint32_t>(1, xen::EvtchnFifo::kMaxPages);
  std::vector<std::vector<event_word_t>> pages(count,
                                               std::vector<event_word_t>(xen::kFifoWordsPerPage));
  std::vector<event_word_t*> page_ptrs;
  for (auto& p : pages) page_ptrs.push_back(p.data());
  evtchn_fifo_control_block control{};
  control.ready = in.ConsumeIntegral<uint32_t>();
  for (auto& head : control.head) head = in.ConsumeBool() ? in.ConsumeIntegral<uint32_t>() : 0;
  const uint32_t capacity = count * xen::kFifoWordsPerPage;
  // Words: a few ports (any, in range) set to any value, including links
  // that form cycles, point beyond the array or at port 0.
  const uint32_t words = in.ConsumeIntegralInRange<uint32_t>(0, 64);
  for (uint32_t i = 0; i < words; ++i) {
    const uint32_t p = in.ConsumeIntegralInRange<uint32_t>(0, capacity - 1);
    pages[p / xen::kFifoWordsPerPage][p % xen::kFifoWordsPerPage] =
        in.ConsumeIntegral<event_word_t>();
  }
  xen::EvtchnFifo fifo(&control, page_ptrs.data(), count);
  expect(fifo.capacity() == capacity, "capacity is the pages' words");
  Peer peer{&in, &pages, capacity};
  uint8_t upcall_pending = 1;
  for (int upcall = 0; upcall < 3; ++upcall) {
    const uint32_t n = fifo.scan(&upcall_pending, handle, &peer);
    expect(n <= xen::EvtchnFifo::kMaxEventsPerUpcall, "an upcall is bounded");
    expect(upcall_pending == 0, "the upcall flag is cleared");
    if (in.remaining_bytes() == 0) break;
    control.ready |= in.ConsumeIntegral<uint32_t>();
  }
  // The per-port calls, with any port (beyond the array too).
  while (in.remaining_bytes() > 0) {
    const uint32_t port = in.ConsumeIntegral<uint32_t>();
    fifo.set_mask(port, in.ConsumeBool());
    (void)fifo.is_masked(port);
    (void)fifo.is_pending(port);
    fifo.clear_pending(port);
  }
  return 0;
}
