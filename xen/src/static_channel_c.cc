// The C API of static channels (petrel_xen.h) over static_channel.h.
#include "c_api_internal.h"
#include "petrel/xen/static_channel.h"
#include "petrel_xen.h"

namespace {

using namespace petrel;
using namespace petrel::xen;

StaticChannel* cpp(petrel_channel* ch) {
  return reinterpret_cast<StaticChannel*>(ch);
}
Doorbell* cpp(petrel_doorbell* d) {
  return reinterpret_cast<Doorbell*>(d);
}

// The pointer, or nullptr with the error recorded and in *error.
template <typename C, typename T>
C* opened(const Result<T*>& r, int* error) {
  if (r) {
    if (error != nullptr) *error = 0;
    return reinterpret_cast<C*>(*r);
  }
  const int e = c_api::fail(r.error());
  if (error != nullptr) *error = e;
  return nullptr;
}

int count(const Result<size_t>& r) {
  return r ? static_cast<int>(*r) : c_api::fail(r.error());
}

constexpr Error kNull{Errc::kInvalid, "static channel: a null channel or doorbell"};

}  // namespace

extern "C" {

petrel_channel* petrel_channel_open(const char* name, uint32_t timeout_ms, int* error) {
  return opened<petrel_channel>(static_channel::open(name, c_api::ticks_from_ms(timeout_ms)),
                                error);
}
int petrel_channel_wait_connected(petrel_channel* ch, uint32_t timeout_ms) {
  if (ch == nullptr) return c_api::fail(kNull);
  return c_api::status(cpp(ch)->wait_connected(c_api::ticks_from_ms(timeout_ms)));
}
int petrel_channel_read(petrel_channel* ch, void* buf, size_t size, uint32_t timeout_ms) {
  if (ch == nullptr) return c_api::fail(kNull);
  return count(cpp(ch)->read(buf, size, c_api::ticks_from_ms(timeout_ms)));
}
int petrel_channel_write(petrel_channel* ch, const void* data, size_t len, uint32_t timeout_ms) {
  if (ch == nullptr) return c_api::fail(kNull);
  return count(cpp(ch)->write(data, len, c_api::ticks_from_ms(timeout_ms)));
}
int petrel_channel_read_all(petrel_channel* ch, void* buf, size_t len, uint32_t timeout_ms) {
  if (ch == nullptr) return c_api::fail(kNull);
  return c_api::status(cpp(ch)->read_all(buf, len, c_api::ticks_from_ms(timeout_ms)));
}
int petrel_channel_write_all(petrel_channel* ch, const void* data, size_t len,
                             uint32_t timeout_ms) {
  if (ch == nullptr) return c_api::fail(kNull);
  return c_api::status(cpp(ch)->write_all(data, len, c_api::ticks_from_ms(timeout_ms)));
}
void petrel_channel_close(petrel_channel* ch) {
  if (ch != nullptr) cpp(ch)->close();
}

petrel_doorbell* petrel_doorbell_open(const char* name, int* error) {
  return opened<petrel_doorbell>(static_channel::doorbell(name), error);
}
int petrel_doorbell_ring(petrel_doorbell* d) {
  if (d == nullptr) return c_api::fail(kNull);
  return c_api::status(cpp(d)->ring());
}
int petrel_doorbell_wait(petrel_doorbell* d, uint32_t timeout_ms) {
  if (d == nullptr) return c_api::fail(kNull);
  return c_api::status(cpp(d)->wait(c_api::ticks_from_ms(timeout_ms)));
}
void petrel_doorbell_close(petrel_doorbell* d) {
  if (d != nullptr) cpp(d)->close();
}

}  // extern "C"
