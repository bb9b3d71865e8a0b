// soak: dynamic tasks and the heap.
//
// The churn task keeps up to 48 heap blocks of random sizes and alignments,
// each filled with a pattern of its own that must be intact when it is
// freed. It also starts short-lived tasks with random stacks and
// priorities: "allocators" allocate and free blocks themselves, then say
// they are done and the churn task deletes them (one in 32 deletes itself
// instead: its memory is freed by the idle task, which a busy soak seldom
// lets run, so self-deleted tasks pile up on the heap until it does);
// "victims" loop, delay or wait on a semaphore until the churn task
// suspends, resumes, re-prioritizes or deletes them.
#include <petrel/kernel/heap.h>
#include <petrel/kernel/sched.h>
#include <petrel/kernel/semaphore.h>

#include "soak.h"

namespace soak {
namespace {

using namespace petrel::kernel;

constexpr unsigned kBlocks = 48;
constexpr unsigned kVictims = 6;
constexpr unsigned kAllocators = 6;

struct Block {
  uint8_t* data;
  size_t size;
  uint8_t pattern;
};

// An allocator task's slot: `task` is set by the churn task, cleared (in a
// critical section) by an allocator that deletes itself; `done` is set by
// one that waits to be deleted.
struct Allocator {
  Task* task;
  uint64_t seed;
  bool deletes_itself;
  volatile bool done;
};

struct ChurnState {
  Block block[kBlocks];
  Task* victim[kVictims];  // cleared by a victim's deletion (by the churn task only)
  Allocator allocator[kAllocators];
  Semaphore* victims_wait;
  uint64_t seed;
} c;

bool fill_block(Block& b, Rng& rng) {
  const size_t size = rng.one_in(16) ? rng.between(1024, 16384) : rng.between(1, 512);
  const size_t align = size_t{16} << rng.below(5);  // 16 to 256
  auto* data = static_cast<uint8_t*>(heap_alloc(size, align));
  if (data == nullptr) {
    fail("heap: %zu bytes (aligned to %zu) not available", size, align);
    return false;
  }
  count(Op::kHeap);
  if (reinterpret_cast<uintptr_t>(data) % align != 0)
    fail("heap: block %p not aligned to %zu", static_cast<void*>(data), align);
  if (heap_usable_size(data) < size) fail("heap: block of %zu bytes holds less", size);
  b = Block{data, size, static_cast<uint8_t>(rng.next())};
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>(b.pattern + i);
  return true;
}

void free_block(Block& b) {
  if (b.data == nullptr) return;
  for (size_t i = 0; i < b.size; ++i)
    if (b.data[i] != static_cast<uint8_t>(b.pattern + i)) {
      fail("heap: a block of %zu bytes was overwritten at byte %zu", b.size, i);
      break;
    }
  heap_free(b.data);
  b.data = nullptr;
}

// A short-lived task that uses the heap, then ends.
void allocator_main(void* arg) {
  auto& slot = *static_cast<Allocator*>(arg);
  Rng rng(slot.seed);
  Block mine[4] = {};
  for (Block& b : mine) fill_block(b, rng);
  task_delay(Ticks{rng.below(3)});
  for (Block& b : mine) free_block(b);
  if (slot.deletes_itself) {
    {
      CriticalSection cs;
      slot.task = nullptr;  // the slot may be reused from here on
    }
    task_delete(nullptr);
  }
  slot.done = true;
  for (;;) task_suspend(nullptr);
}

// A task that waits to be deleted: it holds no heap memory of its own.
void victim_main(void* arg) {
  Rng rng(seed_of(arg));
  for (;;) {
    switch (rng.below(3)) {
      case 0:
        busy_ns(rng.between(1000, 50000));
        break;
      case 1:
        task_delay(Ticks{rng.below(3)});
        break;
      default:
        (void)semaphore_take(c.victims_wait, Ticks{rng.between(1, 10)});
        break;
    }
  }
}

void start_task(Rng& rng) {
  const size_t stack = rng.between(2, 8) * 1024;
  const auto priority = static_cast<Priority>(rng.between(2, 22));
  if (rng.one_in(2)) {
    const unsigned i = rng.below(kVictims);
    if (c.victim[i] != nullptr) return;
    auto t = task_create(TaskConfig{"victim", priority, stack, victim_main, seed_arg(rng)});
    if (!t) {
      fail("task: %s", t.error().message);
      return;
    }
    count(Op::kTask);
    c.victim[i] = *t;
    return;
  }
  Allocator& slot = c.allocator[rng.below(kAllocators)];
  {
    CriticalSection cs;
    if (slot.task != nullptr) return;
    // Set before it exists (a task of higher priority runs at once), and
    // never left pointing at a task that deleted itself.
    slot = Allocator{reinterpret_cast<Task*>(&slot), rng.next(), rng.one_in(32), false};
  }
  auto t = task_create(TaskConfig{"allocator", priority, stack, allocator_main, &slot});
  CriticalSection cs;
  if (!t) {
    slot.task = nullptr;
    fail("task: %s", t.error().message);
    return;
  }
  count(Op::kTask);
  if (slot.task != nullptr) slot.task = *t;  // nullptr: it has deleted itself already
}

void delete_victim(unsigned slot) {
  if (c.victim[slot] == nullptr) return;
  task_delete(c.victim[slot]);
  c.victim[slot] = nullptr;
}

// Deletes the allocators that are done; true when none is left.
bool reap_allocators() {
  bool none = true;
  for (Allocator& slot : c.allocator) {
    CriticalSection cs;
    if (slot.task == nullptr) continue;
    if (!slot.done) {
      none = false;
      continue;
    }
    task_delete(slot.task);
    slot.task = nullptr;
  }
  return none;
}

void poke_victim(Rng& rng) {
  const unsigned slot = rng.below(kVictims);
  Task* v = c.victim[slot];
  if (v == nullptr) return;
  switch (rng.below(4)) {
    case 0:
      delete_victim(slot);
      break;
    case 1:
      task_suspend(v);
      if (task_state(v) != TaskState::kSuspended) fail("task: suspended, but not in that state");
      task_resume(v);
      break;
    case 2:
      task_set_priority(v, static_cast<Priority>(rng.between(2, 22)));
      break;
    default:
      (void)semaphore_give(c.victims_wait);
      count(Op::kSemaphore);
      break;
  }
}

void churn_main(void*) {
  Rng rng(c.seed);
  while (!stopping()) {
    Block& b = c.block[rng.below(kBlocks)];
    if (b.data != nullptr)
      free_block(b);
    else
      fill_block(b, rng);
    if (rng.one_in(20)) start_task(rng);
    if (rng.one_in(10)) poke_victim(rng);
    if (rng.one_in(10)) (void)reap_allocators();
    if (rng.one_in(8)) task_delay(Ticks{rng.below(2)});
  }
  for (unsigned i = 0; i < kVictims; ++i) delete_victim(i);
  for (Block& b : c.block) free_block(b);
  // The allocators end within a few ticks (unless starved: then the
  // controller's wait for this worker gives up and says so).
  while (!reap_allocators()) task_delay(Ticks{1});
}

void begin(Rng& rng) {
  c = ChurnState{};
  auto sem = semaphore_create_counting(4, 0);
  if (!sem) {
    fail("churn: semaphore: %s", sem.error().message);
    return;
  }
  c.victims_wait = *sem;
  c.seed = rng.next();
  spawn("churn", static_cast<Priority>(rng.between(5, 20)), 8192, churn_main, nullptr);
}

void end() {
  if (c.victims_wait == nullptr) return;
  semaphore_delete(c.victims_wait);
  c.victims_wait = nullptr;
}

}  // namespace

const Load kChurnLoad{"churn", begin, end, nullptr};

}  // namespace soak
