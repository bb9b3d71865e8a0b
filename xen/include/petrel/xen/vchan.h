// vchan: a byte stream between two domains, compatible with Linux's
// libxenvchan (the same shared-page layout, grants, event channel and
// xenstore rendezvous), so a Linux program using libxenvchan, or Xen's
// vchan-socket-proxy, talks to a Petrel task with no new code.
//
// The server creates the channel: it grants the client a shared page (ring
// indices, sizes, liveness, notification bits; vchan_layout.h) and the ring
// pages, allocates an event channel for it, and publishes
// `<path>/ring-ref` and `<path>/event-channel` in xenstore (readable by the
// client). The client reads those, maps the pages and binds the event
// channel. The "left" ring carries client -> server data, the "right" ring
// server -> client.
//
// The stream itself (notification bits, liveness, the checks of every
// ring index, the read and write calls) is RingStream's (ring_stream.h),
// shared with static channels. The orders and grant list of a server's
// page are checked once at connection.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/kernel/ticks.h"
#include "petrel/result.h"
#include "petrel/xen/ring_stream.h"
#include "petrel/xen/types.h"

namespace petrel::xen {

class Vchan;

namespace vchan {

// Creates a server for `client` at xenstore `path` with at least
// `read_min` bytes of ring for client -> server data and `write_min` for
// server -> client (1 KiB and 2 KiB fit in the shared page; more takes
// pages; up to 1 MiB each).
Result<Vchan*> server(DomainId client, const char* path, size_t read_min, size_t write_min);
// Connects to the server `server` published at `path`.
Result<Vchan*> client(DomainId server, const char* path);

struct Stats {
  uint32_t open;            // channels not yet closed
  uint32_t pending_grants;  // pages of closed channels the peer still maps
};
Stats stats();
// Retries ending the grants of closed channels whose peer still had them
// mapped; returns how many are still pending.
uint32_t reap();

// Host tests (the hypervisor faked, tests/unit/xen_fake): forgets every
// channel and pending grant, as at boot (their memory went with the kernel's
// reset).
void reset_module();

}  // namespace vchan

class Vchan : public RingStream {
 public:
  // Tells the peer, releases the event channel, grants, mappings and
  // memory (grants the peer still maps are released by vchan::reap()), and
  // deletes the Vchan.
  void close();

  // Use vchan::server() and vchan::client().
  Vchan() : RingStream("vchan") {}

 private:
  friend Result<Vchan*> vchan::server(DomainId, const char*, size_t, size_t);
  friend Result<Vchan*> vchan::client(DomainId, const char*);
  void release();

  DomainId peer_{};
  // Server: what we allocated and granted. Client: what we mapped.
  void* pages_ = nullptr;  // the shared page (server) / its mapping (client)
  void* left_ = nullptr;   // ring pages (order >= 12), allocated or mapped
  void* right_ = nullptr;
  unsigned left_pages_ = 0, right_pages_ = 0;
  uint32_t* refs_or_handles_ = nullptr;  // 1 + left_pages_ + right_pages_ entries
  char path_[96] = {};
};

}  // namespace petrel::xen
