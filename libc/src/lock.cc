// picolibc's retargetable locks (sys/lock.h) on Petrel's recursive mutexes:
// what the C library guards with them (at-exit handlers, the environment,
// time zones, buffered files) is then safe between tasks, with priority
// inheritance like any other Petrel mutex.
//
// Before the scheduler runs there is one context and nothing to exclude, and
// an interrupt handler cannot wait for a task: there every lock operation
// succeeds without touching the mutex (do not call these parts of the C
// library from interrupt handlers).
#include <sys/lock.h>

#include <new>

#include "petrel/kernel/heap.h"
#include "petrel/kernel/mutex.h"
#include "petrel/kernel/sched.h"

using petrel::kernel::Mutex;
using petrel::kernel::MutexType;

struct __lock {
  Mutex mutex{MutexType::kRecursive};
};

namespace {

bool exclusion_needed() {
  return petrel::kernel::scheduler_running() && !petrel::kernel::in_isr();
}

void init(_LOCK_T* lock) {
  void* block = petrel::kernel::heap_alloc(sizeof(__lock));
  // Out of memory: no lock (nullptr), and acquiring it does nothing; the
  // C library creates these only for files and streams it opens itself.
  *lock = block != nullptr ? new (block) __lock() : nullptr;
}

void close(_LOCK_T lock) {
  if (lock == nullptr) return;
  (void)petrel::kernel::mutex_delete(&lock->mutex);
  petrel::kernel::heap_free(lock);
}

void acquire(_LOCK_T lock) {
  if (lock != nullptr && exclusion_needed()) (void)petrel::kernel::mutex_lock(&lock->mutex);
}

int try_acquire(_LOCK_T lock) {
  if (lock == nullptr || !exclusion_needed()) return 1;
  return petrel::kernel::mutex_try_lock(&lock->mutex).ok() ? 1 : 0;
}

void release(_LOCK_T lock) {
  if (lock != nullptr && exclusion_needed()) (void)petrel::kernel::mutex_unlock(&lock->mutex);
}

}  // namespace

// The one lock the C library shares between its parts (declared by
// sys/lock.h outside extern "C"; a global variable's name is not mangled).
constinit struct __lock __lock___libc_recursive_mutex;

extern "C" {

void __retarget_lock_init(_LOCK_T* lock) {
  init(lock);
}
void __retarget_lock_init_recursive(_LOCK_T* lock) {
  init(lock);
}
void __retarget_lock_close(_LOCK_T lock) {
  close(lock);
}
void __retarget_lock_close_recursive(_LOCK_T lock) {
  close(lock);
}
void __retarget_lock_acquire(_LOCK_T lock) {
  acquire(lock);
}
void __retarget_lock_acquire_recursive(_LOCK_T lock) {
  acquire(lock);
}
int __retarget_lock_try_acquire(_LOCK_T lock) {
  return try_acquire(lock);
}
int __retarget_lock_try_acquire_recursive(_LOCK_T lock) {
  return try_acquire(lock);
}
void __retarget_lock_release(_LOCK_T lock) {
  release(lock);
}
void __retarget_lock_release_recursive(_LOCK_T lock) {
  release(lock);
}

}  // extern "C"
