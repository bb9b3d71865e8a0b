#include "petrel/xen/console_ring.h"

namespace petrel::xen {

Status ConsoleRing::attach(xencons_interface* page) {
  RingProducer out(page->out, sizeof page->out, &page->out_prod, &page->out_cons);
  RingConsumer in(page->in, sizeof page->in, &page->in_prod, &page->in_cons);
  if (!out.attach() || !in.attach()) {
    ++errors_;
    return Error{Errc::kIo, "console ring: inconsistent indices in the shared page"};
  }
  out_ = out;
  in_ = in;
  attached_ = true;
  return ok();
}

template <typename T>
Result<T> ConsoleRing::count(Result<T> r) {
  if (!r) ++errors_;
  return r;
}

Result<size_t> ConsoleRing::write(const char* data, size_t len) {
  if (!attached_) return Error{Errc::kInvalid, "console ring: not attached"};
  return count(out_.write(data, len));
}

Result<size_t> ConsoleRing::read(char* buf, size_t size) {
  if (!attached_) return Error{Errc::kInvalid, "console ring: not attached"};
  return count(in_.read(buf, size));
}

Result<size_t> ConsoleRing::out_pending() {
  if (!attached_) return Error{Errc::kInvalid, "console ring: not attached"};
  return count(out_.pending());
}

}  // namespace petrel::xen
