#include "petrel/kernel/wait_queue.h"

#include "kernel_state.h"

namespace petrel::kernel {

void WaitQueue::insert(Task* t) {
  waiters_.insert_sorted(t, [](const Task* a, const Task* b) { return a->priority > b->priority; });
}

WakeReason WaitQueue::wait(Ticks timeout) {
  if (timeout == kNoWait) return WakeReason::kTimeout;
  Task* t = g_kernel.current;
  insert(t);
  t->waiting_on = this;
  WakeReason r = block_current(timeout);
  // Whoever woke us took us off the queue (wake, timeout, suspend, delete).
  return r;
}

void WaitQueue::wake(Task* t, WakeReason reason) {
  List<Task, WaitTag>::remove(t);
  t->waiting_on = nullptr;
  t->wake_reason = reason;
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

void WaitQueue::reposition(Task* t) {
  List<Task, WaitTag>::remove(t);
  insert(t);
}

}  // namespace petrel::kernel
