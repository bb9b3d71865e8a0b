// Stream buffers and message buffers (FreeRTOS semantics).
//
// A stream buffer is a byte ring for one writer and one reader (task or
// interrupt handler). Bytes come out in the order they went in, with no
// boundaries. A message buffer is a stream buffer whose writes are framed:
// each message is stored behind a size_t length header (FreeRTOS's
// configMESSAGE_BUFFER_LENGTH_TYPE = size_t, so a message of n bytes takes
// n + kMessageHeaderSize bytes of the ring) and is sent and received whole.
//
// Stream send (data, len, timeout): if the ring has room for all `len` bytes
// (for len > capacity: once the ring is empty), they are written at once.
// Otherwise the writer waits until there is, or until the timeout, and then
// writes as much as fits; it returns the number of bytes written.
//
// Stream receive (buf, max, timeout): if any bytes are stored, it returns
// at once with up to `max` of them. If the ring is empty the reader waits
// until at least `trigger level` bytes are stored (or for a message buffer:
// one message), or until the timeout, and then takes what is there.
//
// Message send is all or nothing: it waits until the whole message and its
// header fit, or fails with nothing written. Message receive returns one
// whole message; if the caller's buffer is too small it fails with
// kOutOfRange and the message stays (message_buffer_next_length tells the
// size needed). Zero-length messages are refused, so a length of 0 always
// means "no message".
//
// One writer, one reader: any number of tasks and interrupt handlers may
// call the functions (every copy happens with interrupts masked, so calls
// never interleave), but at most one task may be blocked sending and one
// blocked receiving at a time. A second task that would block on the same
// side fails with kBusy instead.
//
// Interrupt handlers use the *_from_isr variants, which never wait, or the
// plain ones with kNoWait. *higher_priority_woken (may be nullptr) is set to
// true when the call woke a task that outranks the interrupted one (the
// switch happens at interrupt exit); it is never set to false.
//
// Errors (petrel::Result / Status):
//   Errc::kBusy       nothing could be transferred and no wait was allowed
//                     ("... full", "... empty"); a task is already blocked
//                     on that side; reset while a task is blocked
//   Errc::kTimeout    nothing transferred before the timeout; or "... wait
//                     aborted" (task_abort_delay)
//   Errc::kNotFound   "... deleted while waiting"
//   Errc::kOutOfRange message larger than the buffer; receive buffer too
//                     small for the next message; trigger level > capacity
//   Errc::kInvalid    not initialized or deleted, null pointers, zero
//                     capacity or length, blocking in interrupt context or
//                     with the scheduler locked
//   Errc::kNoMemory   heap exhausted (create)
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/kernel/task.h"
#include "petrel/kernel/ticks.h"
#include "petrel/kernel/wait_queue.h"
#include "petrel/result.h"

namespace petrel::kernel {

inline constexpr size_t kMessageHeaderSize = sizeof(size_t);

// The buffer's control block; its fields belong to the kernel. Constant-
// initialized, so it can live in static storage; stream_buffer_init (or
// message_buffer_init) makes it a buffer over caller memory.
struct StreamBuffer {
  constexpr StreamBuffer() = default;
  StreamBuffer(const StreamBuffer&) = delete;
  StreamBuffer& operator=(const StreamBuffer&) = delete;

  WaitQueue readers;  // at most one task, blocked receiving
  WaitQueue writers;  // at most one task, blocked sending
  uint8_t* storage = nullptr;
  size_t capacity = 0;  // bytes of storage, all usable
  size_t read = 0;      // index of the oldest byte
  size_t count = 0;     // bytes stored
  size_t trigger = 1;   // stream: bytes that wake a blocked reader
  bool live = false;
  bool message = false;  // framed (a MessageBuffer)
  bool dynamic = false;  // control block and storage from the kernel heap
};

// A distinct type for framed buffers, so the two APIs cannot be mixed up.
struct MessageBuffer {
  StreamBuffer stream;
};

// --- stream buffers ---
// `trigger_level` 0 is taken as 1; above `capacity` is kOutOfRange.
Result<StreamBuffer*> stream_buffer_create(size_t capacity, size_t trigger_level = 1);
// Over caller memory (`capacity` bytes at `storage`), no heap. `sb` must not
// be in use.
Result<StreamBuffer*> stream_buffer_init(StreamBuffer* sb, uint8_t* storage, size_t capacity,
                                         size_t trigger_level = 1);
// Waiting tasks wake and fail with kNotFound. Heap buffers are freed.
Status stream_buffer_delete(StreamBuffer* sb);

// Returns the bytes written (> 0), see above. len 0 writes nothing and
// returns 0.
Result<size_t> stream_buffer_send(StreamBuffer* sb, const void* data, size_t len, Ticks timeout);
// Returns the bytes read (> 0, at most `max`).
Result<size_t> stream_buffer_receive(StreamBuffer* sb, void* buf, size_t max, Ticks timeout);
Result<size_t> stream_buffer_send_from_isr(StreamBuffer* sb, const void* data, size_t len,
                                           bool* higher_priority_woken);
Result<size_t> stream_buffer_receive_from_isr(StreamBuffer* sb, void* buf, size_t max,
                                              bool* higher_priority_woken);

size_t stream_buffer_bytes_available(const StreamBuffer* sb);
size_t stream_buffer_spaces_available(const StreamBuffer* sb);
bool stream_buffer_is_empty(const StreamBuffer* sb);
bool stream_buffer_is_full(const StreamBuffer* sb);
// Empties the buffer; kBusy while a task is blocked on it.
Status stream_buffer_reset(StreamBuffer* sb);
// A blocked reader whose new trigger level is already met wakes at once.
Status stream_buffer_set_trigger_level(StreamBuffer* sb, size_t trigger_level);

// --- message buffers ---
// `capacity` bytes of ring, headers included: more than kMessageHeaderSize.
Result<MessageBuffer*> message_buffer_create(size_t capacity);
Result<MessageBuffer*> message_buffer_init(MessageBuffer* mb, uint8_t* storage, size_t capacity);
Status message_buffer_delete(MessageBuffer* mb);

// All or nothing: ok once the whole message is stored.
Status message_buffer_send(MessageBuffer* mb, const void* data, size_t len, Ticks timeout);
// Returns the length of the message received (the whole message).
Result<size_t> message_buffer_receive(MessageBuffer* mb, void* buf, size_t max, Ticks timeout);
Status message_buffer_send_from_isr(MessageBuffer* mb, const void* data, size_t len,
                                    bool* higher_priority_woken);
Result<size_t> message_buffer_receive_from_isr(MessageBuffer* mb, void* buf, size_t max,
                                               bool* higher_priority_woken);

// The length of the next message, 0 when there is none.
size_t message_buffer_next_length(const MessageBuffer* mb);
// Free bytes in the ring; a message of n bytes needs n + kMessageHeaderSize.
size_t message_buffer_spaces_available(const MessageBuffer* mb);
bool message_buffer_is_empty(const MessageBuffer* mb);
// Not even a 1-byte message fits.
bool message_buffer_is_full(const MessageBuffer* mb);
Status message_buffer_reset(MessageBuffer* mb);

}  // namespace petrel::kernel
