// Stream and message buffers (stream_buffer.h).
//
// Design
// ------
// A buffer is a byte ring: `read` indexes the oldest byte and `count` says
// how many are stored, so all `capacity` bytes are usable and "empty" and
// "full" need no spare slot. Copies into and out of the ring (at most two
// pieces each, around the wrap) happen with interrupts masked, together
// with the index update: any mix of tasks and interrupt handlers sees whole
// writes and reads, never interleaved ones. A message is its length
// (size_t, copied byte by byte, so no alignment is needed) followed by its
// bytes, written and removed in one critical section, so the reader never
// sees a partial message.
//
// Blocking: at most one task waits on each side (a WaitQueue each). A
// writer waits until there is room for all it wants to write (capped at
// the capacity for a stream); every receive wakes it to re-check. A reader
// waits only when the buffer is empty; a send wakes it once `trigger` bytes
// (stream) or a message are stored. Woken tasks re-check with the time left
// (Deadline), so spurious or stolen wake-ups only cost a retry.
//
// Deletion: while a task waits in a call it has the buffer as its call
// object (BlockingCall). Deleting the buffer walks the task list once
// and marks every such task (also one whose wait already ended but which
// has not run yet), so it returns kNotFound without touching the buffer.
//
// Cost: send and receive are O(bytes copied) with interrupts masked, plus
// one wake-up; queries are O(1); delete is O(tasks).
#include "petrel/kernel/stream_buffer.h"

#include <new>

#include "kernel_state.h"
#include "petrel/kernel/heap.h"
#include "petrel/string.h"

namespace petrel::kernel {
namespace {

struct Texts {
  Error dead;
  BlockingErrors blocking;
  Error full, empty, timed_out, aborted, deleted, sender_busy, receiver_busy, waiters;
};

constexpr Texts kStream{
    {Errc::kInvalid, "stream buffer: not initialized or deleted"},
    {{Errc::kInvalid, "stream buffer: cannot block in interrupt context"},
     {Errc::kInvalid, "stream buffer: cannot block with the scheduler locked"}},
    {Errc::kBusy, "stream buffer: full"},
    {Errc::kBusy, "stream buffer: empty"},
    {Errc::kTimeout, "stream buffer: timed out"},
    {Errc::kTimeout, "stream buffer: wait aborted"},
    {Errc::kNotFound, "stream buffer: deleted while waiting"},
    {Errc::kBusy, "stream buffer: another task is already blocked sending"},
    {Errc::kBusy, "stream buffer: another task is already blocked receiving"},
    {Errc::kBusy, "stream buffer: cannot reset while a task is blocked on it"},
};

constexpr Texts kMessage{
    {Errc::kInvalid, "message buffer: not initialized or deleted"},
    {{Errc::kInvalid, "message buffer: cannot block in interrupt context"},
     {Errc::kInvalid, "message buffer: cannot block with the scheduler locked"}},
    {Errc::kBusy, "message buffer: full"},
    {Errc::kBusy, "message buffer: empty"},
    {Errc::kTimeout, "message buffer: timed out"},
    {Errc::kTimeout, "message buffer: wait aborted"},
    {Errc::kNotFound, "message buffer: deleted while waiting"},
    {Errc::kBusy, "message buffer: another task is already blocked sending"},
    {Errc::kBusy, "message buffer: another task is already blocked receiving"},
    {Errc::kBusy, "message buffer: cannot reset while a task is blocked on it"},
};

bool live(const StreamBuffer* sb, bool message) {
  return sb != nullptr && sb->live && sb->message == message;
}

size_t min(size_t a, size_t b) {
  return a < b ? a : b;
}

// --- the ring (interrupts masked) ---

void ring_write(StreamBuffer* sb, const uint8_t* src, size_t n) {
  size_t at = sb->read + sb->count;
  if (at >= sb->capacity) at -= sb->capacity;
  const size_t first = min(n, sb->capacity - at);
  str::copy(sb->storage + at, src, first);
  str::copy(sb->storage, src + first, n - first);
  sb->count += n;
}

// Copies n bytes starting `offset` bytes after the oldest one.
void ring_peek(const StreamBuffer* sb, size_t offset, uint8_t* dst, size_t n) {
  size_t at = sb->read + offset;
  if (at >= sb->capacity) at -= sb->capacity;
  const size_t first = min(n, sb->capacity - at);
  str::copy(dst, sb->storage + at, first);
  str::copy(dst + first, sb->storage, n - first);
}

void ring_drop(StreamBuffer* sb, size_t n) {
  sb->read += n;
  if (sb->read >= sb->capacity) sb->read -= sb->capacity;
  sb->count -= n;
}

size_t next_length(const StreamBuffer* sb) {
  if (sb->count < kMessageHeaderSize) return 0;
  size_t len;
  ring_peek(sb, 0, reinterpret_cast<uint8_t*>(&len), sizeof len);
  return len;
}

void report(Task* woken, bool* higher_priority_woken) {
  if (woken == nullptr || higher_priority_woken == nullptr) return;
  Task* current = task_current();
  if (current == nullptr || woken->priority > current->priority) *higher_priority_woken = true;
}

// Whether the calling context may block now; if not, the call acts as if
// its timeout were kNoWait.
bool can_block() {
  return !in_isr() && scheduler_running() && task_current() != nullptr;
}

// Waits once on `queue` (interrupts masked). Returns ok to re-check, or the
// error the call must return (without touching `sb` again if it is gone).
// One waiter per side, checked at every wait (also when a woken waiter
// waits again), so the one woken is always the one that can go on.
Status wait_on(StreamBuffer* sb, WaitQueue& queue, const Deadline& deadline, const Error& busy,
               const Texts& tx) {
  if (Status refused = check_may_block(tx.blocking); !refused) return refused;
  if (!queue.empty()) return busy;
  const BlockingCall call(sb);
  const WakeReason reason = queue.wait_until(deadline.at());
  if (call.object_deleted()) return tx.deleted;
  if (reason == WakeReason::kAborted) return tx.aborted;
  return ok();
}

Result<size_t> send(StreamBuffer* sb, const void* data, size_t len, Ticks timeout,
                    bool* higher_priority_woken, bool message) {
  const Texts& tx = message ? kMessage : kStream;
  if (Status refused = check_wait_context(timeout, tx.blocking); !refused) return refused.error();
  if (data == nullptr && len > 0) {
    return Error{Errc::kInvalid, message ? "message buffer: no data" : "stream buffer: no data"};
  }
  if (message && len == 0) return Error{Errc::kInvalid, "message buffer: zero-length message"};
  const Deadline deadline = Deadline::after(timeout);
  CriticalSection cs;
  if (!live(sb, message)) return tx.dead;
  if (len == 0) return size_t{0};
  if (message && len > sb->capacity - kMessageHeaderSize)
    return Error{Errc::kOutOfRange, "message buffer: message larger than the buffer"};
  const size_t need = message ? len + kMessageHeaderSize : min(len, sb->capacity);
  bool waited = false;
  for (;;) {
    if (sb->capacity - sb->count >= need) break;
    const Ticks remaining = deadline.remaining();
    if (remaining == kNoWait || !can_block()) break;
    if (Status s = wait_on(sb, sb->writers, deadline, tx.sender_busy, tx); !s) return s.error();
    waited = true;
  }
  const size_t space = sb->capacity - sb->count;
  const size_t n = message ? (space >= need ? len : 0) : min(len, space);
  if (n == 0) return waited ? tx.timed_out : tx.full;
  if (message) ring_write(sb, reinterpret_cast<const uint8_t*>(&len), sizeof len);
  ring_write(sb, static_cast<const uint8_t*>(data), n);
  if (!sb->readers.empty() && (message || sb->count >= sb->trigger))
    report(sb->readers.wake_one(), higher_priority_woken);
  return n;
}

Result<size_t> receive(StreamBuffer* sb, void* buf, size_t max, Ticks timeout,
                       bool* higher_priority_woken, bool message) {
  const Texts& tx = message ? kMessage : kStream;
  if (Status refused = check_wait_context(timeout, tx.blocking); !refused) return refused.error();
  if (buf == nullptr || max == 0) {
    return Error{Errc::kInvalid, message ? "message buffer: no receive buffer"
                                         : "stream buffer: no receive buffer"};
  }
  const Deadline deadline = Deadline::after(timeout);
  CriticalSection cs;
  if (!live(sb, message)) return tx.dead;
  bool waited = false;
  for (;;) {
    // Anything stored is returned at once; once blocked, the reader waits
    // for the trigger level (or a message).
    if (sb->count > 0 && (!waited || message || sb->count >= sb->trigger)) break;
    const Ticks remaining = deadline.remaining();
    if (remaining == kNoWait || !can_block()) break;
    if (Status s = wait_on(sb, sb->readers, deadline, tx.receiver_busy, tx); !s) return s.error();
    waited = true;
  }
  if (sb->count == 0) return waited ? tx.timed_out : tx.empty;
  size_t n;
  if (message) {
    n = next_length(sb);
    if (n > max)
      return Error{Errc::kOutOfRange, "message buffer: the next message is larger than the buffer"};
    ring_drop(sb, kMessageHeaderSize);
  } else {
    n = min(sb->count, max);
  }
  ring_peek(sb, 0, static_cast<uint8_t*>(buf), n);
  ring_drop(sb, n);
  report(sb->writers.wake_one(), higher_priority_woken);
  return n;
}

Result<StreamBuffer*> init(StreamBuffer* sb, uint8_t* storage, size_t capacity, size_t trigger,
                           bool message, bool dynamic) {
  if (sb == nullptr || storage == nullptr)
    return Error{Errc::kInvalid, "stream buffer: no storage"};
  if (message && capacity <= kMessageHeaderSize)
    return Error{Errc::kInvalid, "message buffer: capacity must exceed the length header"};
  if (capacity == 0) return Error{Errc::kInvalid, "stream buffer: capacity of 0 bytes"};
  if (trigger == 0) trigger = 1;
  if (trigger > capacity)
    return Error{Errc::kOutOfRange, "stream buffer: trigger level above the capacity"};
  new (sb) StreamBuffer();
  sb->storage = storage;
  sb->capacity = capacity;
  sb->trigger = trigger;
  sb->message = message;
  sb->dynamic = dynamic;
  CriticalSection cs;
  sb->live = true;
  return sb;
}

// The control block and the ring in one heap block.
// A MessageBuffer is its StreamBuffer (first member, same address).
static_assert(sizeof(MessageBuffer) == sizeof(StreamBuffer));
constexpr size_t kHeaderBytes = (sizeof(StreamBuffer) + 15) & ~size_t{15};

Result<void*> allocate(size_t capacity, size_t trigger, bool message) {
  if (capacity == 0) return Error{Errc::kInvalid, "stream buffer: capacity of 0 bytes"};
  if (capacity > SIZE_MAX - kHeaderBytes)
    return Error{Errc::kNoMemory, "stream buffer: capacity too large"};
  if (trigger > capacity)  // checked again by init; before allocating
    return Error{Errc::kOutOfRange, "stream buffer: trigger level above the capacity"};
  if (message && capacity <= kMessageHeaderSize)
    return Error{Errc::kInvalid, "message buffer: capacity must exceed the length header"};
  void* block = heap_alloc(kHeaderBytes + capacity, alignof(StreamBuffer));
  if (block == nullptr) {
    return Error{Errc::kNoMemory,
                 message ? "message buffer: heap exhausted" : "stream buffer: heap exhausted"};
  }
  return block;
}

Status destroy(StreamBuffer* sb, bool message) {
  const Texts& tx = message ? kMessage : kStream;
  bool dynamic;
  {
    CriticalSection cs;
    if (!live(sb, message)) return tx.dead;
    // Tasks in a call on it, waiting or woken but not yet run again.
    List<Task, AllTag>& all = g_kernel.all;
    for (Task* t = all.front(); t != nullptr; t = all.next(t)) {
      if (t->wait.call_object != sb) continue;
      t->wait.call_object_deleted = true;
      WaitQueue* q = t->wait.queue;
      if (q == &sb->readers || q == &sb->writers) q->wake(t, WakeReason::kAborted);
    }
    sb->live = false;
    dynamic = sb->dynamic;
  }
  if (dynamic) {
    sb->~StreamBuffer();
    heap_free(sb);
  }
  return ok();
}

Status reset(StreamBuffer* sb, bool message) {
  const Texts& tx = message ? kMessage : kStream;
  CriticalSection cs;
  if (!live(sb, message)) return tx.dead;
  if (!sb->readers.empty() || !sb->writers.empty()) return tx.waiters;
  sb->read = 0;
  sb->count = 0;
  return ok();
}

size_t stored(const StreamBuffer* sb, bool message) {
  CriticalSection cs;
  return live(sb, message) ? sb->count : 0;
}

size_t free_space(const StreamBuffer* sb, bool message) {
  CriticalSection cs;
  return live(sb, message) ? sb->capacity - sb->count : 0;
}

}  // namespace

// --- stream buffers ---

Result<StreamBuffer*> stream_buffer_create(size_t capacity, size_t trigger_level) {
  auto block = allocate(capacity, trigger_level, false);
  if (!block) return block.error();
  auto* sb = new (*block) StreamBuffer();
  auto made =
      init(sb, static_cast<uint8_t*>(*block) + kHeaderBytes, capacity, trigger_level, false, true);
  if (!made) heap_free(*block);
  return made;
}

Result<StreamBuffer*> stream_buffer_init(StreamBuffer* sb, uint8_t* storage, size_t capacity,
                                         size_t trigger_level) {
  return init(sb, storage, capacity, trigger_level, false, false);
}

Status stream_buffer_delete(StreamBuffer* sb) {
  return destroy(sb, false);
}

Result<size_t> stream_buffer_send(StreamBuffer* sb, const void* data, size_t len, Ticks timeout) {
  return send(sb, data, len, timeout, nullptr, false);
}

Result<size_t> stream_buffer_receive(StreamBuffer* sb, void* buf, size_t max, Ticks timeout) {
  return receive(sb, buf, max, timeout, nullptr, false);
}

Result<size_t> stream_buffer_send_from_isr(StreamBuffer* sb, const void* data, size_t len,
                                           bool* higher_priority_woken) {
  return send(sb, data, len, kNoWait, higher_priority_woken, false);
}

Result<size_t> stream_buffer_receive_from_isr(StreamBuffer* sb, void* buf, size_t max,
                                              bool* higher_priority_woken) {
  return receive(sb, buf, max, kNoWait, higher_priority_woken, false);
}

size_t stream_buffer_bytes_available(const StreamBuffer* sb) {
  return stored(sb, false);
}

size_t stream_buffer_spaces_available(const StreamBuffer* sb) {
  return free_space(sb, false);
}

bool stream_buffer_is_empty(const StreamBuffer* sb) {
  return stored(sb, false) == 0;
}

bool stream_buffer_is_full(const StreamBuffer* sb) {
  CriticalSection cs;
  return live(sb, false) && sb->count == sb->capacity;
}

Status stream_buffer_reset(StreamBuffer* sb) {
  return reset(sb, false);
}

Status stream_buffer_set_trigger_level(StreamBuffer* sb, size_t trigger_level) {
  CriticalSection cs;
  if (!live(sb, false)) return kStream.dead;
  if (trigger_level == 0) trigger_level = 1;
  if (trigger_level > sb->capacity)
    return Error{Errc::kOutOfRange, "stream buffer: trigger level above the capacity"};
  sb->trigger = trigger_level;
  if (!sb->readers.empty() && sb->count >= sb->trigger) sb->readers.wake_one();
  return ok();
}

// --- message buffers ---

Result<MessageBuffer*> message_buffer_create(size_t capacity) {
  auto block = allocate(capacity, 1, true);
  if (!block) return block.error();
  auto* mb = new (*block) MessageBuffer();
  auto sb =
      init(&mb->stream, static_cast<uint8_t*>(*block) + kHeaderBytes, capacity, 1, true, true);
  if (!sb) {
    heap_free(*block);
    return sb.error();
  }
  return mb;
}

Result<MessageBuffer*> message_buffer_init(MessageBuffer* mb, uint8_t* storage, size_t capacity) {
  if (mb == nullptr) return Error{Errc::kInvalid, "message buffer: no storage"};
  auto sb = init(&mb->stream, storage, capacity, 1, true, false);
  if (!sb) return sb.error();
  return mb;
}

Status message_buffer_delete(MessageBuffer* mb) {
  return destroy(mb != nullptr ? &mb->stream : nullptr, true);
}

Status message_buffer_send(MessageBuffer* mb, const void* data, size_t len, Ticks timeout) {
  auto n = send(mb != nullptr ? &mb->stream : nullptr, data, len, timeout, nullptr, true);
  if (!n) return n.error();
  return ok();
}

Result<size_t> message_buffer_receive(MessageBuffer* mb, void* buf, size_t max, Ticks timeout) {
  return receive(mb != nullptr ? &mb->stream : nullptr, buf, max, timeout, nullptr, true);
}

Status message_buffer_send_from_isr(MessageBuffer* mb, const void* data, size_t len,
                                    bool* higher_priority_woken) {
  auto n =
      send(mb != nullptr ? &mb->stream : nullptr, data, len, kNoWait, higher_priority_woken, true);
  if (!n) return n.error();
  return ok();
}

Result<size_t> message_buffer_receive_from_isr(MessageBuffer* mb, void* buf, size_t max,
                                               bool* higher_priority_woken) {
  return receive(mb != nullptr ? &mb->stream : nullptr, buf, max, kNoWait, higher_priority_woken,
                 true);
}

size_t message_buffer_next_length(const MessageBuffer* mb) {
  CriticalSection cs;
  return mb != nullptr && live(&mb->stream, true) ? next_length(&mb->stream) : 0;
}

size_t message_buffer_spaces_available(const MessageBuffer* mb) {
  return free_space(mb != nullptr ? &mb->stream : nullptr, true);
}

bool message_buffer_is_empty(const MessageBuffer* mb) {
  return stored(mb != nullptr ? &mb->stream : nullptr, true) == 0;
}

bool message_buffer_is_full(const MessageBuffer* mb) {
  CriticalSection cs;
  if (mb == nullptr || !live(&mb->stream, true)) return false;
  return mb->stream.capacity - mb->stream.count <= kMessageHeaderSize;
}

Status message_buffer_reset(MessageBuffer* mb) {
  return reset(mb != nullptr ? &mb->stream : nullptr, true);
}

}  // namespace petrel::kernel
