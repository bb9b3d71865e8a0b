// The fake's pages: another domain's pages (a memfd, so that a grant
// mapping is a second view of the same memory) and the guest's grant-table
// region, both at fixed addresses below 2 GiB (see fake_xen.h). Made once
// per process, cleared by every reset.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "fake_internal.h"

namespace petrel::xen::fake::internal {
namespace {

constexpr uintptr_t kArenaBase = 0x30000000;
constexpr size_t kArenaPages = 1024;  // 4 MiB
constexpr size_t kPage = 4096;
constexpr uintptr_t kWindowBase = kGrantRegionBase + kGrantRegionSize / 2;

struct Memory {
  int fd = -1;
  size_t next = 0;  // arena pages handed out since the reset
};
Memory g_memory;

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::abort();
}

void* map_fixed(uintptr_t address, size_t size, int prot, int flags, int fd, off_t offset) {
  void* p = mmap(reinterpret_cast<void*>(address), size, prot, flags, fd, offset);
  if (p != reinterpret_cast<void*>(address)) die("xen fake: mmap at a fixed address");
  return p;
}

void make_once() {
  if (g_memory.fd >= 0) return;
  g_memory.fd = memfd_create("petrel-xen-fake", 0);
  if (g_memory.fd < 0 || ftruncate(g_memory.fd, kArenaPages * kPage) != 0) die("xen fake: memfd");
  map_fixed(kArenaBase, kArenaPages * kPage, PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_FIXED_NOREPLACE, g_memory.fd, 0);
  map_fixed(kGrantRegionBase, kGrantRegionSize, PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
}

}  // namespace

void memory_reset() {
  make_once();
  std::memset(reinterpret_cast<void*>(kArenaBase), 0, g_memory.next * kPage);
  g_memory.next = 0;
  std::memset(reinterpret_cast<void*>(kGrantRegionBase), 0, kWindowBase - kGrantRegionBase);
  // The window: nothing mapped, every access faults.
  map_fixed(kWindowBase, kGrantRegionSize / 2, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
            -1, 0);
}

void* other_domain_page() {
  if (g_memory.next == kArenaPages) {
    ADD_FAILURE() << "xen fake: out of pages for other domains";
    std::abort();
  }
  return reinterpret_cast<void*>(kArenaBase + g_memory.next++ * kPage);
}

bool is_other_domain_page(const void* page) {
  const auto a = reinterpret_cast<uintptr_t>(page);
  return a >= kArenaBase && a < kArenaBase + g_memory.next * kPage && a % kPage == 0;
}

void window_map(uintptr_t address, const void* page) {
  const off_t offset = static_cast<off_t>(reinterpret_cast<uintptr_t>(page) - kArenaBase);
  map_fixed(address, kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, g_memory.fd, offset);
}

void window_unmap(uintptr_t address) {
  map_fixed(address, kPage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

bool in_grant_region(uintptr_t address, size_t size) {
  return address >= kGrantRegionBase && size <= kGrantRegionSize &&
         address - kGrantRegionBase <= kGrantRegionSize - size;
}

}  // namespace petrel::xen::fake::internal
