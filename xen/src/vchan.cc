// vchan endpoints (see petrel/xen/vchan.h for the protocol).
//
// Memory: a server allocates its shared page and any ring pages from the
// kernel heap and grants them to the client; on close it ends the grants,
// and grants the client still maps wait with their block in PendingGrants
// until vchan::reap() finds them all released (the block is never reused
// while another domain can write it). A client maps the server's pages into the grant
// window and unmaps them on close.
#include "petrel/xen/vchan.h"

#include <new>

#include "petrel/console.h"
#include "petrel/fmt.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/mutex.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/semaphore.h"
#include "petrel/log.h"
#include "petrel/string.h"
#include "petrel/xen/evtchn.h"
#include "petrel/xen/grant.h"
#include "petrel/xen/grant_pending.h"
#include "petrel/xen/vchan_layout.h"
#include "petrel/xen/xenstore.h"
#include "petrel/xen/xs_protocol.h"

namespace petrel::xen {
namespace {

constexpr unsigned kMaxRingPages = 1u << (kVchanMaxOrder - 12);

// The module's state: zero at boot (.bss), and what reset_module()
// restores.
struct VchanState {
  uint32_t open = 0;  // channels not yet closed
  // Grants of closed servers that the client still mapped: retried by
  // reap().
  PendingGrants pending;
};
constinit VchanState g_vchan;
// Guards g_vchan.pending. A mutex, not a critical section: a retry pass can
// be long. Beside the state, not in it: a mutex's constant initializer is
// not all zeros and would move the 16 KiB state into .data.
constinit kernel::Mutex g_pending_lock{kernel::MutexType::kNormal};

bool end_grant(uint32_t ref) {
  return grant::end_access(GrantRef{ref}).ok();
}
void free_block(void* block) {
  kernel::heap_free(block);
}

class PendingLock {
 public:
  PendingLock() { (void)kernel::mutex_lock(&g_pending_lock); }
  ~PendingLock() { (void)kernel::mutex_unlock(&g_pending_lock); }
  PendingLock(const PendingLock&) = delete;
  PendingLock& operator=(const PendingLock&) = delete;
};

VchanShared* shared(void* p) {
  return static_cast<VchanShared*>(p);
}

// Ends the grants `refs[0..n)` of `block`; what the peer still maps waits
// for reap().
void end_grants(const uint32_t* refs, unsigned n, void* block) {
  PendingLock lock;
  if (!g_vchan.pending.retire(refs, n, block, end_grant, free_block))
    log(LogLevel::kError,
        "vchan: too many grants still mapped by peers to track: a closed channel's pages stay "
        "out of the heap for good");
}

}  // namespace

namespace vchan {

uint32_t reap() {
  PendingLock lock;
  g_vchan.pending.retry(end_grant, free_block);
  return g_vchan.pending.count();
}

Stats stats() {
  PendingLock lock;
  kernel::CriticalSection cs;
  return Stats{g_vchan.open, g_vchan.pending.count()};
}

void reset_module() {
  g_vchan = VchanState{};
  g_pending_lock.~Mutex();
  new (&g_pending_lock) kernel::Mutex(kernel::MutexType::kNormal);
}

Result<Vchan*> server(DomainId client, const char* path, size_t read_min, size_t write_min) {
  if (Status p = xs::check_path(path); !p) return p.error();
  if (str::length(path) + 16 > sizeof(Vchan{}.path_))
    return Error{Errc::kOutOfRange, "vchan: xenstore path too long"};
  (void)reap();
  unsigned left = vchan_order_for(read_min), right = vchan_order_for(write_min);
  if (left <= 11 && right <= 11 && left == right) {
    left = 10;
    right = 11;
  }
  auto geo = vchan_geometry(static_cast<uint16_t>(left), static_cast<uint16_t>(right));
  if (!geo) return geo.error();
  auto domid = xenstore::domain_id();
  if (!domid) return domid.error();

  auto* v = new (kernel::heap_alloc(sizeof(Vchan), alignof(Vchan))) Vchan;
  if (v == nullptr) return Error{Errc::kNoMemory, "vchan: out of memory"};
  v->server_ = true;
  v->peer_ = client;
  str::copy(v->path_, path, str::length(path) + 1);
  v->left_pages_ = geo->left_pages;
  v->right_pages_ = geo->right_pages;
  const unsigned pages = 1 + geo->left_pages + geo->right_pages;
  // One block: the shared page, then the left ring pages, then the right.
  v->pages_ = kernel::heap_alloc(pages * kVchanPageSize, kVchanPageSize);
  v->refs_or_handles_ = static_cast<uint32_t*>(kernel::heap_alloc(pages * sizeof(uint32_t)));
  auto sem = kernel::semaphore_create_binary();
  if (v->pages_ == nullptr || v->refs_or_handles_ == nullptr || !sem) {
    if (sem) kernel::semaphore_delete(*sem);
    kernel::heap_free(v->refs_or_handles_);
    kernel::heap_free(v->pages_);
    kernel::heap_free(v);
    return Error{Errc::kNoMemory, "vchan: out of memory"};
  }
  v->event_ = *sem;
  char* base = static_cast<char*>(v->pages_);
  str::fill(base, 0, pages * kVchanPageSize);
  v->left_ = geo->left_pages ? base + kVchanPageSize : nullptr;
  v->right_ = geo->right_pages ? base + (1 + geo->left_pages) * kVchanPageSize : nullptr;

  // Grant every page to the client: shared page first, then the rings.
  Status s = ok();
  unsigned granted = 0;
  for (; granted < pages && s; ++granted) {
    auto ref = grant::grant_access(client, base + granted * kVchanPageSize, false);
    if (!ref) {
      s = ref.error();
      break;
    }
    v->refs_or_handles_[granted] = ref->value;
  }
  VchanShared* sh = shared(v->pages_);
  sh->left_order = static_cast<uint16_t>(left);
  sh->right_order = static_cast<uint16_t>(right);
  sh->cli_live = 2;
  sh->srv_live = 1;
  sh->cli_notify = kVchanNotifyWrite;
  sh->srv_notify = kVchanNotifyWrite;
  for (unsigned i = 1; i < pages && s; ++i) vchan_grants(sh)[i - 1] = v->refs_or_handles_[i];
  char* left_buf = geo->left_pages ? static_cast<char*>(v->left_) : base + geo->left_offset;
  char* right_buf = geo->right_pages ? static_cast<char*>(v->right_) : base + geo->right_offset;
  if (s) s = v->attach_rings(sh, left_buf, left, right_buf, right, true);

  if (s) {
    auto port = evtchn::alloc_unbound(client);
    if (!port) {
      s = port.error();
    } else {
      v->port_ = *port;
      s = evtchn::bind(*port, evtchn::signal_semaphore, v->event_);
    }
  }
  // Rendezvous: ring-ref and event-channel under `path`, readable by the
  // client. The directory gets the permissions first; its children, created
  // next, inherit them (one request less each).
  char key[128], value[16];
  char owner[16], reader[16];
  format_to(owner, sizeof owner, "n%u", static_cast<unsigned>(domid->value));
  format_to(reader, sizeof reader, "r%u", static_cast<unsigned>(client.value));
  const char* perms[] = {owner, reader};
  if (s) s = xenstore::write(path, "");
  if (s) s = xenstore::set_permissions(path, perms, 2);
  if (s) {
    format_to(key, sizeof key, "%s/event-channel", path);
    format_to(value, sizeof value, "%u", v->port_.value);
    s = xenstore::write(key, value);
  }
  if (s) {
    format_to(key, sizeof key, "%s/ring-ref", path);
    format_to(value, sizeof value, "%u", v->refs_or_handles_[0]);
    s = xenstore::write(key, value);
  }
  if (!s) {
    // Nothing was published to a client yet that could hold our pages.
    v->left_pages_ = v->right_pages_ = 0;
    for (unsigned i = 0; i < granted; ++i)
      (void)grant::end_access(GrantRef{v->refs_or_handles_[i]});
    if (v->port_.value != 0) (void)evtchn::close(v->port_);
    (void)xenstore::remove(path);
    kernel::semaphore_delete(v->event_);
    kernel::heap_free(v->refs_or_handles_);
    kernel::heap_free(v->pages_);
    kernel::heap_free(v);
    return s.error();
  }
  kernel::CriticalSection cs;
  ++g_vchan.open;
  return v;
}

Result<Vchan*> client(DomainId server, const char* path) {
  if (Status p = xs::check_path(path); !p) return p.error();
  char key[128], value[16];
  format_to(key, sizeof key, "%s/ring-ref", path);
  auto r = xenstore::read(key, value, sizeof value);
  if (!r) return r.error();
  auto ring_ref = xs::parse_u32(value);
  format_to(key, sizeof key, "%s/event-channel", path);
  r = xenstore::read(key, value, sizeof value);
  if (!r) return r.error();
  auto remote_port = xs::parse_u32(value);
  if (!ring_ref || !remote_port)
    return Error{Errc::kInvalid, "vchan: bad ring-ref or event-channel"};

  auto* v = new (kernel::heap_alloc(sizeof(Vchan), alignof(Vchan))) Vchan;
  if (v == nullptr) return Error{Errc::kNoMemory, "vchan: out of memory"};
  v->server_ = false;
  v->peer_ = server;
  auto fail_early = [&](const Error& e) -> Result<Vchan*> {
    v->release();
    kernel::heap_free(v);
    return e;
  };
  v->refs_or_handles_ =
      static_cast<uint32_t*>(kernel::heap_alloc((1 + 2 * kMaxRingPages) * sizeof(uint32_t)));
  auto sem = kernel::semaphore_create_binary();
  if (v->refs_or_handles_ == nullptr || !sem) {
    if (sem) kernel::semaphore_delete(*sem);
    return fail_early(Error{Errc::kNoMemory, "vchan: out of memory"});
  }
  v->event_ = *sem;
  auto page = grant::map(server, GrantRef{*ring_ref}, false);
  if (!page) return fail_early(page.error());
  v->pages_ = page->address;
  v->refs_or_handles_[0] = page->handle;
  VchanShared* sh = shared(v->pages_);
  // The server's page: orders and grant list read once and checked.
  const uint16_t lo = __atomic_load_n(&sh->left_order, __ATOMIC_ACQUIRE);
  const uint16_t ro = __atomic_load_n(&sh->right_order, __ATOMIC_ACQUIRE);
  auto geo = vchan_geometry(lo, ro);
  if (!geo) return fail_early(geo.error());
  GrantRef refs[2 * kMaxRingPages];
  for (unsigned i = 0; i < geo->left_pages + geo->right_pages; ++i) {
    const uint32_t ref = __atomic_load_n(&vchan_grants(sh)[i], __ATOMIC_RELAXED);
    refs[i] = GrantRef{ref};
  }
  if (geo->left_pages) {
    auto m = grant::map_pages(server, refs, v->refs_or_handles_ + 1, geo->left_pages, false);
    if (!m) return fail_early(m.error());
    v->left_ = *m;
    v->left_pages_ = geo->left_pages;
  }
  if (geo->right_pages) {
    auto m = grant::map_pages(server, refs + geo->left_pages,
                              v->refs_or_handles_ + 1 + geo->left_pages, geo->right_pages, false);
    if (!m) return fail_early(m.error());
    v->right_ = *m;
    v->right_pages_ = geo->right_pages;
  }
  char* base = static_cast<char*>(v->pages_);
  char* left_buf = geo->left_pages ? static_cast<char*>(v->left_) : base + geo->left_offset;
  char* right_buf = geo->right_pages ? static_cast<char*>(v->right_) : base + geo->right_offset;
  if (Status s = v->attach_rings(sh, left_buf, lo, right_buf, ro, false); !s)
    return fail_early(s.error());
  auto port = evtchn::bind_interdomain(server, EvtchnPort{*remote_port});
  if (!port) return fail_early(port.error());
  v->port_ = *port;
  if (Status s = evtchn::bind(*port, evtchn::signal_semaphore, v->event_); !s)
    return fail_early(s.error());
  __atomic_store_n(&sh->cli_live, uint8_t{1}, __ATOMIC_RELEASE);
  __atomic_fetch_or(&sh->srv_notify, kVchanNotifyWrite, __ATOMIC_ACQ_REL);
  (void)evtchn::send(v->port_);
  kernel::CriticalSection cs;
  ++g_vchan.open;
  return v;
}

}  // namespace vchan

// --- the channel ----------------------------------------------------------

void Vchan::release() {
  if (server_) {
    const unsigned pages = 1 + left_pages_ + right_pages_;
    if (refs_or_handles_ != nullptr)
      end_grants(refs_or_handles_, pages, pages_);
    else
      kernel::heap_free(pages_);
  } else {
    if (left_ != nullptr) (void)grant::unmap_pages(left_, refs_or_handles_ + 1, left_pages_);
    if (right_ != nullptr)
      (void)grant::unmap_pages(right_, refs_or_handles_ + 1 + left_pages_, right_pages_);
    if (pages_ != nullptr) (void)grant::unmap(grant::Mapping{pages_, refs_or_handles_[0]});
  }
  if (port_.value != 0) (void)evtchn::close(port_);
  if (event_ != nullptr) kernel::semaphore_delete(event_);
  kernel::heap_free(refs_or_handles_);
  event_ = nullptr;
  refs_or_handles_ = nullptr;
}

void Vchan::close() {
  mark_closed();
  if (server_ && path_[0] != '\0') (void)xenstore::remove(path_);
  release();
  {
    kernel::CriticalSection cs;
    --g_vchan.open;
  }
  this->~Vchan();
  kernel::heap_free(this);
}

}  // namespace petrel::xen
