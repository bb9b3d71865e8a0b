// Fuzz target: the vchan shared page as a client finds it (xen/src/
// vchan_layout.cc): the ring orders a server wrote, any 16-bit values. If
// vchan_geometry() accepts them, the page is used as vchan.cc does: the
// grant list is read after the header, and the two rings (in the page, or
// in separate pages for orders 12 and up) are driven with indices the peer
// sets to anything. The shared page and each ring's pages are exactly sized
// heap buffers: an accepted geometry that puts a ring or the grant list
// outside them is an ASan report.
#include <fuzzer/FuzzedDataProvider.h>
#include <sanitizer/asan_interface.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "fuzz_check.h"
#include "petrel/xen/byte_ring.h"
#include "petrel/xen/vchan_layout.h"

namespace xen = petrel::xen;
using petrel::fuzz::expect;

namespace {

// At most this many bytes per write or read: big rings are still wrapped
// (the peer moves the indices anywhere), without copying a MiB per step.
constexpr size_t kMaxTransfer = 1024;

// The pages of a ring of order 12 and up: the last `bytes` of one
// buffer of the largest size, allocated once (a fresh MiB per input made the
// target ten times slower), with the part before them poisoned for ASan. A
// read past the ring's end runs off the allocation; one before its start
// hits the poison.
class RingPages {
 public:
  static constexpr size_t kMax = size_t{1} << xen::kVchanMaxOrder;
  RingPages() : buf_(new char[kMax]) {}
  char* take(size_t bytes) {
    ASAN_POISON_MEMORY_REGION(buf_.get(), kMax - bytes);
    taken_ = kMax - bytes;
    return buf_.get() + kMax - bytes;
  }
  void release() { ASAN_UNPOISON_MEMORY_REGION(buf_.get(), taken_); }

 private:
  std::unique_ptr<char[]> buf_;
  size_t taken_ = 0;
};

// A ring's buffer: in the shared page at its offset, or pages of its own.
char* ring_buffer(char* page, size_t offset, unsigned pages, RingPages& own) {
  if (pages == 0) return page + offset;
  return own.take(size_t{pages} * xen::kVchanPageSize);
}

// Unpoisons both rings' buffers however the input ends.
struct Release {
  RingPages& a;
  RingPages& b;
  ~Release() {
    a.release();
    b.release();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  // The order a server picks for a buffer size (our own choice, then checked).
  const unsigned picked = xen::vchan_order_for(in.ConsumeIntegralInRange<size_t>(0, 1u << 22));
  expect(picked >= xen::kVchanMinOrder && picked <= xen::kVchanMaxOrder, "picked order in range");

  auto page_bytes = std::make_unique<char[]>(xen::kVchanPageSize);
  char* page = page_bytes.get();
  auto* shared = reinterpret_cast<xen::VchanShared*>(page);
  shared->left_order = in.ConsumeIntegral<uint16_t>();
  shared->right_order = in.ConsumeIntegral<uint16_t>();
  auto g = xen::vchan_geometry(shared->left_order, shared->right_order);
  if (!g) return 0;
  expect(g->left_order == shared->left_order && g->right_order == shared->right_order,
         "geometry keeps the orders");
  // The grant references a client maps: left's pages, then right's.
  const uint32_t* grants = xen::vchan_grants(shared);
  uint32_t sum = 0;
  for (unsigned i = 0; i < g->left_pages + g->right_pages; ++i) sum += grants[i];
  (void)sum;

  static RingPages left_own;
  static RingPages right_own;
  const Release release{left_own, right_own};
  char* left = ring_buffer(page, g->left_offset, g->left_pages, left_own);
  char* right = ring_buffer(page, g->right_offset, g->right_pages, right_own);
  const auto left_size = static_cast<uint32_t>(1u << g->left_order);
  const auto right_size = static_cast<uint32_t>(1u << g->right_order);
  if (g->left_pages == 0)
    expect(g->left_offset + left_size <= xen::kVchanPageSize, "left ring inside the page");
  if (g->right_pages == 0)
    expect(g->right_offset + right_size <= xen::kVchanPageSize, "right ring inside the page");

  // The client's ends: it writes left and reads right (vchan.cc).
  shared->left.prod = shared->left.cons = in.ConsumeIntegral<uint32_t>();
  shared->right.cons = in.ConsumeIntegral<uint32_t>();
  shared->right.prod = shared->right.cons + in.ConsumeIntegralInRange<uint32_t>(0, right_size);
  xen::RingProducer writer(left, left_size, &shared->left.prod, &shared->left.cons);
  xen::RingConsumer reader(right, right_size, &shared->right.prod, &shared->right.cons);
  if (!writer.attach() || !reader.attach()) return 0;
  std::vector<char> buf(kMaxTransfer);
  const std::vector<char> text(kMaxTransfer, 'v');
  while (in.remaining_bytes() > 0) {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0:
        if (auto n = writer.write(text.data(), in.ConsumeIntegralInRange<size_t>(0, kMaxTransfer)))
          expect(*n <= left_size, "write within the ring");
        break;
      case 1:
        if (auto n = reader.read(buf.data(), in.ConsumeIntegralInRange<size_t>(0, kMaxTransfer)))
          expect(*n <= right_size, "read within the ring");
        break;
      case 2:
        shared->left.cons = in.ConsumeIntegral<uint32_t>();  // the server's, anything
        break;
      default:
        shared->right.prod = in.ConsumeIntegral<uint32_t>();
        break;
    }
  }
  return 0;
}
