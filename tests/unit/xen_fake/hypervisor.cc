// The fake's hypercall entry (petrel_hypercall, which the guest reaches
// through xen/include/petrel/xen/hypercall.h's wrappers): dispatch to the
// event-channel and grant-table fakes, the memory and vCPU operations that
// place shared_info, vcpu_info and the grant frames, the HVM parameters
// that name the xenstore and console pages, and failure injection. Also
// the platform pieces the glue takes from the guest's boot and arch code:
// board() and arch::map_shared_memory.
#include <stdint.h>
#include <xen/errno.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/vcpu.h>

#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "fake_internal.h"
#include "petrel/arch.h"
#include "petrel/guest.h"
#include "petrel/xen/abi.h"

namespace petrel::xen::fake {
namespace {

struct Failure {
  unsigned op;
  int cmd;
  long rc;
  unsigned times;
  unsigned skip;
};

struct Hypervisor {
  Config config;
  BoardInfo board{};
  std::vector<Failure> failures;
  std::map<std::pair<unsigned, int>, uint64_t> calls;
  bool map_fails = false;
  unsigned map_skip = 0;
  const void* device_tree = nullptr;
};
Hypervisor* g_fake = nullptr;

Hypervisor& hv() {
  return *g_fake;
}

// The injected failure for this call, or 0.
long injected(unsigned op, int cmd) {
  for (auto it = hv().failures.begin(); it != hv().failures.end(); ++it) {
    if (it->op != op || it->cmd != cmd) continue;
    if (it->skip > 0) {
      --it->skip;
      return 0;
    }
    const long rc = it->rc;
    if (--it->times == 0) hv().failures.erase(it);
    return rc;
  }
  return 0;
}

long hvm_param(xen_hvm_param_t* p) {
  if (p->domid != DOMID_SELF) return -XEN_EPERM;
  const Config& c = hv().config;
  switch (p->index) {
    case HVM_PARAM_STORE_PFN:
      p->value =
          c.xenstore ? gfn_of(reinterpret_cast<uintptr_t>(internal::xenstored_page())).value : 0;
      return 0;
    case HVM_PARAM_STORE_EVTCHN:
      p->value = c.xenstore ? kStorePort : 0;
      return 0;
    case HVM_PARAM_CONSOLE_PFN:
      p->value =
          c.console ? gfn_of(reinterpret_cast<uintptr_t>(internal::console_page())).value : 0;
      return 0;
    case HVM_PARAM_CONSOLE_EVTCHN:
      p->value = c.console ? kConsolePort : 0;
      return 0;
    default:
      return -XEN_EINVAL;
  }
}

long add_to_physmap(xen_add_to_physmap* map) {
  if (map->domid != DOMID_SELF) return -XEN_EPERM;
  switch (map->space) {
    case XENMAPSPACE_shared_info:
      if (map->idx != 0) return -XEN_EINVAL;
      // Xen's page replaces the guest's: fresh, whatever the guest's held.
      std::memset(reinterpret_cast<void*>(address_of(Gfn{map->gpfn})), 0, 4096);
      internal::set_shared_info(address_of(Gfn{map->gpfn}));
      return 0;
    case XENMAPSPACE_grant_table:
      return internal::add_grant_frame(map->idx, map->gpfn);
    default:
      return -XEN_EINVAL;
  }
}

long dispatch(unsigned long a0, unsigned long a1, unsigned long a2, unsigned op) {
  const int cmd = static_cast<int>(a0);
  void* arg = reinterpret_cast<void*>(a1);
  switch (op) {
    case __HYPERVISOR_event_channel_op:
      return internal::evtchn_op(cmd, arg);
    case __HYPERVISOR_grant_table_op:
      return internal::grant_op(cmd, arg, static_cast<unsigned>(a2));
    case __HYPERVISOR_memory_op:
      if (cmd != XENMEM_add_to_physmap) return -XEN_ENOSYS;
      return add_to_physmap(static_cast<xen_add_to_physmap*>(arg));
    case __HYPERVISOR_vcpu_op: {
      if (cmd != VCPUOP_register_vcpu_info) return -XEN_ENOSYS;
      if (a1 != 0) return -XEN_EINVAL;
      auto* r = reinterpret_cast<vcpu_register_vcpu_info*>(a2);
      if (r->offset > 4096 - 64) return -XEN_EINVAL;
      internal::set_vcpu_info(address_of(Gfn{r->mfn}) + r->offset);
      return 0;
    }
    case __HYPERVISOR_hvm_op:
      if (cmd != HVMOP_get_param) return -XEN_ENOSYS;
      return hvm_param(static_cast<xen_hvm_param_t*>(arg));
    case __HYPERVISOR_console_io:
      return cmd == CONSOLEIO_write ? 0 : -XEN_ENOSYS;
    default:
      return -XEN_ENOSYS;
  }
}

}  // namespace

void reset(const Config& config) {
  if (g_fake == nullptr) g_fake = new Hypervisor;
  hv() = Hypervisor{};
  hv().config = config;
  hv().board.bootargs = hv().config.bootargs;
  hv().board.has_hypervisor = true;
  hv().board.grant_table = MemRange{internal::kGrantRegionBase, config.grant_region_size};
  internal::memory_reset();
  internal::evtchn_reset();
  internal::grant_reset();
  internal::xenstored_reset();
  internal::console_reset();
}

const Config& config() {
  return hv().config;
}

const BoardInfo& board() {
  return hv().board;
}

void fail(unsigned op, int cmd, long rc, unsigned times, unsigned skip) {
  hv().failures.push_back(Failure{op, cmd, rc, times, skip});
}

uint64_t calls(unsigned op, int cmd) {
  auto it = hv().calls.find({op, cmd});
  return it == hv().calls.end() ? 0 : it->second;
}

void set_device_tree(const void* blob) {
  hv().device_tree = blob;
}

void fail_map_shared_memory(unsigned skip) {
  hv().map_fails = true;
  hv().map_skip = skip;
}

}  // namespace petrel::xen::fake

extern "C" long petrel_hypercall(unsigned long a0, unsigned long a1, unsigned long a2,
                                 unsigned long, unsigned long, unsigned long op) {
  using namespace petrel::xen::fake;
  // An upcall that waited for interrupts to come back on is taken now.
  deliver_upcalls();
  const unsigned o = static_cast<unsigned>(op);
  const int cmd = static_cast<int>(a0);
  ++hv().calls[{o, cmd}];
  if (const long rc = injected(o, cmd); rc != 0) return rc;
  const long rc = dispatch(a0, a1, a2, o);
  deliver_upcalls();  // what the call raised, on the way back to the guest
  return rc;
}

namespace petrel {

const BoardInfo& board() {
  return xen::fake::board();
}

uintptr_t device_tree_address() {
  return reinterpret_cast<uintptr_t>(xen::fake::hv().device_tree);
}

namespace arch {

Status map_shared_memory(uintptr_t address, size_t size) {
  using xen::fake::hv;
  if (address % 4096 != 0 || size == 0 || size % 4096 != 0)
    return Error{Errc::kInvalid, "map_shared_memory: not whole pages"};
  if (hv().map_fails) {
    if (hv().map_skip == 0) {
      hv().map_fails = false;
      return Error{Errc::kNoMemory, "map_shared_memory: no page-table memory (xen fake)"};
    }
    --hv().map_skip;
  }
  return ok();
}

}  // namespace arch
}  // namespace petrel
