#include "petrel/kernel/wait_queue.h"

#include "kernel_state.h"

namespace petrel::kernel {

WakeReason OwnedWaitQueue::wait_until(Ticks wake_tick) {
  Task* t = g_kernel.current;
  t->wait.owner = owner_;
  const WakeReason r = WaitQueue::wait_until(wake_tick);
  t->wait.owner = nullptr;
  return r;
}

void WaitQueue::wake(Task* t, WakeReason reason) {
  List<Task, WaitTag>::remove(t);
  t->wait.queue = nullptr;
  t->wait.reason = reason;
  make_ready(t);
}

Task* WaitQueue::wake_one(WakeReason reason) {
  Task* t = waiters_.front();
  if (t != nullptr) wake(t, reason);
  return t;
}

size_t WaitQueue::wake_all(WakeReason reason) {
  size_t n = 0;
  while (Task* t = waiters_.front()) {
    wake(t, reason);
    ++n;
  }
  return n;
}

BlockingCall::BlockingCall(const void* object) : self_(g_kernel.current) {
  if (self_ != nullptr) call_enter(self_, object);
}

void mark_object_deleted(const void* object) {
  List<Task, AllTag>& all = g_kernel.all;
  for (Task* t = all.front(); t != nullptr; t = all.next(t))
    if (t->wait.call_object == object) t->wait.call_object_deleted = true;
}

void WaitQueue::reposition(Task* t) {
  List<Task, WaitTag>::remove(t);
  insert(t);
}

}  // namespace petrel::kernel
