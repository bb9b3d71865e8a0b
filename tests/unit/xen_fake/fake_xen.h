// A fake Xen for host unit tests of the Xen glue (xen/src): the hypercall
// entry petrel_hypercall, the guest memory Xen shares (shared_info, the
// FIFO control block, the grant table, the xenstore and console rings), the
// other domains' ends of event channels and grants, an in-process xenstored
// that answers over the real ring with the real wire protocol, and the
// platform pieces the glue asks for (board(), device_tree_address(),
// arch::map_shared_memory).
//
// One guest runs in the test process: the glue as the guest links it, the
// kernel on the host port (arch/host) and this fake in place of Xen. The
// fake is single-threaded, like the host port: the backends (xenstored, the
// console) answer inside the guest's EVTCHNOP_send, and a notification to
// the guest raises the upcall interrupt (host::raise_interrupt) when the
// hypercall or the test's call into the fake returns, if interrupts are on
// and the caller is not an interrupt handler; otherwise at the next
// hypercall, or deliver_upcalls(). (Raised from inside the fake, the
// handler and the task switch would stack up on the calling task's own
// stack, on top of the fake's frames.)
//
// Memory: the guest's table and rings, and the pages other domains own,
// live below 2 GiB (the test binaries are not position independent), so
// that their frame numbers fit a version-1 grant entry's 32 bits and stay
// clear of AddressSanitizer's shadow. Pages other domains own are a memfd,
// so that a grant mapping is a second view of the same page, as under Xen,
// and an unmapped window page faults.
//
// Each area of the fake is in its own file: hypervisor.cc (the entry, HVM
// params, memory and vCPU ops, failure injection, the platform), evtchn.cc,
// grant.cc, xenstored.cc, console.cc, memory.cc (the pages).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <functional>
#include <optional>
#include <string>

#include "petrel/board.h"
#include "petrel/xen/types.h"

namespace petrel::xen::fake {

inline constexpr DomainId kSelf{5};     // the guest under test
inline constexpr DomainId kBackend{0};  // dom0: xenstored, the console backend
inline constexpr DomainId kPeer{7};     // another guest (grants, vchan)

// Ports the fake binds for the guest before it starts (HVM params).
inline constexpr uint32_t kStorePort = 1;
inline constexpr uint32_t kConsolePort = 2;

struct Config {
  bool fifo = true;                // EVTCHNOP_init_control is accepted
  uint32_t fifo_pages = 4;         // EVTCHNOP_expand_array calls accepted
  uint32_t max_ports = 4096;       // ports the guest may hold at once (port 0 included)
  uint32_t grant_frames = 4;       // max_nr_frames in GNTTABOP_query_size
  int16_t query_status = 0;        // GNTTABOP_query_size's status (GNTST_*)
  uint32_t max_maps = 2048;        // grant mappings the guest may hold
  bool xenstore = true;            // HVM_PARAM_STORE_PFN/EVTCHN given
  bool console = true;             // HVM_PARAM_CONSOLE_PFN/EVTCHN given
  const char* bootargs = "";       // "evtchn=2l" keeps the 2-level ABI
  uint64_t grant_region_size = 0;  // the board's grant-table region (0: the default one)
};

// A fresh hypervisor: every port, grant, mapping and page forgotten, the
// xenstored tree back to its first contents. The kernel (host::reset) and
// the glue's modules (*::reset_module) are the fixture's to reset.
void reset(const Config& config = {});
const Config& config();
const BoardInfo& board();

// --- failure injection: the hypercall seen through the glue's eyes ---
// The hypercall (op, cmd) fails with `rc` (-XEN_E...) without effect,
// `times` times, after `skip` matching calls that work.
void fail(unsigned op, int cmd, long rc, unsigned times = 1, unsigned skip = 0);
uint64_t calls(unsigned op, int cmd);  // how many the guest made
// What device_tree_address() gives (nullptr after reset()): the blob must
// outlive its use.
void set_device_tree(const void* blob);
// arch::map_shared_memory fails after `skip` calls that work.
void fail_map_shared_memory(unsigned skip = 0);

// --- event channels ---
using PeerHandler = std::function<void()>;
// `dom` allocates a port the guest may bind to (bind_interdomain); returns
// its number in `dom`'s port space. `on_event` runs when the guest sends.
uint32_t peer_alloc_unbound(DomainId dom, PeerHandler on_event);
// `dom` binds to the guest's unbound port `port`; its own port, 0 if the
// guest's port is not unbound for `dom`.
uint32_t peer_bind(DomainId dom, EvtchnPort port, PeerHandler on_event);
// `dom` sends on its port; false if that port is not connected.
bool peer_send(DomainId dom, uint32_t peer_port);
// `dom` closes its port (the guest's end becomes unbound).
void peer_close(DomainId dom, uint32_t peer_port);
// Xen raises VIRQ `virq` (bound with bind_virq).
void raise_virq(uint32_t virq);
// The guest's ports that are not free (the two the fake binds included).
unsigned ports_in_use();
bool port_in_use(EvtchnPort port);
// Delivers an upcall that had to wait (interrupts were off).
void deliver_upcalls();
uint64_t upcalls_raised();

// --- grants ---
// The guest granted `ref` to `dom`: `dom` maps it (Xen sets GTF_reading,
// and GTF_writing for a writable mapping). The page, or nullptr when the
// entry does not allow it.
void* peer_map(DomainId dom, GrantRef ref, bool readonly);
void peer_unmap(DomainId dom, GrantRef ref);
// A page owned by `dom` (zeroed), and a grant of it to the guest.
void* peer_page(DomainId dom);
GrantRef peer_grant(DomainId dom, const void* page, bool readonly);
// Grant mappings the guest holds now (GNTTABOP_map_grant_ref not undone).
unsigned guest_mappings();
// The guest's own grant entry `ref`, as Xen sees it (nullptr: no table).
struct GrantEntryView {
  uint16_t flags;
  uint16_t domid;
  uint32_t frame;
};
std::optional<GrantEntryView> guest_grant(GrantRef ref);

// --- xenstored, in dom0 ---
namespace xenstored {
// Paths not starting with '/' are relative to /local/domain/<kSelf>.
void write(const std::string& path, const std::string& value);  // fires watches
std::optional<std::string> read(const std::string& path);
void remove(const std::string& path);
// What it does with the next reply (each applies once).
enum class Fault {
  kErrorReply,     // XS_ERROR with `error` as the name
  kWrongReqId,     // the reply carries another request's id
  kWrongType,      // the reply carries another (valid) type
  kOversize,       // the header claims 5000 bytes of payload
  kUnknownType,    // a type xenstored never sends
  kBackwards,      // rsp_prod moves back instead of forward
  kTooFar,         // rsp_prod claims more than the ring holds
  kSplit,          // the reply in two notifications, header and payload
  kBadTransaction  // a transaction id that is not a number
};
void fault_next(Fault fault, const char* error = "EACCES");
// Vanishes: takes no request (the request ring fills) and sends nothing
// until revive(), which answers what waited in the ring meanwhile.
void vanish();
void revive();
// Sets the request ring's consumer index beyond its producer.
void corrupt_request_ring();
// The next `n` transaction commits fail with EAGAIN.
void conflict_commits(unsigned n);
// A message the guest did not ask for, as raw bytes into the response ring.
void inject(uint32_t type, uint32_t req_id, const std::string& payload);
uint64_t requests();  // requests read
unsigned watches();   // watches set now
}  // namespace xenstored

// --- the console backend, in dom0 ---
namespace console {
std::string output();  // everything the guest wrote so far
void input(const std::string& text);
// Stops draining the output ring (a stuck xenconsoled).
void stall(bool stalled);
// Drains only at every n-th notification (a xenconsoled starved of CPU).
void slow(unsigned notifications);
// Sets out_cons beyond out_prod (a hostile backend).
void corrupt();
}  // namespace console

}  // namespace petrel::xen::fake
