#include "arch/pl011.h"

#include "arch/mmio.h"

namespace petrel::arch::pl011 {
namespace {

constexpr uintptr_t kDr = 0x000;
constexpr uintptr_t kFr = 0x018;
constexpr uint32_t kFrTxFull = 1u << 5;
uintptr_t g_base;

}  // namespace

void init(uintptr_t base) {
  g_base = base;
}

void write(const char* text, size_t len) {
  if (g_base == 0) return;
  for (size_t i = 0; i < len; ++i) {
    // Xen's vpl011 drains into its console ring; if the ring stays full we
    // give up waiting rather than hang the guest on its console.
    for (int spin = 0; spin < 1000000 && (mmio_read32(g_base + kFr) & kFrTxFull) != 0; ++spin) {
    }
    mmio_write32(g_base + kDr, static_cast<uint8_t>(text[i]));
  }
}

}  // namespace petrel::arch::pl011
