// The fake's xenstored: dom0's end of the guest's xenstore ring. It reads
// requests from the request ring and answers on the response ring with the
// wire protocol of Xen's io/xs_wire.h, notifying the guest's port, as
// xenstored does; watch events go out the same way. It can be told to
// misbehave (fake_xen.h, xenstored::Fault), to vanish and come back, and to
// corrupt the ring indices.
//
// Simplifications: one flat tree keyed by absolute path with implicit
// parents; permissions are stored and returned but never enforced;
// transactions see and change the live tree (a commit fails only when told
// to); relative paths are relative to /local/domain/<kSelf>.
#include <gtest/gtest.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fake_internal.h"

namespace petrel::xen::fake {
namespace {

using xenstored::Fault;

const std::string kHome = "/local/domain/" + std::to_string(kSelf.value);

struct Watch {
  std::string path;      // as the guest gave it
  std::string absolute;  // resolved
  std::string token;
};

struct Xenstored {
  xenstore_domain_interface* page = nullptr;
  std::map<std::string, std::string> tree;
  std::map<std::string, std::vector<std::string>> perms;
  std::vector<Watch> watches;
  std::set<uint32_t> transactions;
  uint32_t next_transaction = 1;
  std::vector<std::pair<Fault, std::string>> faults;
  bool vanished = false;
  unsigned conflicts = 0;
  uint64_t requests = 0;
  bool busy = false, again = false;  // process() re-entered from the guest
};
Xenstored* g_fake = nullptr;

Xenstored& fake() {
  return *g_fake;
}

std::string absolute(const std::string& path) {
  return !path.empty() && path[0] == '/' ? path : kHome + "/" + path;
}

bool below(const std::string& node, const std::string& top) {
  return node == top || (node.size() > top.size() && node.compare(0, top.size(), top) == 0 &&
                         node[top.size()] == '/');
}

// Raw bytes into the response ring, published with `prod` (normally the
// new producer index).
void put(const std::string& bytes) {
  xenstore_domain_interface* p = fake().page;
  const uint32_t prod = p->rsp_prod;
  if (bytes.size() > XENSTORE_RING_SIZE - (prod - p->rsp_cons)) {
    ADD_FAILURE() << "xen fake: the guest does not drain xenstore's response ring";
    return;
  }
  for (size_t i = 0; i < bytes.size(); ++i) p->rsp[MASK_XENSTORE_IDX(prod + i)] = bytes[i];
  __atomic_store_n(&p->rsp_prod, prod + static_cast<uint32_t>(bytes.size()), __ATOMIC_RELEASE);
}

std::string message(uint32_t type, uint32_t req_id, uint32_t tx_id, const std::string& payload) {
  xsd_sockmsg h{type, req_id, tx_id, static_cast<uint32_t>(payload.size())};
  return std::string(reinterpret_cast<const char*>(&h), sizeof h) + payload;
}

void notify() {
  internal::notify_guest(kStorePort);
}

void send_watch_event(const Watch& w, const std::string& node) {
  std::string path = node;
  if (w.path.empty() || w.path[0] != '/') path = node.substr(kHome.size() + 1);
  put(message(XS_WATCH_EVENT, 0, 0, path + '\0' + w.token + '\0'));
  notify();
}

void fire(const std::string& node) {
  const std::vector<Watch> watches = fake().watches;  // a callback may change them
  for (const Watch& w : watches)
    if (below(node, w.absolute)) send_watch_event(w, node);
}

void reply(const xsd_sockmsg& req, uint32_t type, const std::string& payload) {
  xsd_sockmsg h{type, req.req_id, req.tx_id, static_cast<uint32_t>(payload.size())};
  std::string body = payload;
  if (fake().faults.empty()) {
    put(message(h.type, h.req_id, h.tx_id, body));
    notify();
    return;
  }
  const auto [fault, error] = fake().faults.front();
  fake().faults.erase(fake().faults.begin());
  xenstore_domain_interface* p = fake().page;
  const uint32_t before = p->rsp_prod;
  switch (fault) {
    case Fault::kErrorReply:
      h.type = XS_ERROR;
      body = error + '\0';
      break;
    case Fault::kWrongReqId:
      h.req_id += 1000;
      break;
    case Fault::kWrongType:
      h.type = req.type == XS_DIRECTORY ? XS_READ : XS_DIRECTORY;
      break;
    case Fault::kOversize:
      h.len = 5000;
      break;
    case Fault::kUnknownType:
      h.type = 999;
      break;
    case Fault::kBadTransaction:
      body = std::string("abc") + '\0';
      break;
    default:
      break;
  }
  h.len = fault == Fault::kOversize ? 5000 : static_cast<uint32_t>(body.size());
  const std::string header(reinterpret_cast<const char*>(&h), sizeof h);
  if (fault == Fault::kSplit) {
    put(header);
    notify();
    put(body);
    notify();
    return;
  }
  put(header + (fault == Fault::kOversize ? std::string(64, 'x') : body));
  if (fault == Fault::kBackwards) __atomic_store_n(&p->rsp_prod, before - 4, __ATOMIC_RELEASE);
  if (fault == Fault::kTooFar)
    __atomic_store_n(&p->rsp_prod, p->rsp_cons + XENSTORE_RING_SIZE + 1, __ATOMIC_RELEASE);
  notify();
}

void ok(const xsd_sockmsg& req) {
  reply(req, req.type, std::string("OK") + '\0');
}
void error(const xsd_sockmsg& req, const char* name) {
  reply(req, XS_ERROR, std::string(name) + '\0');
}

std::vector<std::string> strings(const std::string& payload) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < payload.size()) {
    const size_t end = payload.find('\0', at);
    out.push_back(payload.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return out;
}

void store(const std::string& path, const std::string& value) {
  const std::string node = absolute(path);
  // Parents come into being as xenstored makes them.
  for (size_t at = node.find('/', 1); at != std::string::npos; at = node.find('/', at + 1))
    fake().tree.emplace(node.substr(0, at), "");
  fake().tree[node] = value;
  fire(node);
}

void unstore(const std::string& path) {
  const std::string node = absolute(path);
  for (auto it = fake().tree.begin(); it != fake().tree.end();)
    it = below(it->first, node) ? fake().tree.erase(it) : std::next(it);
  fire(node);
}

void handle(const xsd_sockmsg& req, const std::string& payload) {
  ++fake().requests;
  if (!fake().faults.empty() && fake().faults.front().first == Fault::kErrorReply) {
    // Refused: nothing is done.
    const std::string name = fake().faults.front().second;
    fake().faults.erase(fake().faults.begin());
    return error(req, name.c_str());
  }
  const std::vector<std::string> args = strings(payload);
  const std::string path = args.empty() ? "" : absolute(args[0]);
  switch (req.type) {
    case XS_READ: {
      auto it = fake().tree.find(path);
      if (it == fake().tree.end()) return error(req, "ENOENT");
      return reply(req, XS_READ, it->second);
    }
    case XS_WRITE: {
      const size_t value_at = args.empty() ? payload.size() : args[0].size() + 1;
      store(path, payload.substr(value_at < payload.size() ? value_at : payload.size()));
      return ok(req);
    }
    case XS_MKDIR:
      if (fake().tree.count(path) == 0) store(path, "");
      return ok(req);
    case XS_RM:
      if (fake().tree.count(path) == 0) return error(req, "ENOENT");
      unstore(path);
      return ok(req);
    case XS_DIRECTORY: {
      if (fake().tree.count(path) == 0) return error(req, "ENOENT");
      std::string names;
      for (const auto& [node, value] : fake().tree) {
        if (node.size() > path.size() + 1 && below(node, path) &&
            node.find('/', path.size() + 1) == std::string::npos)
          names += node.substr(path.size() + 1) + '\0';
      }
      return reply(req, XS_DIRECTORY, names);
    }
    case XS_GET_PERMS: {
      if (fake().tree.count(path) == 0) return error(req, "ENOENT");
      std::string out;
      for (const std::string& p :
           fake().perms.count(path) ? fake().perms[path] : std::vector<std::string>{"n0"})
        out += p + '\0';
      return reply(req, XS_GET_PERMS, out);
    }
    case XS_SET_PERMS:
      if (fake().tree.count(path) == 0) return error(req, "ENOENT");
      fake().perms[path] = std::vector<std::string>(args.begin() + 1, args.end());
      return ok(req);
    case XS_TRANSACTION_START: {
      const uint32_t id = fake().next_transaction++;
      fake().transactions.insert(id);
      return reply(req, XS_TRANSACTION_START, std::to_string(id) + '\0');
    }
    case XS_TRANSACTION_END:
      if (fake().transactions.erase(req.tx_id) == 0) return error(req, "ENOENT");
      if (!args.empty() && args[0] == "T" && fake().conflicts > 0) {
        --fake().conflicts;
        return error(req, "EAGAIN");
      }
      return ok(req);
    case XS_WATCH: {
      if (args.size() < 2) return error(req, "EINVAL");
      const Watch w{args[0], path, args[1]};
      fake().watches.push_back(w);
      ok(req);
      return send_watch_event(w, path);  // xenstored fires a new watch once
    }
    case XS_UNWATCH:
      for (auto it = fake().watches.begin(); it != fake().watches.end(); ++it) {
        if (args.size() >= 2 && it->path == args[0] && it->token == args[1]) {
          fake().watches.erase(it);
          return ok(req);
        }
      }
      return error(req, "ENOENT");
    default:
      return error(req, "ENOSYS");
  }
}

// Answers every whole request in the ring.
void process() {
  if (fake().vanished) return;
  if (fake().busy) {
    fake().again = true;
    return;
  }
  fake().busy = true;
  xenstore_domain_interface* p = fake().page;
  do {
    fake().again = false;
    for (;;) {
      const uint32_t cons = p->req_cons;
      const uint32_t avail = __atomic_load_n(&p->req_prod, __ATOMIC_ACQUIRE) - cons;
      if (avail > XENSTORE_RING_SIZE) {
        ADD_FAILURE() << "xen fake: the guest's request ring indices are inconsistent";
        break;
      }
      if (avail < sizeof(xsd_sockmsg)) break;
      std::string bytes(avail, '\0');
      for (uint32_t i = 0; i < avail; ++i) bytes[i] = p->req[MASK_XENSTORE_IDX(cons + i)];
      xsd_sockmsg h;
      std::memcpy(&h, bytes.data(), sizeof h);
      if (h.len > XENSTORE_PAYLOAD_MAX) {
        ADD_FAILURE() << "xen fake: the guest sent a request of " << h.len << " bytes";
        break;
      }
      if (avail < sizeof h + h.len) break;  // the rest is still to come
      __atomic_store_n(&p->req_cons, cons + static_cast<uint32_t>(sizeof h + h.len),
                       __ATOMIC_RELEASE);
      handle(h, bytes.substr(sizeof h, h.len));
      if (fake().vanished) break;
    }
  } while (fake().again && !fake().vanished);
  fake().busy = false;
}

}  // namespace

namespace xenstored {

void write(const std::string& path, const std::string& value) {
  store(path, value);
  deliver_upcalls();
}

std::optional<std::string> read(const std::string& path) {
  auto it = fake().tree.find(absolute(path));
  if (it == fake().tree.end()) return std::nullopt;
  return it->second;
}

void remove(const std::string& path) {
  unstore(path);
  deliver_upcalls();
}

void fault_next(Fault fault, const char* error) {
  fake().faults.emplace_back(fault, error);
}

void vanish() {
  fake().vanished = true;
}

void revive() {
  fake().vanished = false;
  process();
  deliver_upcalls();
}

void corrupt_request_ring() {
  xenstore_domain_interface* p = fake().page;
  __atomic_store_n(&p->req_cons, p->req_prod + 100, __ATOMIC_RELEASE);
}

void conflict_commits(unsigned n) {
  fake().conflicts = n;
}

void inject(uint32_t type, uint32_t req_id, const std::string& payload) {
  put(message(type, req_id, 0, payload));
  notify();
  deliver_upcalls();
}

uint64_t requests() {
  return fake().requests;
}

unsigned watches() {
  return static_cast<unsigned>(fake().watches.size());
}

}  // namespace xenstored

namespace internal {

void xenstored_reset() {
  delete g_fake;
  g_fake = new Xenstored;
  fake().page = static_cast<xenstore_domain_interface*>(other_domain_page());
  store(kHome + "/domid", std::to_string(kSelf.value));
  if (config().xenstore) bind_backend(kStorePort, kBackend, process);
}

void* xenstored_page() {
  return fake().page;
}

}  // namespace internal
}  // namespace petrel::xen::fake
