// Fuzz target: the PV console's shared page (xen/src/console_ring.cc) with
// xenconsoled's side played by the input: the page starts with any indices
// and any contents, and between our writes and reads the peer sets its
// indices (out_cons, in_prod) to anything or scribbles on the input ring.
// Nothing may be read or written outside the page (an exactly sized heap
// object), and counts stay within the rings.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "fuzz_check.h"
#include "petrel/xen/console_ring.h"

using petrel::fuzz::expect;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  auto page = std::make_unique<xencons_interface>();
  std::memset(page.get(), 0, sizeof *page);
  page->in_cons = in.ConsumeIntegral<uint32_t>();
  page->in_prod = in.ConsumeBool() ? in.ConsumeIntegral<uint32_t>() : page->in_cons;
  page->out_cons = in.ConsumeIntegral<uint32_t>();
  page->out_prod = in.ConsumeBool() ? in.ConsumeIntegral<uint32_t>() : page->out_cons;
  petrel::xen::ConsoleRing ring;
  if (!ring.attach(page.get())) {
    expect(!ring.attached() && ring.errors() == 1, "a refused page is counted, not attached");
    return 0;
  }
  std::vector<char> buf(sizeof page->in + 1);
  const std::vector<char> text(sizeof page->out * 2, 't');
  while (in.remaining_bytes() > 0) {
    switch (in.ConsumeIntegralInRange<int>(0, 6)) {
      case 0: {
        const size_t len = in.ConsumeIntegralInRange<size_t>(0, text.size());
        if (auto n = ring.write(text.data(), len))
          expect(*n <= len && *n <= sizeof page->out, "write within len and the ring");
        break;
      }
      case 1: {
        const size_t len = in.ConsumeIntegralInRange<size_t>(0, buf.size());
        if (auto n = ring.read(buf.data(), len))
          expect(*n <= len && *n <= sizeof page->in, "read within len and the ring");
        break;
      }
      case 2:
        if (auto n = ring.out_pending()) expect(*n <= sizeof page->out, "pending within the ring");
        break;
      case 3:
        page->out_cons = in.ConsumeIntegral<uint32_t>();
        break;
      case 4:
        page->in_prod = in.ConsumeIntegral<uint32_t>();
        break;
      case 5:
        page->in_prod += in.ConsumeIntegralInRange<uint32_t>(0, 2 * sizeof page->in);
        break;
      default: {
        // The peer writes input bytes (anywhere in its ring) and moves on.
        const uint32_t at = in.ConsumeIntegral<uint32_t>();
        page->in[at % sizeof page->in] = in.ConsumeIntegral<char>();
        page->out_cons += in.ConsumeIntegralInRange<uint32_t>(0, sizeof page->out);
        break;
      }
    }
  }
  return 0;
}
