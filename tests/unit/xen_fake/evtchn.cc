// The fake's event channels: the guest's port table, the other domains'
// ends, and delivery into the guest's shared memory as Xen does it, over
// the 2-level ABI (shared_info's pending and mask words, the vCPU's
// selector) or the FIFO ABI (event words linked into the default-priority
// queue, the control block's head and ready bit).
//
// Simplifications: one vCPU; every FIFO event goes to the default priority
// queue; an event for the guest before it registered its shared_info or
// FIFO control block is dropped; EVTCHNOP_unmask and EVTCHNOP_send refuse a
// free port with -EINVAL (Xen only refuses ports beyond its allocated
// buckets); bind_interdomain raises the new port once, as Xen does.
#include <stdint.h>
#include <xen/errno.h>
#include <xen/event_channel.h>

#include <map>
#include <utility>

#include "fake_internal.h"
#include "petrel/arch.h"
#include "petrel/host.h"
#include "petrel/kernel/sched.h"
#include "petrel/xen/layout.h"

namespace petrel::xen::fake {
namespace {

constexpr uint32_t kPorts = 4096;
constexpr uint32_t kFifoWordsPerPage = 1024;
constexpr uint32_t kUpcallIrq = 31;  // the board gives no evtchn_irq: the glue's default

enum class State { kFree, kUnbound, kInterdomain, kVirq };

struct GuestPort {
  State state = State::kFree;
  DomainId remote;  // unbound: who may bind; interdomain: the other end
  uint32_t remote_port = 0;
  uint32_t virq = 0;
};

struct PeerPort {
  bool bound = false;  // to guest_port
  uint32_t guest_port = 0;
  PeerHandler on_event;
};

struct EvtchnFake {
  GuestPort ports[kPorts];
  std::map<std::pair<uint16_t, uint32_t>, PeerPort> peers;  // (domain, port)
  uint32_t next_peer_port = 100;
  uint8_t* shared_info = nullptr;
  uint8_t* vcpu_info = nullptr;
  evtchn_fifo_control_block* fifo_control = nullptr;
  event_word_t* fifo_pages[4] = {};
  uint32_t fifo_page_count = 0;
  uint32_t fifo_tail = 0;  // last port linked into the default queue
  bool upcall_wanted = false;
  uint64_t upcalls = 0;
};
EvtchnFake* g_fake = nullptr;

EvtchnFake& fake() {
  return *g_fake;
}

bool fifo() {
  return fake().fifo_control != nullptr;
}

uint32_t capacity() {
  const uint32_t abi = fifo() ? fake().fifo_page_count * kFifoWordsPerPage : kPorts;
  return abi < config().max_ports ? abi : config().max_ports;
}

bool valid(uint32_t port) {
  return port > 0 && port < capacity() && fake().ports[port].state != State::kFree;
}

uint64_t* word64(size_t offset) {
  return reinterpret_cast<uint64_t*>(fake().shared_info + offset);
}

event_word_t* fifo_word(uint32_t port) {
  if (port >= fake().fifo_page_count * kFifoWordsPerPage) return nullptr;
  return &fake().fifo_pages[port / kFifoWordsPerPage][port % kFifoWordsPerPage];
}

void raise_upcall() {
  if (fake().vcpu_info == nullptr) return;
  __atomic_store_n(fake().vcpu_info + PETREL_VCPU_INFO_UPCALL_PENDING, 1, __ATOMIC_RELEASE);
  // Taken when the hypercall (or the test's call into the fake) returns, as
  // a real upcall is taken after the trap: not on top of the fake's frames,
  // which run on the calling task's stack.
  fake().upcall_wanted = true;
}

// Links a pending, unmasked, unlinked port behind the queue's tail.
void fifo_link(uint32_t port) {
  event_word_t* w = fifo_word(port);
  if (w == nullptr) return;
  constexpr event_word_t kPending = 1u << EVTCHN_FIFO_PENDING;
  constexpr event_word_t kMasked = 1u << EVTCHN_FIFO_MASKED;
  constexpr event_word_t kLinked = 1u << EVTCHN_FIFO_LINKED;
  const event_word_t old = __atomic_fetch_or(w, kPending, __ATOMIC_ACQ_REL);
  if ((old & (kMasked | kLinked)) != 0) return;
  __atomic_fetch_or(w, kLinked, __ATOMIC_ACQ_REL);
  const uint32_t q = EVTCHN_FIFO_PRIORITY_DEFAULT;
  event_word_t* tail = fifo_word(fake().fifo_tail);
  if (fake().fifo_tail != 0 && tail != nullptr &&
      (__atomic_load_n(tail, __ATOMIC_ACQUIRE) & kLinked) != 0) {
    __atomic_fetch_or(tail, port & EVTCHN_FIFO_LINK_MASK, __ATOMIC_ACQ_REL);
  } else {
    __atomic_store_n(&fake().fifo_control->head[q], port, __ATOMIC_RELEASE);
  }
  fake().fifo_tail = port;
  __atomic_fetch_or(&fake().fifo_control->ready, 1u << q, __ATOMIC_ACQ_REL);
  raise_upcall();
}

void set_pending(uint32_t port) {
  if (fifo()) {
    fifo_link(port);
    return;
  }
  if (fake().shared_info == nullptr) return;
  const uint64_t bit = 1ull << (port % 64);
  __atomic_fetch_or(word64(PETREL_SHINFO_EVTCHN_PENDING) + port / 64, bit, __ATOMIC_ACQ_REL);
  if ((__atomic_load_n(word64(PETREL_SHINFO_EVTCHN_MASK) + port / 64, __ATOMIC_ACQUIRE) & bit) != 0)
    return;
  if (fake().vcpu_info == nullptr) return;
  auto* sel = reinterpret_cast<uint64_t*>(fake().vcpu_info + PETREL_VCPU_INFO_PENDING_SEL);
  __atomic_fetch_or(sel, 1ull << (port / 64), __ATOMIC_ACQ_REL);
  raise_upcall();
}

bool pending(uint32_t port) {
  if (fifo()) {
    const event_word_t* w = fifo_word(port);
    return w != nullptr && (__atomic_load_n(w, __ATOMIC_ACQUIRE) & (1u << EVTCHN_FIFO_PENDING));
  }
  if (fake().shared_info == nullptr) return false;
  return (__atomic_load_n(word64(PETREL_SHINFO_EVTCHN_PENDING) + port / 64, __ATOMIC_ACQUIRE) >>
          (port % 64)) &
         1;
}

long unmask(uint32_t port) {
  if (!valid(port)) return -XEN_EINVAL;
  if (fifo()) {
    if (event_word_t* w = fifo_word(port)) {
      __atomic_fetch_and(w, ~(1u << EVTCHN_FIFO_MASKED), __ATOMIC_ACQ_REL);
      if (pending(port)) {
        __atomic_fetch_and(w, ~(1u << EVTCHN_FIFO_PENDING), __ATOMIC_ACQ_REL);
        fifo_link(port);
      }
    }
    return 0;
  }
  if (fake().shared_info == nullptr) return 0;
  __atomic_fetch_and(word64(PETREL_SHINFO_EVTCHN_MASK) + port / 64, ~(1ull << (port % 64)),
                     __ATOMIC_ACQ_REL);
  if (pending(port)) set_pending(port);
  return 0;
}

// The lowest free port, or 0 when the guest holds all it may.
uint32_t allocate() {
  for (uint32_t p = 1; p < capacity(); ++p)
    if (fake().ports[p].state == State::kFree) return p;
  return 0;
}

// The guest's port `port` is closed: its other end becomes unbound.
void disconnect(uint32_t port) {
  GuestPort& g = fake().ports[port];
  if (g.state == State::kInterdomain) {
    if (g.remote == kSelf) {
      fake().ports[g.remote_port].state = State::kUnbound;
    } else if (auto it = fake().peers.find({g.remote.value, g.remote_port});
               it != fake().peers.end()) {
      it->second.bound = false;
    }
  }
  g = GuestPort{};
}

long send(uint32_t port) {
  if (!valid(port)) return -XEN_EINVAL;
  const GuestPort g = fake().ports[port];
  if (g.state == State::kUnbound) return 0;  // nobody listens: dropped
  if (g.state != State::kInterdomain) return -XEN_EINVAL;
  if (g.remote == kSelf) {
    set_pending(g.remote_port);
    return 0;
  }
  auto it = fake().peers.find({g.remote.value, g.remote_port});
  if (it != fake().peers.end() && it->second.on_event) {
    PeerHandler handler = it->second.on_event;  // may close or rebind ports
    handler();
  }
  return 0;
}

}  // namespace

void deliver_upcalls() {
  while (g_fake != nullptr && fake().upcall_wanted && arch::interrupts_enabled() &&
         !kernel::in_isr()) {
    fake().upcall_wanted = false;
    ++fake().upcalls;
    host::raise_interrupt(kUpcallIrq);
  }
}

uint64_t upcalls_raised() {
  return fake().upcalls;
}

uint32_t peer_alloc_unbound(DomainId dom, PeerHandler on_event) {
  const uint32_t port = fake().next_peer_port++;
  fake().peers[{dom.value, port}] = PeerPort{false, 0, std::move(on_event)};
  return port;
}

uint32_t peer_bind(DomainId dom, EvtchnPort port, PeerHandler on_event) {
  if (port.value == 0 || port.value >= kPorts) return 0;
  GuestPort& g = fake().ports[port.value];
  if (g.state != State::kUnbound || g.remote != dom) return 0;
  const uint32_t peer = fake().next_peer_port++;
  fake().peers[{dom.value, peer}] = PeerPort{true, port.value, std::move(on_event)};
  g.state = State::kInterdomain;
  g.remote_port = peer;
  return peer;
}

bool peer_send(DomainId dom, uint32_t peer_port) {
  auto it = fake().peers.find({dom.value, peer_port});
  if (it == fake().peers.end() || !it->second.bound) return false;
  set_pending(it->second.guest_port);
  deliver_upcalls();
  return true;
}

void peer_close(DomainId dom, uint32_t peer_port) {
  auto it = fake().peers.find({dom.value, peer_port});
  if (it == fake().peers.end()) return;
  if (it->second.bound) {
    GuestPort& g = fake().ports[it->second.guest_port];
    g.state = State::kUnbound;
    g.remote_port = 0;
  }
  fake().peers.erase(it);
}

void raise_virq(uint32_t virq) {
  for (uint32_t p = 1; p < kPorts; ++p)
    if (fake().ports[p].state == State::kVirq && fake().ports[p].virq == virq) set_pending(p);
  deliver_upcalls();
}

unsigned ports_in_use() {
  unsigned n = 0;
  for (const GuestPort& p : fake().ports) n += p.state != State::kFree ? 1 : 0;
  return n;
}

bool port_in_use(EvtchnPort port) {
  return port.value < kPorts && fake().ports[port.value].state != State::kFree;
}

namespace internal {

void evtchn_reset() {
  delete g_fake;
  g_fake = new EvtchnFake;
}

void set_shared_info(uintptr_t page) {
  fake().shared_info = reinterpret_cast<uint8_t*>(page);
}

void set_vcpu_info(uintptr_t address) {
  fake().vcpu_info = reinterpret_cast<uint8_t*>(address);
}

uint32_t bind_backend(uint32_t guest_port, DomainId dom, PeerHandler on_event) {
  const uint32_t peer = fake().next_peer_port++;
  fake().peers[{dom.value, peer}] = PeerPort{true, guest_port, std::move(on_event)};
  fake().ports[guest_port] = GuestPort{State::kInterdomain, dom, peer, 0};
  return peer;
}

void notify_guest(uint32_t guest_port) {
  if (fake().ports[guest_port].state == State::kInterdomain) set_pending(guest_port);
}

long evtchn_op(int cmd, void* arg) {
  switch (cmd) {
    case EVTCHNOP_alloc_unbound: {
      auto* a = static_cast<evtchn_alloc_unbound_t*>(arg);
      if (a->dom != DOMID_SELF && a->dom != kSelf.value) return -XEN_EPERM;
      const uint32_t port = allocate();
      if (port == 0) return -XEN_ENOSPC;
      const DomainId remote{a->remote_dom == DOMID_SELF ? kSelf.value : a->remote_dom};
      fake().ports[port] = GuestPort{State::kUnbound, remote, 0, 0};
      a->port = port;
      return 0;
    }
    case EVTCHNOP_bind_interdomain: {
      auto* b = static_cast<evtchn_bind_interdomain_t*>(arg);
      const DomainId remote{b->remote_dom == DOMID_SELF ? kSelf.value : b->remote_dom};
      uint32_t* peer_side = nullptr;  // the remote end's record of us
      if (remote == kSelf) {
        if (!valid(b->remote_port)) return -XEN_EINVAL;
        GuestPort& r = fake().ports[b->remote_port];
        if (r.state != State::kUnbound || r.remote != kSelf) return -XEN_EINVAL;
        peer_side = &r.remote_port;
      } else {
        auto it = fake().peers.find({remote.value, b->remote_port});
        if (it == fake().peers.end() || it->second.bound) return -XEN_EINVAL;
        peer_side = &it->second.guest_port;
        it->second.bound = true;
      }
      const uint32_t port = allocate();
      if (port == 0) {
        if (remote != kSelf) fake().peers[{remote.value, b->remote_port}].bound = false;
        return -XEN_ENOSPC;
      }
      *peer_side = port;
      if (remote == kSelf) fake().ports[b->remote_port].state = State::kInterdomain;
      fake().ports[port] = GuestPort{State::kInterdomain, remote, b->remote_port, 0};
      b->local_port = port;
      set_pending(port);  // Xen raises a newly bound port once
      return 0;
    }
    case EVTCHNOP_bind_virq: {
      auto* b = static_cast<evtchn_bind_virq_t*>(arg);
      if (b->vcpu != 0) return -XEN_ENOENT;
      for (uint32_t p = 1; p < kPorts; ++p)
        if (fake().ports[p].state == State::kVirq && fake().ports[p].virq == b->virq)
          return -XEN_EEXIST;
      const uint32_t port = allocate();
      if (port == 0) return -XEN_ENOSPC;
      fake().ports[port] = GuestPort{State::kVirq, kSelf, 0, b->virq};
      b->port = port;
      return 0;
    }
    case EVTCHNOP_send:
      return send(static_cast<evtchn_send_t*>(arg)->port);
    case EVTCHNOP_unmask:
      return unmask(static_cast<evtchn_unmask_t*>(arg)->port);
    case EVTCHNOP_close: {
      const uint32_t port = static_cast<evtchn_close_t*>(arg)->port;
      if (!valid(port)) return -XEN_EINVAL;
      disconnect(port);
      return 0;
    }
    case EVTCHNOP_init_control: {
      auto* c = static_cast<evtchn_init_control_t*>(arg);
      if (!config().fifo) return -XEN_ENOSYS;
      if (c->vcpu != 0 || c->offset > 4096 - sizeof(evtchn_fifo_control_block)) return -XEN_EINVAL;
      fake().fifo_control =
          reinterpret_cast<evtchn_fifo_control_block*>(address_of(Gfn{c->control_gfn}) + c->offset);
      return 0;
    }
    case EVTCHNOP_expand_array: {
      auto* e = static_cast<evtchn_expand_array_t*>(arg);
      if (!fifo()) return -XEN_EINVAL;
      if (fake().fifo_page_count >= config().fifo_pages) return -XEN_ENOSPC;
      fake().fifo_pages[fake().fifo_page_count++] =
          reinterpret_cast<event_word_t*>(address_of(Gfn{e->array_gfn}));
      return 0;
    }
    default:
      return -XEN_ENOSYS;
  }
}

}  // namespace internal
}  // namespace petrel::xen::fake
