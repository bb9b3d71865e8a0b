// Event channels: Xen's virtual interrupts between domains (and from Xen
// itself, VIRQs). Petrel uses the FIFO ABI when Xen offers it
// (evtchn_fifo.h) and the 2-level ABI otherwise (evtchn_2l.h); "evtchn=2l"
// in the bootargs keeps 2-level. Ports up to 4095 either way.
//
// A port is allocated or bound with one call, then given a handler with
// bind(); handlers run in interrupt context (the upcall interrupt
// dispatches to them) and may use every *_from_isr kernel call. To wake a
// task, bind the port with signal_semaphore and the task's
// semaphore as context, and have the task take the semaphore.
//
// All calls are safe from tasks; send, mask/unmask also from
// handlers.
#pragma once

#include <stdint.h>

#include "petrel/board.h"
#include "petrel/kernel/semaphore.h"
#include "petrel/result.h"
#include "petrel/xen/types.h"

namespace petrel::xen {

using EvtchnHandler = void (*)(EvtchnPort port, void* ctx);

namespace evtchn {

// Maps shared_info, registers this vCPU's vcpu_info and installs the upcall
// interrupt (the /hypervisor node's, or Xen's fixed PPI 31). Done on first
// use, not at boot (a guest that never uses event channels does not pay for
// it): ready() and bind() call it. Later calls return the first result.
Status init(const BoardInfo& board);
// Event channels work: brings them up (init with the guest's board) if that
// has not been tried yet.
bool ready();
const char* abi_name();  // "FIFO" or "2-level"

// A new port that `remote` may bind to (kDomainSelf: a loopback partner).
Result<EvtchnPort> alloc_unbound(DomainId remote);
// Connects to `remote`'s unbound port; returns our end.
Result<EvtchnPort> bind_interdomain(DomainId remote, EvtchnPort remote_port);
// A port for Xen's virtual interrupt `virq` (VIRQ_* from <xen/xen.h>) on vCPU 0.
Result<EvtchnPort> bind_virq(uint32_t virq);

// Installs the handler for `port` and unmasks it. At most kEvtchnMaxBound
// ports have handlers at once.
inline constexpr unsigned kMaxBound = 64;
Status bind(EvtchnPort port, EvtchnHandler handler, void* ctx);
// Notifies the other end.
Status send(EvtchnPort port);
// While masked, events stay pending and are delivered on unmask.
void mask(EvtchnPort port);
Status unmask(EvtchnPort port);
// Removes the handler and closes the port (the other end sees it closed).
Status close(EvtchnPort port);

// Removes the handler and masks the port, which stays bound: for a port
// this guest did not bind (Xen binds static event channels when it builds
// the domain), where closing would end the channel for good. Events stay
// pending for a later bind().
void release(EvtchnPort port);
// Events on `port` before it has a handler are masked and kept pending
// without the warning an unexpected event gets: for ports Xen bound for
// this guest (static event channels, each marked pending once), whose
// handlers come later. Until bind().
void await(EvtchnPort port);
// A handler that gives the binary or counting semaphore `ctx` (a
// kernel::Semaphore*).
void signal_semaphore(EvtchnPort port, void* ctx);

struct Stats {
  uint64_t upcalls;     // upcall interrupts taken
  uint64_t dispatched;  // handler calls
  uint64_t unbound;     // events on ports without a handler (then masked)
  unsigned bound;       // ports with a handler now
};
Stats stats();

// Host tests (the hypervisor faked, tests/unit/xen_fake): forgets every
// port, handler and count, as at boot, without telling Xen. The upcall
// interrupt's registration is the arch's to forget.
void reset_module();

}  // namespace evtchn
}  // namespace petrel::xen
