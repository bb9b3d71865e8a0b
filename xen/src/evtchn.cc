// Event channels over the 2-level ABI (see petrel/xen/evtchn.h and
// evtchn_2l.h for the protocol).
//
// shared_info is mapped over a page of our own .bss (XENMAPSPACE_shared_info
// replaces that page's backing with Xen's frame), not the heap, so that it
// can never be handed out again; vcpu_info lives in .bss too and is
// registered with VCPUOP_register_vcpu_info. Handlers are kept in a small
// table with a byte-per-port index: O(1) dispatch, 4 KiB for 4096 ports.
#include "petrel/xen/evtchn.h"

#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/vcpu.h>

#include "petrel/arch.h"
#include "petrel/bootargs.h"
#include "petrel/console.h"
#include "petrel/guest.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/trace.h"
#include "petrel/log.h"
#include "petrel/noinit.h"
#include "petrel/string.h"
#include "petrel/xen/evtchn_2l.h"
#include "petrel/xen/evtchn_fifo.h"
#include "petrel/xen/hypercall.h"
#include "petrel/xen/layout.h"

namespace petrel::xen {
namespace {

// Xen on ARM raises event-channel upcalls on this PPI when the device tree
// does not say (GUEST_EVTCHN_PPI in arch-arm.h, visible only to Xen and its
// tools).
constexpr uint32_t kDefaultUpcallPpi = 31;

// Replaced by Xen's shared_info page (XENMEM_add_to_physmap): its own
// contents never matter.
PETREL_NOINIT(shared_info) alignas(4096) uint8_t g_shared_info_page[4096];
// The FIFO ABI's control block and event array (4096 ports), zeroed right
// before they are registered with Xen.
PETREL_NOINIT(fifo_control) alignas(4096) uint8_t g_fifo_control[4096];
PETREL_NOINIT(fifo_words)
alignas(4096) event_word_t g_fifo_words[EvtchnFifo::kMaxPages][kFifoWordsPerPage];
alignas(64) uint8_t g_vcpu_info[64];
// The handler tables (5 KiB) are zeroed on first use (tables()), not with
// .bss: a guest that never uses event channels does not pay for them.
struct Binding {
  EvtchnHandler handler;
  void* ctx;
};
PETREL_NOINIT(evtchn_bindings) Binding g_bindings[evtchn::kMaxBound];
// 0: no handler; kAwaited: no handler yet, events wait (await()); else the
// binding's index + 1.
PETREL_NOINIT(evtchn_index) uint8_t g_index[kEvtchn2lPorts];
constexpr uint8_t kAwaited = 0xff;
static_assert(evtchn::kMaxBound < kAwaited);

enum class Abi { kTwoLevel, kFifo };

// Everything else the module knows, in one place: zero at boot (.bss), and
// what reset_module() restores. The pages and tables above are memory that
// init() fills before use.
struct EvtchnState {
  bool tables_zeroed = false;
  bool initialized = false;
  Status init_status = ok();
  Abi abi = Abi::kTwoLevel;
  Evtchn2lWords words{};
  Evtchn2lScanner scanner;
  EvtchnFifo fifo;
  uint8_t* upcall_pending = nullptr;
  evtchn::Stats stats{};
};
constinit EvtchnState g_evtchn;

// The handler tables, zeroed the first time they are needed.
void tables() {
  if (g_evtchn.tables_zeroed) return;
  kernel::CriticalSection once;
  if (g_evtchn.tables_zeroed) return;
  str::fill(g_bindings, 0, sizeof g_bindings);
  str::fill(g_index, 0, sizeof g_index);
  g_evtchn.tables_zeroed = true;
}

void dispatch(uint32_t port, void*) {
  const uint8_t slot = port < kEvtchn2lPorts ? g_index[port] : 0;
  if (slot == 0 || slot == kAwaited) {
    // Nobody listens: mask it rather than take it again and again; it
    // stays pending for a handler bound later. (Xen also raises a port once
    // when it is bound to a remote one.)
    if (slot == 0 && g_evtchn.stats.unbound++ == 0)
      log(LogLevel::kWarning, "event channel: event on port %u, which has no handler: masked",
          port);
    evtchn::mask(EvtchnPort{port});
    return;
  }
  ++g_evtchn.stats.dispatched;
  kernel::trace::evtchn_upcall(port);
  const Binding& b = g_bindings[slot - 1];
  b.handler(EvtchnPort{port}, b.ctx);
}

void upcall(uint32_t, void*) {
  ++g_evtchn.stats.upcalls;
  if (g_evtchn.abi == Abi::kFifo) {
    g_evtchn.fifo.scan(g_evtchn.upcall_pending, dispatch, nullptr);
  } else {
    g_evtchn.scanner.scan(g_evtchn.words, dispatch, nullptr);
  }
}

template <typename Op>
Status op(int cmd, Op* arg) {
  return hypercall_status(event_channel_op(cmd, arg));
}

// The FIFO ABI, if Xen has it: the control block and the event array pages
// are ours, registered with Xen. Once Xen took the control block there is no
// going back to the 2-level ABI. Returns false when Xen refuses the control
// block (no FIFO: the 2-level ABI stays), true when FIFO is in use with the
// event array pages Xen took (fewer pages: fewer ports), or an error when it
// took the control block but not the first page: FIFO is then in force with
// no usable port, and falling back would lose every event.
Result<bool> init_fifo() {
  str::fill(g_fifo_control, 0, sizeof g_fifo_control);
  str::fill(g_fifo_words, 0, sizeof g_fifo_words);
  evtchn_init_control_t init{};
  init.control_gfn = gfn_of(reinterpret_cast<uintptr_t>(g_fifo_control)).value;
  init.offset = 0;
  init.vcpu = 0;
  if (!hypercall_status(event_channel_op(EVTCHNOP_init_control, &init))) return false;
  event_word_t* pages[EvtchnFifo::kMaxPages];
  uint32_t count = 0;
  for (; count < EvtchnFifo::kMaxPages; ++count) {
    evtchn_expand_array_t e{};
    e.array_gfn = gfn_of(reinterpret_cast<uintptr_t>(g_fifo_words[count])).value;
    if (!hypercall_status(event_channel_op(EVTCHNOP_expand_array, &e))) break;
    pages[count] = g_fifo_words[count];
  }
  if (count == 0)
    return Error{Errc::kIo,
                 "event channel: Xen took the FIFO control block but refused its first event "
                 "array page"};
  if (count < EvtchnFifo::kMaxPages)
    log(LogLevel::kWarning, "event channel: Xen took %u of %u FIFO event array pages", count,
        EvtchnFifo::kMaxPages);
  g_evtchn.fifo =
      EvtchnFifo(reinterpret_cast<evtchn_fifo_control_block*>(g_fifo_control), pages, count);
  return true;
}

}  // namespace

namespace evtchn {

Status init(const BoardInfo& board) {
  if (g_evtchn.initialized) return g_evtchn.init_status;
  kernel::CriticalSection once;  // first use may come from two tasks
  if (g_evtchn.initialized) return g_evtchn.init_status;
  tables();
  g_evtchn.initialized = true;

  xen_add_to_physmap map{};
  map.domid = DOMID_SELF;
  map.space = XENMAPSPACE_shared_info;
  map.idx = 0;
  map.gpfn = gfn_of(reinterpret_cast<uintptr_t>(g_shared_info_page)).value;
  g_evtchn.init_status = hypercall_status(memory_op(XENMEM_add_to_physmap, &map));
  if (!g_evtchn.init_status) return g_evtchn.init_status;

  vcpu_register_vcpu_info reg{};
  reg.mfn = gfn_of(reinterpret_cast<uintptr_t>(g_vcpu_info)).value;
  reg.offset = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(g_vcpu_info) & (kPageSize - 1));
  g_evtchn.init_status = hypercall_status(vcpu_op(VCPUOP_register_vcpu_info, 0, &reg));
  if (!g_evtchn.init_status) return g_evtchn.init_status;

  g_evtchn.words =
      Evtchn2lWords{reinterpret_cast<uint64_t*>(g_shared_info_page + PETREL_SHINFO_EVTCHN_PENDING),
                    reinterpret_cast<uint64_t*>(g_shared_info_page + PETREL_SHINFO_EVTCHN_MASK),
                    reinterpret_cast<uint64_t*>(g_vcpu_info + PETREL_VCPU_INFO_PENDING_SEL),
                    g_vcpu_info + PETREL_VCPU_INFO_UPCALL_PENDING};
  g_evtchn.upcall_pending = g_vcpu_info + PETREL_VCPU_INFO_UPCALL_PENDING;
  // "evtchn=2l" in the bootargs keeps the 2-level ABI even where Xen offers
  // FIFO (to test both).
  char abi[8];
  const bool two_level = bootarg_value(board.bootargs, "evtchn", abi, sizeof abi) &&
                         str::compare_strings(abi, "2l") == 0;
  if (!two_level) {
    const Result<bool> fifo = init_fifo();
    if (!fifo) {
      g_evtchn.init_status = fifo.error();
      return g_evtchn.init_status;
    }
    if (*fifo) g_evtchn.abi = Abi::kFifo;
  }
  const uint32_t irq = board.evtchn_irq != 0 ? board.evtchn_irq : kDefaultUpcallPpi;
  g_evtchn.init_status = arch::irq_register(irq, upcall, nullptr);
  return g_evtchn.init_status;
}

bool ready() {
  return init(board()).ok();
}

namespace {
// Up already: for the paths that must not bring event channels up (masking,
// closing a port).
bool up() {
  return g_evtchn.initialized && g_evtchn.init_status.ok();
}

// Forgets the handler of `port`, if it has one.
void unbind(EvtchnPort port) {
  if (!g_evtchn.tables_zeroed || port.value >= kEvtchn2lPorts) return;
  kernel::CriticalSection lock;
  const uint8_t slot = g_index[port.value];
  if (slot == 0) return;
  if (slot != kAwaited) {
    g_bindings[slot - 1] = Binding{nullptr, nullptr};
    --g_evtchn.stats.bound;
  }
  g_index[port.value] = 0;
}
}  // namespace

const char* abi_name() {
  return g_evtchn.abi == Abi::kFifo ? "FIFO" : "2-level";
}

Result<EvtchnPort> alloc_unbound(DomainId remote) {
  ::evtchn_alloc_unbound_t a{};
  a.dom = DOMID_SELF;
  a.remote_dom = remote.value;
  Status s = op(EVTCHNOP_alloc_unbound, &a);
  if (!s) return s.error();
  return EvtchnPort{a.port};
}

Result<EvtchnPort> bind_interdomain(DomainId remote, EvtchnPort remote_port) {
  evtchn_bind_interdomain_t b{};
  b.remote_dom = remote.value;
  b.remote_port = remote_port.value;
  Status s = op(EVTCHNOP_bind_interdomain, &b);
  if (!s) return s.error();
  return EvtchnPort{b.local_port};
}

Result<EvtchnPort> bind_virq(uint32_t virq) {
  evtchn_bind_virq_t b{};
  b.virq = virq;
  b.vcpu = 0;
  Status s = op(EVTCHNOP_bind_virq, &b);
  if (!s) return s.error();
  return EvtchnPort{b.port};
}

Status bind(EvtchnPort port, EvtchnHandler handler, void* ctx) {
  if (port.value == 0 || port.value >= kEvtchn2lPorts || handler == nullptr)
    return Error{Errc::kOutOfRange, "evtchn: invalid port or handler"};
  tables();
  {
    kernel::CriticalSection lock;
    if (g_index[port.value] != 0 && g_index[port.value] != kAwaited)
      return Error{Errc::kBusy, "evtchn: port already has a handler"};
    unsigned slot = 0;
    while (slot < kMaxBound && g_bindings[slot].handler != nullptr) ++slot;
    if (slot == kMaxBound) return Error{Errc::kNoMemory, "evtchn: too many bound ports"};
    g_bindings[slot] = Binding{handler, ctx};
    g_index[port.value] = static_cast<uint8_t>(slot + 1);
    ++g_evtchn.stats.bound;
  }
  // The handler is in place before event channels come up (on first use),
  // so that an event already waiting for the port (Xen marks a static port
  // pending when it builds the domain) finds it. Xen not knowing the port
  // (never allocated, or closed): the handler must not keep a slot the
  // caller will never close.
  Status s = ready() ? unmask(port) : Status(Error{Errc::kUnsupported, "evtchn: not initialized"});
  if (!s) unbind(port);
  return s;
}

Status send(EvtchnPort port) {
  evtchn_send_t s{};
  s.port = port.value;
  return op(EVTCHNOP_send, &s);
}

void mask(EvtchnPort port) {
  if (!up()) return;
  if (g_evtchn.abi == Abi::kFifo) {
    g_evtchn.fifo.set_mask(port.value, true);
  } else {
    Evtchn2lScanner::set_mask(g_evtchn.words, port.value, true);
  }
}

Status unmask(EvtchnPort port) {
  // Through Xen: if the port is pending, Xen raises the upcall again.
  evtchn_unmask_t u{};
  u.port = port.value;
  return op(EVTCHNOP_unmask, &u);
}

Status close(EvtchnPort port) {
  unbind(port);
  evtchn_close_t c{};
  c.port = port.value;
  Status s = op(EVTCHNOP_close, &c);
  // A closed port may be reused for something else: start it masked.
  mask(port);
  if (up() && g_evtchn.abi == Abi::kFifo) g_evtchn.fifo.clear_pending(port.value);
  if (up() && g_evtchn.abi == Abi::kTwoLevel)
    Evtchn2lScanner::clear_pending(g_evtchn.words, port.value);
  return s;
}

void release(EvtchnPort port) {
  unbind(port);
  mask(port);
  await(port);
}

void await(EvtchnPort port) {
  if (port.value == 0 || port.value >= kEvtchn2lPorts) return;
  tables();
  kernel::CriticalSection lock;
  if (g_index[port.value] == 0) g_index[port.value] = kAwaited;
}

void signal_semaphore(EvtchnPort, void* ctx) {
  bool woken = false;
  (void)kernel::semaphore_give_from_isr(static_cast<kernel::Semaphore*>(ctx), &woken);
}

Stats stats() {
  kernel::CriticalSection lock;
  return g_evtchn.stats;
}

void reset_module() {
  g_evtchn = EvtchnState{};
  str::fill(g_vcpu_info, 0, sizeof g_vcpu_info);
}

}  // namespace evtchn
}  // namespace petrel::xen
