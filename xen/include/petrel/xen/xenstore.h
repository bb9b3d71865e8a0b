// A xenstore client for tasks: the domain's connection to xenstored in dom0
// (a shared ring page and an event channel Xen names in the HVM params).
//
// Any number of tasks may call these at once: requests are sent one at a
// time (a priority-inheriting mutex orders them) and each caller blocks until
// its reply or the timeout. Replies are read by the "xenstore" task, which
// also runs watch callbacks. Errors come back with xenstored's names
// ("xenstore: ENOENT" with Errc::kNotFound, "xenstore: EACCES" with
// kPermission, ...). In a domain without xenstore (a dom0less guest) every
// call fails at once with kNotFound "xenstore: not available in this
// domain"; nothing waits.
//
// Everything xenstored sends is checked (protocol and ring indices, see
// xs_protocol.h); on malformed data the connection is declared lost, the
// waiting call fails with kIo, and later calls fail the same way.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/kernel/ticks.h"
#include "petrel/result.h"
#include "petrel/xen/types.h"

namespace petrel::xen::xenstore {

struct Transaction {
  uint32_t id = 0;  // 0: not in a transaction
};

// Finds and connects the xenstore ring and starts the xenstore task (which
// needs the scheduler to run before replies can arrive). kNotFound when the
// domain has no xenstore.
Status init();
bool available();

// How long a call waits for xenstored (default 5 s).
void set_timeout(kernel::Ticks timeout);

// Reads the value at `path` into `buf` (NUL-terminated); returns its length.
// kOutOfRange if it does not fit (nothing is truncated silently).
Result<size_t> read(const char* path, char* buf, size_t size, Transaction tx = {});
Status write(const char* path, const char* value, Transaction tx = {});
Status mkdir(const char* path, Transaction tx = {});
Status remove(const char* path, Transaction tx = {});
// The names below `path`, NUL-separated in `buf` (iterate with
// xs::next_string); returns the bytes used.
Result<size_t> directory(const char* path, char* buf, size_t size, Transaction tx = {});
// Permissions as xenstored spells them: "n0" (owner dom0, others none),
// "r1" (domain 1 may read), "w", "b" (both); the first entry is the owner
// and the default for domains not listed.
Result<size_t> get_permissions(const char* path, char* buf, size_t size, Transaction tx = {});
Status set_permissions(const char* path, const char* const* perms, size_t count,
                       Transaction tx = {});

Result<Transaction> transaction_start();
// Commits (or aborts); kBusy "xenstore: EAGAIN" when another change got in
// first and the transaction must be run again.
Status transaction_end(Transaction tx, bool commit);
// Runs body(tx) in a transaction and commits, starting over when the commit
// fails with EAGAIN (at most `tries` times). A body error aborts.
template <typename F>
Status transaction(F&& body, int tries = 8) {
  for (int i = 0; i < tries; ++i) {
    auto tx = transaction_start();
    if (!tx) return tx.error();
    if (Status s = body(*tx); !s) {
      (void)transaction_end(*tx, false);
      return s;
    }
    Status end = transaction_end(*tx, true);
    if (end || end.error().code != Errc::kBusy) return end;
  }
  return Error{Errc::kBusy, "xenstore: transaction kept conflicting"};
}

// Watches: `fn(path, ctx)` runs in the xenstore task for every change at or
// below `path` (and once right after the watch is set, as xenstored does).
// Callbacks must not call xenstore themselves (its replies are read by the
// same task): hand the work to another task (a semaphore, a queue).
using WatchFn = void (*)(const char* changed_path, void* ctx);
struct Watch {
  uint32_t id = 0;
};
inline constexpr unsigned kMaxWatches = 16;  // paths up to 255 bytes
Result<Watch> watch(const char* path, WatchFn fn, void* ctx);
Status unwatch(Watch w);

// This domain's ID ("domid" in its home directory).
Result<DomainId> domain_id();

struct Stats {
  uint64_t requests;
  uint64_t watch_events;
  uint64_t stray_replies;  // replies nobody was waiting for (ignored)
  bool connection_lost;
};
Stats stats();

// Host tests (the hypervisor faked, tests/unit/xen_fake): forgets the
// connection, watches, task and counts, as at boot (the task went with the
// kernel's reset).
void reset_module();

}  // namespace petrel::xen::xenstore
