// Static channels and doorbells (petrel/xen/static_channel.h).
//
// The open channels are kept in a small table so that the shutdown hook can
// mark each closed before the domain goes (a dom0less domain that stops is
// never destroyed, so nothing else would ever tell the peer).
#include "petrel/xen/static_channel.h"

#include <new>

#include "petrel/arch.h"
#include "petrel/fdt.h"
#include "petrel/guest.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/semaphore.h"
#include "petrel/platform.h"
#include "petrel/string.h"
#include "petrel/xen/evtchn.h"

namespace petrel::xen {
namespace {

using kernel::Ticks;

constexpr unsigned kMaxOpen = 8;

// The module's state: zero at boot (.bss).
struct StaticChannelState {
  StaticChannel* open[kMaxOpen];
  unsigned count;
};
constinit StaticChannelState g_static{};

bool remember(StaticChannel* ch) {
  kernel::CriticalSection cs;
  if (g_static.count == kMaxOpen) return false;
  g_static.open[g_static.count++] = ch;
  return true;
}

void forget(StaticChannel* ch) {
  kernel::CriticalSection cs;
  for (unsigned i = 0; i < g_static.count; ++i) {
    if (g_static.open[i] != ch) continue;
    g_static.open[i] = g_static.open[--g_static.count];
    return;
  }
}

// Xen marks each static port pending once when it builds the domain: the
// ports of the channels not opened yet keep that event, without a warning.
void await_declared() {
  const StaticChannelTable* table = &kStaticChannels;
  if (table == nullptr) return;
  for (size_t i = 0; i < table->count; ++i) evtchn::await(EvtchnPort{table->channels[i].port});
}

// A binary semaphore the port's handler gives, and the handler installed.
Result<kernel::Semaphore*> bind_port(uint32_t port) {
  if (port == 0) return Error{Errc::kInvalid, "static channel: declared without a port"};
  await_declared();
  auto sem = kernel::semaphore_create_binary();
  if (!sem) return Error{Errc::kNoMemory, "static channel: out of memory"};
  if (Status s = evtchn::bind(EvtchnPort{port}, evtchn::signal_semaphore, *sem); !s) {
    kernel::semaphore_delete(*sem);
    return s.error();
  }
  return *sem;
}

void unbind_port(EvtchnPort port, kernel::Semaphore* sem) {
  evtchn::release(port);
  kernel::semaphore_delete(sem);
}

}  // namespace

// --- doorbells --------------------------------------------------------------

Result<Doorbell*> static_channel_doorbell(const StaticChannelConfig& config) {
  void* mem = kernel::heap_alloc(sizeof(Doorbell), alignof(Doorbell));
  if (mem == nullptr) return Error{Errc::kNoMemory, "static channel: out of memory"};
  auto sem = bind_port(config.port);
  if (!sem) {
    kernel::heap_free(mem);
    return sem.error();
  }
  auto* d = new (mem) Doorbell;
  d->port_ = EvtchnPort{config.port};
  d->event_ = *sem;
  return d;
}

Status Doorbell::ring() {
  return evtchn::send(port_);
}

Status Doorbell::wait(Ticks timeout) {
  return kernel::semaphore_take(event_, timeout);
}

void Doorbell::close() {
  unbind_port(port_, event_);
  this->~Doorbell();
  kernel::heap_free(this);
}

// --- channels ---------------------------------------------------------------

Result<StaticChannel*> static_channel_open(const StaticChannelConfig& config,
                                           const StaticRegion& region, void* base, Ticks timeout) {
  if (region.size != config.shm_size)
    return Error{Errc::kInvalid,
                 "static channel: the region Xen gave is not the size the app declared"};
  void* mem = kernel::heap_alloc(sizeof(StaticChannel), alignof(StaticChannel));
  if (mem == nullptr) return Error{Errc::kNoMemory, "static channel: out of memory"};
  auto* ch = new (mem) StaticChannel;
  ch->region_ = region;
  // The slot is taken before the region is touched: an owner refused for
  // want of one must not leave a layout behind that a borrower would take.
  if (!remember(ch)) {
    ch->release();
    return Error{Errc::kNoMemory, "static channel: too many channels open at once"};
  }
  auto fail = [&](const Error& e) -> Result<StaticChannel*> {
    forget(ch);
    ch->release();
    return e;
  };
  auto sem = bind_port(config.port);
  if (!sem) return fail(sem.error());
  ch->port_ = EvtchnPort{config.port};
  ch->event_ = *sem;

  auto* sh = static_cast<VchanShared*>(base);
  StaticHeader* header = static_header(base);
  if (config.owner) {
    auto geo = static_geometry_for(region.size);
    if (!geo) return fail(geo.error());
    // A borrower must not take a half-made layout: the magic goes first
    // and comes back last.
    __atomic_store_n(&header->magic, 0u, __ATOMIC_RELEASE);
    str::fill(base, 0, kStaticHeaderOffset);
    sh->left_order = static_cast<uint16_t>(geo->left_order);
    sh->right_order = static_cast<uint16_t>(geo->right_order);
    sh->cli_live = 2;
    sh->srv_live = 1;
    sh->cli_notify = kVchanNotifyWrite;
    sh->srv_notify = kVchanNotifyWrite;
    header->version = kStaticVersion;
    header->region_pages = static_cast<uint32_t>(region.size / kVchanPageSize);
    header->reserved = 0;
    const RingPlacement rings = static_rings(base, *geo);
    if (Status s =
            ch->attach_rings(sh, rings.left, geo->left_order, rings.right, geo->right_order, true);
        !s)
      return fail(s.error());
    __atomic_store_n(&header->magic, kStaticMagic, __ATOMIC_RELEASE);
    (void)evtchn::send(ch->port_);  // a borrower may be waiting
  } else {
    // The owner's layout: waited for, then read once and checked.
    const kernel::Deadline deadline = kernel::Deadline::after(timeout);
    while (__atomic_load_n(&header->magic, __ATOMIC_ACQUIRE) != kStaticMagic) {
      if (Status s = kernel::semaphore_take(ch->event_, deadline.remaining()); !s) {
        if (s.error().code != Errc::kTimeout) return fail(s.error());
        return fail(Error{Errc::kTimeout,
                          "static channel: the owner never laid the region out (is the peer "
                          "running, and does it open the channel?)"});
      }
    }
    const uint32_t version = __atomic_load_n(&header->version, __ATOMIC_RELAXED);
    const uint32_t pages = __atomic_load_n(&header->region_pages, __ATOMIC_RELAXED);
    const uint16_t lo = __atomic_load_n(&sh->left_order, __ATOMIC_RELAXED);
    const uint16_t ro = __atomic_load_n(&sh->right_order, __ATOMIC_RELAXED);
    if (version != kStaticVersion)
      return fail(Error{Errc::kUnsupported, "static channel: the owner's layout version differs"});
    auto geo = check_static_geometry(lo, ro, pages, region.size);
    if (!geo) return fail(geo.error());
    const RingPlacement rings = static_rings(base, *geo);
    if (Status s = ch->attach_rings(sh, rings.left, lo, rings.right, ro, false); !s)
      return fail(s.error());
    __atomic_store_n(&sh->cli_live, uint8_t{1}, __ATOMIC_RELEASE);
    __atomic_fetch_or(&sh->srv_notify, kVchanNotifyWrite, __ATOMIC_ACQ_REL);
    (void)evtchn::send(ch->port_);
  }
  platform::set_shutdown_hook(static_channel_close_all);
  return ch;
}

void StaticChannel::release() {
  if (event_ != nullptr) unbind_port(port_, event_);
  this->~StaticChannel();
  kernel::heap_free(this);
}

void StaticChannel::close() {
  forget(this);
  mark_closed();
  release();
}

void static_channel_close_all() {
  for (unsigned i = 0; i < g_static.count; ++i) g_static.open[i]->mark_closed();
}

namespace static_channel {

const StaticChannelConfig* find(const char* name) {
  const StaticChannelTable* table = &kStaticChannels;
  if (table == nullptr || name == nullptr) return nullptr;
  for (size_t i = 0; i < table->count; ++i)
    if (str::compare_strings(table->channels[i].name, name) == 0) return &table->channels[i];
  return nullptr;
}

namespace {
constexpr Error kUndeclared{Errc::kNotFound,
                            "static channel: the app declares no channel of that name "
                            "(petrel_static_channel() in its CMakeLists.txt)"};
}  // namespace

Result<Doorbell*> doorbell(const char* name) {
  const StaticChannelConfig* c = find(name);
  if (c == nullptr) return kUndeclared;
  return static_channel_doorbell(*c);
}

Result<StaticChannel*> open(const char* name, Ticks timeout) {
  const StaticChannelConfig* c = find(name);
  if (c == nullptr) return kUndeclared;
  if (c->shm_size == 0)
    return Error{Errc::kInvalid,
                 "static channel: declared without a shared region (use it as a doorbell)"};
  auto fdt = Fdt::open(reinterpret_cast<const void*>(device_tree_address()), kMaxDeviceTreeSize);
  if (!fdt) return fdt.error();
  auto region = find_static_region(*fdt, c->name, board());
  if (!region) return region.error();
  if (region->base + region->size - 1 > UINTPTR_MAX)
    return Error{Errc::kOutOfRange, "static channel: the region is out of this guest's reach"};
  const auto address = static_cast<uintptr_t>(region->base);
  if (Status s = arch::map_shared_memory(address, static_cast<size_t>(region->size)); !s)
    return s.error();
  return static_channel_open(*c, *region, reinterpret_cast<void*>(address), timeout);
}

unsigned open_count() {
  kernel::CriticalSection cs;
  return g_static.count;
}

}  // namespace static_channel

}  // namespace petrel::xen
