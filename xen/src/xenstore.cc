// The xenstore client (see petrel/xen/xenstore.h).
//
// One request is in flight at a time: a caller takes g_request_lock (a
// priority-inheriting mutex), writes its request into the request ring
// (waiting for room when a long request does not fit at once), notifies
// xenstored and blocks on g_xs.reply_ready. The "xenstore" task is the only
// reader of the response ring: woken by the event channel, it reassembles
// messages and either hands the reply with the awaited request id to the
// caller (copying it into g_reply) or runs the watch callbacks for a watch
// event. Anything else is counted and dropped; a malformed stream ends the
// connection (every later call fails with kIo).
#include "petrel/xen/xenstore.h"

#include <xen/hvm/params.h>

#include <new>

#include "petrel/arch.h"
#include "petrel/console.h"
#include "petrel/fmt.h"
#include "petrel/kernel/config.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/kernel/mutex.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/semaphore.h"
#include "petrel/kernel/task.h"
#include "petrel/log.h"
#include "petrel/noinit.h"
#include "petrel/string.h"
#include "petrel/xen/evtchn.h"
#include "petrel/xen/hypercall.h"
#include "petrel/xen/xs_protocol.h"

namespace petrel::xen::xenstore {
namespace {

using kernel::Ticks;

constexpr size_t kMaxWatchPath = 255;

struct WatchSlot {
  bool used;
  uint32_t id;
  WatchFn fn;
  void* ctx;
  char token[16];  // "petrel-<id>"
  char path[kMaxWatchPath + 1];
};

constexpr Ticks kDefaultTimeout{5 * kernel::config::kTickRateHz};

// Everything the module knows, in one place: zero at boot (.bss), and what
// reset_module() restores. The buffers, the watch table and the task's
// storage below are memory the module fills before use.
struct XenstoreState {
  xenstore_domain_interface* page = nullptr;
  RingProducer req;
  RingConsumer rsp;
  EvtchnPort port;
  bool available = false;
  bool lost = false;
  bool task_made = false;         // the semaphores and the task exist (made once)
  bool timeout_set = false;       // else kDefaultTimeout
  kernel::Semaphore event;        // the event channel fired
  kernel::Semaphore reply_ready;  // reply holds the awaited reply (or lost)
  xs::Decoder decoder;
  bool waiting = false;
  uint32_t waiting_id = 0;
  uint32_t last_id = 0;     // request ids count from 1
  uint32_t last_watch = 0;  // watch ids too
  Ticks timeout;
  Stats stats{};
};
constinit XenstoreState g_xs;
// Orders requests. Beside the state, not in it: a mutex's constant
// initializer is not all zeros and would move the whole state into .data.
constinit kernel::Mutex g_request_lock{kernel::MutexType::kNormal};

// The buffers (12 KiB) are written before they are read, and the watch table
// is zeroed by init(): none of them is zeroed with .bss by a domain that has
// no xenstore.
PETREL_NOINIT(xenstore_msg) xs::Message g_msg;      // being reassembled by the xenstore task
PETREL_NOINIT(xenstore_reply) xs::Message g_reply;  // handed to the waiting caller
PETREL_NOINIT(xenstore_out) char g_out[xs::kHeaderSize + xs::kMaxPayload];
PETREL_NOINIT(xenstore_watches) WatchSlot g_watches[kMaxWatches];  // valid once available
kernel::Task g_task;
PETREL_NOINIT(xenstore_stack) alignas(16) uint8_t g_task_stack[8192];

const Error kNotAvailable{Errc::kNotFound, "xenstore: not available in this domain"};
const Error kLost{Errc::kIo, "xenstore: connection lost (malformed data from xenstored)"};

void lose_connection(const char* why) {
  // xs_protocol's messages name xenstore already; the ring's do not.
  constexpr char kPrefix[] = "xenstore: ";
  const bool named = str::compare_strings_n(why, kPrefix, sizeof kPrefix - 1) == 0;
  log(LogLevel::kError, "%s%s; the connection is no longer used", named ? "" : kPrefix, why);
  kernel::CriticalSection cs;
  g_xs.lost = true;
  g_xs.stats.connection_lost = true;
  if (g_xs.waiting) {
    g_xs.waiting = false;
    (void)kernel::semaphore_give(&g_xs.reply_ready);
  }
}

void deliver_watch_event(const xs::Message& m) {
  ++g_xs.stats.watch_events;
  const char* path = xs::next_string(m.payload, m.header.len, nullptr);
  const char* token = path ? xs::next_string(m.payload, m.header.len, path) : nullptr;
  if (token == nullptr) return;  // malformed event: ignored
  for (const WatchSlot& w : g_watches) {
    if (w.used && str::compare_strings(w.token, token) == 0) w.fn(path, w.ctx);
  }
}

void handle(const xs::Message& m) {
  xs::Route r;
  {
    kernel::CriticalSection cs;
    r = xs::route(m, g_xs.waiting, g_xs.waiting_id);
    if (r == xs::Route::kStray) ++g_xs.stats.stray_replies;
    if (r == xs::Route::kReply) {
      str::copy(&g_reply, &m, xs::kHeaderSize + m.header.len + 1);
      g_xs.waiting = false;
      (void)kernel::semaphore_give(&g_xs.reply_ready);
    }
  }
  if (r == xs::Route::kWatchEvent) deliver_watch_event(m);  // callbacks run unmasked
}

void service_task(void*) {
  for (;;) {
    (void)kernel::semaphore_take_compact(&g_xs.event, kernel::kForever);
    while (!g_xs.lost) {
      auto got = g_xs.decoder.poll(g_xs.rsp, &g_msg);
      if (!got) {
        lose_connection(got.error().message);
        break;
      }
      if (!*got) break;
      handle(g_msg);
    }
  }
}

// Sends a request and waits for its reply in g_reply; the caller holds
// g_request_lock.
Status exchange(uint32_t type, Transaction tx, const xs::Part* parts, size_t count) {
  if (!g_xs.available) return kNotAvailable;
  if (g_xs.lost) return kLost;
  auto len = xs::encode(g_out, sizeof g_out, type, g_xs.last_id + 1, tx.id, parts, count);
  if (!len) return len.error();
  {
    kernel::CriticalSection cs;
    g_xs.waiting_id = ++g_xs.last_id;
    g_xs.waiting = true;
  }
  ++g_xs.stats.requests;
  const kernel::Deadline deadline =
      kernel::Deadline::after(g_xs.timeout_set ? g_xs.timeout : kDefaultTimeout);
  size_t sent = 0;
  while (sent < *len) {
    auto n = g_xs.req.write(g_out + sent, *len - sent);
    if (!n) {
      lose_connection(n.error().message);
      return kLost;
    }
    sent += *n;
    (void)evtchn::send(g_xs.port);
    if (sent < *len) {
      if (deadline.remaining() == kernel::kNoWait) {
        {
          kernel::CriticalSection cs;
          g_xs.waiting = false;
        }
        // Half a request in the ring: whatever follows it would be read as
        // its rest, so the stream cannot be followed any more.
        if (sent > 0) lose_connection("xenstored stopped taking a request half-way through");
        return Error{Errc::kTimeout, "xenstore: xenstored does not take requests"};
      }
      kernel::task_delay(Ticks{1});  // the ring is full: let xenstored drain it
    }
  }
  Status s = kernel::semaphore_take_compact(&g_xs.reply_ready, deadline.remaining());
  if (!s) {
    kernel::CriticalSection cs;
    if (g_xs.waiting) {
      g_xs.waiting = false;
      return Error{Errc::kTimeout, "xenstore: no reply from xenstored"};
    }
    // The reply came between the timeout and here: take its give now, or
    // the next request would take it for its own reply.
    (void)kernel::semaphore_take_compact(&g_xs.reply_ready, kernel::kNoWait);
  }
  if (g_xs.lost) return kLost;
  return xs::check_reply(g_reply, type);
}

// A whole request under the lock; `on_reply` runs with g_reply valid.
template <typename F>
Status request(uint32_t type, Transaction tx, const xs::Part* parts, size_t count, F&& on_reply) {
  if (!g_xs.available) return kNotAvailable;
  if (kernel::in_isr()) return Error{Errc::kInvalid, "xenstore: called from an interrupt handler"};
  if (Status s = kernel::mutex_lock(&g_request_lock, kernel::kForever); !s) return s;
  Status s = exchange(type, tx, parts, count);
  if (s) s = on_reply(g_reply);
  (void)kernel::mutex_unlock(&g_request_lock);
  return s;
}

Status no_reply_data(const xs::Message&) {
  return ok();
}

xs::Part text(const char* s) {
  return xs::Part{s, str::length(s), true};
}

// Copies a reply payload into a caller's buffer with a NUL after it.
Result<size_t> copy_out(const xs::Message& m, char* buf, size_t size) {
  if (m.header.len + 1 > size) return Error{Errc::kOutOfRange, "xenstore: buffer too small"};
  str::copy(buf, m.payload, m.header.len);
  buf[m.header.len] = '\0';
  return static_cast<size_t>(m.header.len);
}

Result<size_t> read_like(uint32_t type, const char* path, char* buf, size_t size, Transaction tx) {
  if (Status p = xs::check_path(path); !p) return p.error();
  const xs::Part parts[] = {text(path)};
  size_t n = 0;
  Status s = request(type, tx, parts, 1, [&](const xs::Message& m) -> Status {
    auto r = copy_out(m, buf, size);
    if (!r) return r.error();
    n = *r;
    return ok();
  });
  if (!s) return s.error();
  return n;
}

Status path_only(uint32_t type, const char* path, Transaction tx) {
  if (Status p = xs::check_path(path); !p) return p;
  const xs::Part parts[] = {text(path)};
  return request(type, tx, parts, 1, no_reply_data);
}

}  // namespace

[[gnu::cold]] Status init() {
  if (g_xs.available) return ok();
  // The page first: without one the port is not asked for (a hypercall).
  auto pfn = hvm_param(HVM_PARAM_STORE_PFN);
  if (!pfn || *pfn == 0) return kNotAvailable;
  auto port = hvm_param(HVM_PARAM_STORE_EVTCHN);
  if (!port || *port == 0) return kNotAvailable;
  if (!evtchn::ready()) return Error{Errc::kUnsupported, "xenstore: no event channels"};
  str::fill(g_watches, 0, sizeof g_watches);
  const uintptr_t page = address_of(Gfn{*pfn});
  if (Status s = arch::map_shared_memory(page, kPageSize); !s) return s;
  g_xs.page = reinterpret_cast<xenstore_domain_interface*>(page);
  g_xs.req =
      RingProducer(g_xs.page->req, XENSTORE_RING_SIZE, &g_xs.page->req_prod, &g_xs.page->req_cons);
  g_xs.rsp =
      RingConsumer(g_xs.page->rsp, XENSTORE_RING_SIZE, &g_xs.page->rsp_prod, &g_xs.page->rsp_cons);
  if (Status s = g_xs.req.attach(); !s) return s;
  if (Status s = g_xs.rsp.attach(); !s) return s;
  // The semaphores and the task once: a later init() (after this one
  // failed further down) must not make them again under a waiting task.
  if (!g_xs.task_made) {
    if (auto r = kernel::semaphore_create_static(&g_xs.event, 1, 0); !r) return r.error();
    if (auto r = kernel::semaphore_create_static(&g_xs.reply_ready, 1, 0); !r) return r.error();
    auto task =
        kernel::task_create_static(kernel::TaskConfig{"xenstore", kernel::config::kPriorities - 2,
                                                      sizeof g_task_stack, service_task, nullptr},
                                   &g_task, g_task_stack, sizeof g_task_stack);
    if (!task) return task.error();
    kernel::task_mark_system(*task);
    g_xs.task_made = true;
  }
  g_xs.port = EvtchnPort{static_cast<uint32_t>(*port)};
  if (Status s = evtchn::bind(g_xs.port, evtchn::signal_semaphore, &g_xs.event); !s) return s;
  g_xs.available = true;
  (void)kernel::semaphore_give(&g_xs.event);  // replies may already be waiting
  return ok();
}

bool available() {
  return g_xs.available;
}

void set_timeout(Ticks timeout) {
  g_xs.timeout = timeout;
  g_xs.timeout_set = true;
}

Result<size_t> read(const char* path, char* buf, size_t size, Transaction tx) {
  return read_like(XS_READ, path, buf, size, tx);
}

Status write(const char* path, const char* value, Transaction tx) {
  if (Status p = xs::check_path(path); !p) return p;
  if (value == nullptr) return Error{Errc::kInvalid, "xenstore: null value"};
  const xs::Part parts[] = {text(path), xs::Part{value, str::length(value), false}};
  return request(XS_WRITE, tx, parts, 2, no_reply_data);
}

Status mkdir(const char* path, Transaction tx) {
  return path_only(XS_MKDIR, path, tx);
}

Status remove(const char* path, Transaction tx) {
  return path_only(XS_RM, path, tx);
}

Result<size_t> directory(const char* path, char* buf, size_t size, Transaction tx) {
  return read_like(XS_DIRECTORY, path, buf, size, tx);
}

Result<size_t> get_permissions(const char* path, char* buf, size_t size, Transaction tx) {
  return read_like(XS_GET_PERMS, path, buf, size, tx);
}

Status set_permissions(const char* path, const char* const* perms, size_t count, Transaction tx) {
  if (Status p = xs::check_path(path); !p) return p;
  constexpr size_t kMaxPerms = 16;
  if (count == 0 || count > kMaxPerms)
    return Error{Errc::kOutOfRange, "xenstore: 1 to 16 permission entries"};
  xs::Part parts[kMaxPerms + 1];
  parts[0] = text(path);
  for (size_t i = 0; i < count; ++i) {
    const char* p = perms[i];
    if (p == nullptr || (p[0] != 'n' && p[0] != 'r' && p[0] != 'w' && p[0] != 'b') ||
        !xs::parse_u32(p + 1))
      return Error{Errc::kInvalid, "xenstore: a permission is n|r|w|b and a domain ID"};
    parts[i + 1] = text(p);
  }
  return request(XS_SET_PERMS, tx, parts, count + 1, no_reply_data);
}

Result<Transaction> transaction_start() {
  const xs::Part parts[] = {xs::Part{"", 0, true}};
  Transaction tx;
  Status s = request(XS_TRANSACTION_START, Transaction{}, parts, 1, [&](const xs::Message& m) {
    auto id = xs::parse_u32(m.payload);
    if (!id || *id == 0) return Status(Error{Errc::kIo, "xenstore: bad transaction id"});
    tx.id = *id;
    return ok();
  });
  if (!s) return s.error();
  return tx;
}

Status transaction_end(Transaction tx, bool commit) {
  if (tx.id == 0) return Error{Errc::kInvalid, "xenstore: not a transaction"};
  const xs::Part parts[] = {text(commit ? "T" : "F")};
  return request(XS_TRANSACTION_END, tx, parts, 1, no_reply_data);
}

Result<Watch> watch(const char* path, WatchFn fn, void* ctx) {
  if (Status p = xs::check_path(path); !p) return p.error();
  if (fn == nullptr) return Error{Errc::kInvalid, "xenstore: null watch callback"};
  const size_t path_len = str::length(path);
  if (path_len > kMaxWatchPath) return Error{Errc::kOutOfRange, "xenstore: watch path too long"};
  if (!g_xs.available) return kNotAvailable;
  WatchSlot* slot = nullptr;
  {
    kernel::CriticalSection cs;
    for (WatchSlot& w : g_watches) {
      if (!w.used) {
        slot = &w;
        break;
      }
    }
    if (slot == nullptr) return Error{Errc::kNoMemory, "xenstore: too many watches"};
    slot->id = ++g_xs.last_watch;
    format_to(slot->token, sizeof slot->token, "petrel-%u", slot->id);
    str::copy(slot->path, path, path_len + 1);
    slot->fn = fn;
    slot->ctx = ctx;
    slot->used = true;  // before the request: the first event may come at once
  }
  const xs::Part parts[] = {text(path), text(slot->token)};
  Status s = request(XS_WATCH, Transaction{}, parts, 2, no_reply_data);
  if (!s) {
    kernel::CriticalSection cs;
    slot->used = false;
    return s.error();
  }
  return Watch{slot->id};
}

Status unwatch(Watch w) {
  if (!g_xs.available) return Error{Errc::kNotFound, "xenstore: no such watch"};
  WatchSlot* slot = nullptr;
  for (WatchSlot& s : g_watches) {
    if (s.used && s.id == w.id) slot = &s;
  }
  if (slot == nullptr) return Error{Errc::kNotFound, "xenstore: no such watch"};
  const xs::Part parts[] = {text(slot->path), text(slot->token)};
  Status s = request(XS_UNWATCH, Transaction{}, parts, 2, no_reply_data);
  kernel::CriticalSection cs;
  slot->used = false;  // no more callbacks, whatever xenstored said
  return s;
}

Result<DomainId> domain_id() {
  char buf[16];
  auto n = read("domid", buf, sizeof buf);
  if (!n) return n.error();
  auto id = xs::parse_u32(buf);
  if (!id || *id > 0x7fef) return Error{Errc::kIo, "xenstore: bad domid"};
  return DomainId{static_cast<uint16_t>(*id)};
}

Stats stats() {
  kernel::CriticalSection cs;
  return g_xs.stats;
}

void reset_module() {
  g_xs.~XenstoreState();
  new (&g_xs) XenstoreState();
  g_request_lock.~Mutex();
  new (&g_request_lock) kernel::Mutex(kernel::MutexType::kNormal);
}

}  // namespace petrel::xen::xenstore
