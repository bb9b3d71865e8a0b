// Stream and message buffer scenarios, run on the host port and inside a
// guest.
#include "ktest.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/stream_buffer.h"

using namespace petrel::kernel;
using petrel::Errc;
using petrel::ktest::failed_with;
using petrel::ktest::Log;
using petrel::ktest::spawn;

namespace {

bool equal(const uint8_t* a, const char* b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (a[i] != static_cast<uint8_t>(b[i])) return false;
  return true;
}

// Waits for the start of a tick (see timer_scenarios.cc).
void align() {
  task_delay(Ticks{1});
}

}  // namespace

KTEST(StreamBuffer, BytesComeOutInOrder) {
  StreamBuffer sb;
  uint8_t storage[16];
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage).ok());
  KCHECK(stream_buffer_is_empty(&sb));
  KCHECK(!stream_buffer_is_full(&sb));
  KCHECK_EQ(stream_buffer_send(&sb, "abcde", 5, kNoWait).value_or(0), 5);
  KCHECK_EQ(stream_buffer_bytes_available(&sb), 5);
  KCHECK_EQ(stream_buffer_spaces_available(&sb), 11);
  uint8_t buf[16] = {};
  KCHECK_EQ(stream_buffer_receive(&sb, buf, 3, kNoWait).value_or(0), 3);
  KCHECK(equal(buf, "abc", 3));
  KCHECK_EQ(stream_buffer_receive(&sb, buf, sizeof buf, kNoWait).value_or(0), 2);
  KCHECK(equal(buf, "de", 2));
  KCHECK(failed_with(stream_buffer_receive(&sb, buf, sizeof buf, kNoWait), Errc::kBusy));
  KCHECK_EQ(stream_buffer_send(&sb, "0123456789abcdef", 16, kNoWait).value_or(0), 16);
  KCHECK(stream_buffer_is_full(&sb));
  KCHECK_EQ(stream_buffer_spaces_available(&sb), 0);
  KCHECK(failed_with(stream_buffer_send(&sb, "x", 1, kNoWait), Errc::kBusy));
  KCHECK_EQ(stream_buffer_send(&sb, "x", 0, kNoWait).value_or(1), 0);  // nothing to write
  KCHECK_EQ(stream_buffer_receive(&sb, buf, sizeof buf, kNoWait).value_or(0), 16);
  KCHECK(equal(buf, "0123456789abcdef", 16));
}

KTEST(StreamBuffer, ABlockedReaderWakesAtTheTriggerLevel) {
  StreamBuffer sb;
  uint8_t storage[16];
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage, 4).ok());
  Log log;
  Ticks waited{};
  size_t got = 0;
  auto reader = [&] {
    align();
    const Ticks start = tick_count();
    uint8_t buf[16];
    got = stream_buffer_receive(&sb, buf, sizeof buf, Ticks{50}).value_or(0);
    waited = tick_count() - start;
    log.note_number("reader", got);
  };
  auto writer = [&] {
    align();
    for (int i = 1; i <= 5; ++i) {
      task_delay(Ticks{1});
      log.note_number("w", static_cast<uint64_t>(i));
      KCHECK(stream_buffer_send(&sb, "x", 1, kNoWait).ok());
    }
  };
  spawn("reader", 3, &reader);
  spawn("writer", 2, &writer);
  scheduler_start();
  KCHECK_LOG(log, "w=1 w=2 w=3 w=4 reader=4 w=5");
  KCHECK_EQ(got, 4);
  KCHECK_EQ(waited.count, 4);
}

KTEST(StreamBuffer, AReaderThatTimesOutGetsWhatIsThere) {
  StreamBuffer sb;
  uint8_t storage[16];
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage, 8).ok());
  size_t got = 0;
  Ticks waited{}, waited_empty{};
  bool timed_out = false;
  auto reader = [&] {
    align();
    Ticks start = tick_count();
    uint8_t buf[16];
    got = stream_buffer_receive(&sb, buf, sizeof buf, Ticks{5}).value_or(0);
    waited = tick_count() - start;
    start = tick_count();
    timed_out = failed_with(stream_buffer_receive(&sb, buf, sizeof buf, Ticks{3}), Errc::kTimeout);
    waited_empty = tick_count() - start;
  };
  auto writer = [&] {
    align();
    task_delay(Ticks{2});
    KCHECK_EQ(stream_buffer_send(&sb, "abc", 3, kNoWait).value_or(0), 3);  // below the trigger
  };
  spawn("reader", 3, &reader);
  spawn("writer", 2, &writer);
  scheduler_start();
  KCHECK_EQ(got, 3);
  KCHECK_EQ(waited.count, 5);
  KCHECK(timed_out);
  KCHECK_EQ(waited_empty.count, 3);
}

KTEST(StreamBuffer, AnythingStoredIsReturnedAtOnce) {
  StreamBuffer sb;
  uint8_t storage[16];
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage, 8).ok());
  Ticks waited{1};
  size_t got = 0;
  auto t = [&] {
    KCHECK(stream_buffer_send(&sb, "ab", 2, kNoWait).ok());
    const Ticks start = tick_count();
    uint8_t buf[16];
    got = stream_buffer_receive(&sb, buf, sizeof buf, Ticks{50}).value_or(0);
    waited = tick_count() - start;
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(got, 2);
  KCHECK_EQ(waited.count, 0);
}

KTEST(StreamBuffer, ASendWaitsForRoomForAllItsBytes) {
  StreamBuffer sb;
  uint8_t storage[8];
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage).ok());
  KCHECK_EQ(stream_buffer_send(&sb, "012345", 6, kNoWait).value_or(0), 6);
  Log log;
  size_t sent = 0;
  Ticks waited{};
  auto writer = [&] {
    align();
    const Ticks start = tick_count();
    sent = stream_buffer_send(&sb, "ABCDE", 5, Ticks{20}).value_or(0);
    waited = tick_count() - start;
    log.note("sent");
  };
  auto reader = [&] {
    align();
    task_delay(Ticks{1});
    uint8_t buf[8];
    KCHECK_EQ(stream_buffer_receive(&sb, buf, 2, kNoWait).value_or(0), 2);  // 4 free: not enough
    log.note("read-2");
    task_delay(Ticks{2});
    KCHECK_EQ(stream_buffer_receive(&sb, buf, 1, kNoWait).value_or(0), 1);  // 5 free
    log.note("read-1");
  };
  spawn("writer", 3, &writer);
  spawn("reader", 2, &reader);
  scheduler_start();
  KCHECK_LOG(log, "read-2 sent read-1");
  KCHECK_EQ(sent, 5);
  KCHECK_EQ(waited.count, 3);
  uint8_t buf[8];
  KCHECK_EQ(stream_buffer_receive(&sb, buf, sizeof buf, kNoWait).value_or(0), 8);
  KCHECK(equal(buf, "345ABCDE", 8));
}

KTEST(StreamBuffer, ASendThatTimesOutWritesWhatFits) {
  StreamBuffer sb;
  uint8_t storage[8];
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage).ok());
  size_t partial = 0, partial_now = 0;
  Ticks waited{}, waited_full{};
  bool full_busy = false, full_timeout = false;
  auto t = [&] {
    KCHECK_EQ(stream_buffer_send(&sb, "012345", 6, kNoWait).value_or(0), 6);
    align();
    Ticks start = tick_count();
    partial = stream_buffer_send(&sb, "ABCDE", 5, Ticks{4}).value_or(0);
    waited = tick_count() - start;
    uint8_t buf[8];
    KCHECK_EQ(stream_buffer_receive(&sb, buf, 3, kNoWait).value_or(0), 3);
    partial_now = stream_buffer_send(&sb, "VWXYZ", 5, kNoWait).value_or(0);
    full_busy = failed_with(stream_buffer_send(&sb, "!", 1, kNoWait), Errc::kBusy);
    start = tick_count();
    full_timeout = failed_with(stream_buffer_send(&sb, "!", 1, Ticks{2}), Errc::kTimeout);
    waited_full = tick_count() - start;
    KCHECK_EQ(stream_buffer_receive(&sb, buf, sizeof buf, kNoWait).value_or(0), 8);
    KCHECK(equal(buf, "345ABVWX", 8));
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_EQ(partial, 2);
  KCHECK_EQ(waited.count, 4);
  KCHECK_EQ(partial_now, 3);
  KCHECK(full_busy);
  KCHECK(full_timeout);
  KCHECK_EQ(waited_full.count, 2);
}

KTEST(StreamBuffer, ASendLargerThanTheBufferWaitsForItToEmpty) {
  StreamBuffer sb;
  uint8_t storage[8];
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage).ok());
  KCHECK(stream_buffer_send(&sb, "abc", 3, kNoWait).ok());
  size_t sent = 0;
  Ticks waited{};
  auto writer = [&] {
    align();
    const Ticks start = tick_count();
    sent = stream_buffer_send(&sb, "0123456789ABCDEFGHIJ", 20, Ticks{50}).value_or(0);
    waited = tick_count() - start;
  };
  auto reader = [&] {
    align();
    task_delay(Ticks{2});
    uint8_t buf[8];
    KCHECK_EQ(stream_buffer_receive(&sb, buf, sizeof buf, kNoWait).value_or(0), 3);
  };
  spawn("writer", 3, &writer);
  spawn("reader", 2, &reader);
  scheduler_start();
  KCHECK_EQ(sent, 8);
  KCHECK_EQ(waited.count, 2);
  KCHECK(stream_buffer_is_full(&sb));
}

KTEST(StreamBuffer, TheRingWrapsAroundWithManySizes) {
  // Writes and reads of every size from 1 to the capacity, at every offset
  // of the ring; the bytes must come out as the sequence that went in.
  StreamBuffer sb;
  uint8_t storage[13];
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage).ok());
  uint8_t next_in = 0, next_out = 0;
  int bad = 0;
  for (size_t round = 0; round < 4; ++round) {
    for (size_t w = 1; w <= sizeof storage; ++w) {
      uint8_t data[13];
      const size_t room = stream_buffer_spaces_available(&sb);
      for (size_t i = 0; i < w; ++i) data[i] = static_cast<uint8_t>(next_in + i);
      const size_t sent = stream_buffer_send(&sb, data, w, kNoWait).value_or(0);
      if (sent != (w < room ? w : room)) ++bad;
      next_in = static_cast<uint8_t>(next_in + sent);
      const size_t r = (w * 7 + round) % sizeof storage + 1;
      uint8_t buf[13];
      const size_t avail = stream_buffer_bytes_available(&sb);
      const size_t got = stream_buffer_receive(&sb, buf, r, kNoWait).value_or(0);
      if (got != (r < avail ? r : avail)) ++bad;
      for (size_t i = 0; i < got; ++i)
        if (buf[i] != next_out++) ++bad;
      if (stream_buffer_bytes_available(&sb) + stream_buffer_spaces_available(&sb) !=
          sizeof storage)
        ++bad;
    }
  }
  KCHECK_EQ(bad, 0);
  uint8_t buf[13];
  const size_t rest = stream_buffer_receive(&sb, buf, sizeof buf, kNoWait).value_or(0);
  for (size_t i = 0; i < rest; ++i) KCHECK_EQ(buf[i], next_out++);
  KCHECK_EQ(next_in, next_out);
}

KTEST(StreamBuffer, TriggerLevelRules) {
  StreamBuffer sb;
  uint8_t storage[16];
  KCHECK(failed_with(stream_buffer_init(&sb, storage, sizeof storage, 17), Errc::kOutOfRange));
  KCHECK(failed_with(stream_buffer_create(16, 17), Errc::kOutOfRange));
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage, 8).ok());
  KCHECK(!stream_buffer_set_trigger_level(&sb, 17).ok());
  KCHECK(stream_buffer_set_trigger_level(&sb, 0).ok());  // taken as 1
  KCHECK(stream_buffer_set_trigger_level(&sb, 8).ok());
  // Lowering the level below what is stored wakes the blocked reader.
  Log log;
  size_t got = 0;
  auto reader = [&] {
    uint8_t buf[16];
    got = stream_buffer_receive(&sb, buf, sizeof buf, Ticks{100}).value_or(0);
    log.note("reader");
  };
  auto t = [&] {
    KCHECK(stream_buffer_send(&sb, "abc", 3, kNoWait).ok());  // below 8: no wake
    log.note("sent");
    KCHECK(stream_buffer_set_trigger_level(&sb, 2).ok());
    log.note("lowered");
  };
  spawn("reader", 3, &reader);
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_LOG(log, "sent reader lowered");
  KCHECK_EQ(got, 3);
}

KTEST(StreamBuffer, ResetOnlyWhileNobodyWaits) {
  StreamBuffer sb;
  uint8_t storage[8];
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage).ok());
  bool busy = false;
  auto reader = [&] {
    uint8_t buf[8];
    KCHECK(failed_with(stream_buffer_receive(&sb, buf, sizeof buf, Ticks{3}), Errc::kTimeout));
  };
  auto t = [&] {
    KCHECK(stream_buffer_send(&sb, "abc", 3, kNoWait).ok());
    KCHECK(stream_buffer_reset(&sb).ok());
    KCHECK(stream_buffer_is_empty(&sb));
    spawn("reader", 3, &reader);  // blocks
    busy = failed_with(stream_buffer_reset(&sb), Errc::kBusy);
    task_delay(Ticks{5});
    KCHECK(stream_buffer_reset(&sb).ok());
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK(busy);
}

KTEST(StreamBuffer, OneBlockedReaderAndOneBlockedWriterAtATime) {
  StreamBuffer in, out;
  uint8_t in_storage[8], out_storage[4];
  KCHECK(stream_buffer_init(&in, in_storage, sizeof in_storage).ok());
  KCHECK(stream_buffer_init(&out, out_storage, sizeof out_storage).ok());
  KCHECK(stream_buffer_send(&out, "full", 4, kNoWait).ok());
  bool second_reader_busy = false, second_writer_busy = false;
  size_t first_got = 0, first_sent = 0;
  auto reader = [&] {
    uint8_t buf[8];
    first_got = stream_buffer_receive(&in, buf, sizeof buf, Ticks{10}).value_or(0);
  };
  auto writer = [&] { first_sent = stream_buffer_send(&out, "xy", 2, Ticks{10}).value_or(0); };
  auto t = [&] {
    spawn("reader", 3, &reader);
    spawn("writer", 3, &writer);
    uint8_t buf[8];
    second_reader_busy =
        failed_with(stream_buffer_receive(&in, buf, sizeof buf, Ticks{10}), Errc::kBusy);
    second_writer_busy = failed_with(stream_buffer_send(&out, "z", 1, Ticks{10}), Errc::kBusy);
    KCHECK(stream_buffer_send(&in, "hi", 2, kNoWait).ok());
    KCHECK_EQ(stream_buffer_receive(&out, buf, 2, kNoWait).value_or(0), 2);
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK(second_reader_busy);
  KCHECK(second_writer_busy);
  KCHECK_EQ(first_got, 2);
  KCHECK_EQ(first_sent, 2);
}

KTEST(StreamBuffer, DeletingABufferWakesItsWaiters) {
  StreamBuffer fixed;
  uint8_t storage[4];
  KCHECK(stream_buffer_init(&fixed, storage, sizeof storage).ok());
  KCHECK(stream_buffer_send(&fixed, "full", 4, kNoWait).ok());
  StreamBuffer* dyn = nullptr;
  bool reader_not_found = false, writer_not_found = false;
  size_t free_before = 0, free_after = 0;
  auto reader = [&] {
    uint8_t buf[4];
    reader_not_found =
        failed_with(stream_buffer_receive(dyn, buf, sizeof buf, kForever), Errc::kNotFound);
  };
  auto writer = [&] {
    writer_not_found = failed_with(stream_buffer_send(&fixed, "x", 1, kForever), Errc::kNotFound);
  };
  auto t = [&] {
    free_before = heap_stats().free;
    auto made = stream_buffer_create(32, 4);
    KCHECK(made.ok());
    if (!made) return;
    dyn = *made;
    spawn("reader", 3, &reader);
    spawn("writer", 3, &writer);
    KCHECK(stream_buffer_delete(dyn).ok());
    KCHECK(stream_buffer_delete(&fixed).ok());
    task_delay(Ticks{1});  // the reader and writer tasks end
    free_after = heap_stats().free;
    KCHECK(failed_with(stream_buffer_send(&fixed, "x", 1, kNoWait), Errc::kInvalid));
    KCHECK(!stream_buffer_delete(&fixed).ok());
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK(reader_not_found);
  KCHECK(writer_not_found);
  KCHECK_EQ(free_after, free_before);
}

KTEST(StreamBuffer, DeletedAfterAWaitTimedOutButBeforeTheWaiterRan) {
  StreamBuffer* sb = nullptr;
  bool not_found = false;
  auto reader = [&] {
    uint8_t buf[4];
    not_found = failed_with(stream_buffer_receive(sb, buf, sizeof buf, Ticks{3}), Errc::kNotFound);
  };
  auto deleter = [&] {
    task_delay(Ticks{3});  // wakes at the tick the reader times out, and runs first
    KCHECK(stream_buffer_delete(sb).ok());
  };
  auto t = [&] {
    auto made = stream_buffer_create(8);
    KCHECK(made.ok());
    if (!made) return;
    sb = *made;
    align();
    spawn("deleter", 4, &deleter);
    spawn("reader", 3, &reader);
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK(not_found);
}

KTEST(StreamBuffer, AWaiterThatIsDeletedOrAbortedLeavesTheBufferUsable) {
  StreamBuffer sb;
  uint8_t storage[8];
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage).ok());
  Log log;
  bool aborted = false;
  size_t got = 0;
  auto victim = [&] {
    uint8_t buf[8];
    (void)stream_buffer_receive(&sb, buf, sizeof buf, kForever);
    log.note("victim-returned");
  };
  auto abortee = [&] {
    uint8_t buf[8];
    aborted = failed_with(stream_buffer_receive(&sb, buf, sizeof buf, kForever), Errc::kTimeout);
  };
  auto reader = [&] {
    uint8_t buf[8];
    got = stream_buffer_receive(&sb, buf, sizeof buf, kForever).value_or(0);
  };
  auto t = [&] {
    task_delete(spawn("victim", 3, &victim));
    Task* a = spawn("abortee", 3, &abortee);
    KCHECK(task_abort_delay(a));
    spawn("reader", 3, &reader);
    KCHECK(stream_buffer_send(&sb, "ok", 2, kNoWait).ok());
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK_LOG(log, "");
  KCHECK(aborted);
  KCHECK_EQ(got, 2);
}

KTEST(StreamBuffer, ArgumentErrors) {
  StreamBuffer never;
  uint8_t storage[8], buf[8];
  KCHECK(failed_with(stream_buffer_send(&never, "x", 1, kNoWait), Errc::kInvalid));
  KCHECK(failed_with(stream_buffer_receive(&never, buf, 1, kNoWait), Errc::kInvalid));
  KCHECK(failed_with(stream_buffer_send(nullptr, "x", 1, kNoWait), Errc::kInvalid));
  KCHECK(!stream_buffer_reset(&never).ok());
  KCHECK(!stream_buffer_delete(nullptr).ok());
  KCHECK_EQ(stream_buffer_bytes_available(&never), 0);
  KCHECK(failed_with(stream_buffer_init(&never, storage, 0), Errc::kInvalid));
  KCHECK(failed_with(stream_buffer_init(&never, nullptr, 8), Errc::kInvalid));
  KCHECK(failed_with(stream_buffer_create(0), Errc::kInvalid));
  KCHECK(failed_with(stream_buffer_create(SIZE_MAX / 4), Errc::kNoMemory));
  StreamBuffer sb;
  KCHECK(stream_buffer_init(&sb, storage, sizeof storage).ok());
  KCHECK(failed_with(stream_buffer_send(&sb, nullptr, 1, kNoWait), Errc::kInvalid));
  KCHECK(failed_with(stream_buffer_receive(&sb, nullptr, 1, kNoWait), Errc::kInvalid));
  KCHECK(failed_with(stream_buffer_receive(&sb, buf, 0, kNoWait), Errc::kInvalid));
  // A stream buffer is not a message buffer.
  auto* as_message = reinterpret_cast<MessageBuffer*>(&sb);
  KCHECK(failed_with(message_buffer_receive(as_message, buf, 8, kNoWait), Errc::kInvalid));
}

// --- message buffers ---

KTEST(MessageBuffer, MessagesKeepTheirBoundaries) {
  MessageBuffer mb;
  uint8_t storage[64];
  KCHECK(message_buffer_init(&mb, storage, sizeof storage).ok());
  KCHECK(message_buffer_is_empty(&mb));
  KCHECK_EQ(message_buffer_next_length(&mb), 0);
  KCHECK(message_buffer_send(&mb, "a", 1, kNoWait).ok());
  KCHECK(message_buffer_send(&mb, "hello", 5, kNoWait).ok());
  KCHECK(message_buffer_send(&mb, "0123456789", 10, kNoWait).ok());
  KCHECK_EQ(message_buffer_spaces_available(&mb), 64 - 3 * kMessageHeaderSize - 16);
  uint8_t buf[32];
  KCHECK_EQ(message_buffer_next_length(&mb), 1);
  KCHECK_EQ(message_buffer_receive(&mb, buf, sizeof buf, kNoWait).value_or(0), 1);
  KCHECK(equal(buf, "a", 1));
  KCHECK_EQ(message_buffer_next_length(&mb), 5);
  KCHECK_EQ(message_buffer_receive(&mb, buf, sizeof buf, kNoWait).value_or(0), 5);
  KCHECK(equal(buf, "hello", 5));
  KCHECK_EQ(message_buffer_receive(&mb, buf, sizeof buf, kNoWait).value_or(0), 10);
  KCHECK(equal(buf, "0123456789", 10));
  KCHECK(message_buffer_is_empty(&mb));
  KCHECK(failed_with(message_buffer_receive(&mb, buf, sizeof buf, kNoWait), Errc::kBusy));
}

KTEST(MessageBuffer, ATooSmallReceiveBufferLeavesTheMessage) {
  MessageBuffer mb;
  uint8_t storage[64];
  KCHECK(message_buffer_init(&mb, storage, sizeof storage).ok());
  KCHECK(message_buffer_send(&mb, "0123456789", 10, kNoWait).ok());
  uint8_t buf[10];
  KCHECK(failed_with(message_buffer_receive(&mb, buf, 9, Ticks{5}), Errc::kOutOfRange));
  KCHECK_EQ(message_buffer_next_length(&mb), 10);
  KCHECK_EQ(message_buffer_receive(&mb, buf, 10, kNoWait).value_or(0), 10);
  KCHECK(equal(buf, "0123456789", 10));
}

KTEST(MessageBuffer, SendIsAllOrNothing) {
  MessageBuffer mb;
  uint8_t storage[2 * (kMessageHeaderSize + 8)];
  KCHECK(message_buffer_init(&mb, storage, sizeof storage).ok());
  Log log;
  bool busy = false, timed_out = false;
  Ticks waited{}, blocked{};
  // The reader outlives the writer's function, so it is defined here, not
  // on the writer's stack.
  auto reader = [&] {
    task_delay(Ticks{2});
    uint8_t buf[8];
    KCHECK_EQ(message_buffer_receive(&mb, buf, sizeof buf, kNoWait).value_or(0), 8);
    log.note("read");
  };
  auto t = [&] {
    KCHECK(message_buffer_send(&mb, "message1", 8, kNoWait).ok());
    KCHECK(message_buffer_send(&mb, "message2", 8, kNoWait).ok());
    KCHECK(message_buffer_is_full(&mb));
    busy = failed_with(message_buffer_send(&mb, "m", 1, kNoWait), Errc::kBusy);
    align();
    Ticks start = tick_count();
    timed_out = failed_with(message_buffer_send(&mb, "m", 1, Ticks{3}), Errc::kTimeout);
    waited = tick_count() - start;
    // A lower-priority reader frees one message two ticks from now; the
    // writer waits for it and, woken, preempts the reader.
    spawn("reader", 1, &reader);
    start = tick_count();
    KCHECK(message_buffer_send(&mb, "message3", 8, Ticks{10}).ok());
    blocked = tick_count() - start;
    log.note("sent");
  };
  spawn("t", 2, &t);
  scheduler_start();
  KCHECK(busy);
  KCHECK(timed_out);
  KCHECK_EQ(waited.count, 3);
  KCHECK_EQ(blocked.count, 2);
  KCHECK_LOG(log, "sent read");
  uint8_t buf[8];
  KCHECK_EQ(message_buffer_receive(&mb, buf, sizeof buf, kNoWait).value_or(0), 8);
  KCHECK(equal(buf, "message2", 8));
  KCHECK_EQ(message_buffer_receive(&mb, buf, sizeof buf, kNoWait).value_or(0), 8);
  KCHECK(equal(buf, "message3", 8));
}

KTEST(MessageBuffer, SizeLimits) {
  MessageBuffer mb;
  uint8_t storage[32];
  KCHECK(message_buffer_init(&mb, storage, sizeof storage).ok());
  uint8_t data[32] = {};
  const size_t most = sizeof storage - kMessageHeaderSize;
  const auto too_big = message_buffer_send(&mb, data, most + 1, Ticks{5});
  KCHECK(!too_big.ok() && too_big.error().code == Errc::kOutOfRange);
  KCHECK(message_buffer_send(&mb, data, most, kNoWait).ok());
  KCHECK_EQ(message_buffer_spaces_available(&mb), 0);
  KCHECK(message_buffer_reset(&mb).ok());
  const auto empty = message_buffer_send(&mb, data, 0, kNoWait);
  KCHECK(!empty.ok() && empty.error().code == Errc::kInvalid);
  MessageBuffer small;
  uint8_t header_only[kMessageHeaderSize];
  KCHECK(failed_with(message_buffer_init(&small, header_only, sizeof header_only), Errc::kInvalid));
  KCHECK(failed_with(message_buffer_create(kMessageHeaderSize), Errc::kInvalid));
}

KTEST(MessageBuffer, AReaderWaitsForAMessage) {
  MessageBuffer* mb = nullptr;
  size_t got = 0;
  Ticks waited{}, waited_empty{};
  bool timed_out = false;
  auto reader = [&] {
    align();
    Ticks start = tick_count();
    uint8_t buf[16];
    got = message_buffer_receive(mb, buf, sizeof buf, Ticks{20}).value_or(0);
    waited = tick_count() - start;
    start = tick_count();
    timed_out = failed_with(message_buffer_receive(mb, buf, sizeof buf, Ticks{2}), Errc::kTimeout);
    waited_empty = tick_count() - start;
  };
  auto writer = [&] {
    align();
    task_delay(Ticks{3});
    KCHECK(message_buffer_send(mb, "x", 1, kNoWait).ok());
  };
  size_t free_before = heap_stats().free;
  auto made = message_buffer_create(64);
  KCHECK(made.ok());
  if (!made) return;
  mb = *made;
  spawn("reader", 3, &reader);
  spawn("writer", 2, &writer);
  scheduler_start();
  KCHECK_EQ(got, 1);
  KCHECK_EQ(waited.count, 3);
  KCHECK(timed_out);
  KCHECK_EQ(waited_empty.count, 2);
  KCHECK(message_buffer_delete(mb).ok());
  KCHECK_EQ(heap_stats().free, free_before);
}

KTEST(MessageBuffer, FramesSurviveTheWrapAround) {
  MessageBuffer mb;
  uint8_t storage[41];
  KCHECK(message_buffer_init(&mb, storage, sizeof storage).ok());
  uint8_t seed = 0;
  uint8_t expect_seed = 0;
  size_t expect_len[8] = {};
  size_t head = 0, tail = 0;
  int bad = 0;
  for (size_t i = 0; i < 120; ++i) {
    const size_t len = i % 20 + 1;
    uint8_t data[20];
    for (size_t k = 0; k < len; ++k) data[k] = static_cast<uint8_t>(seed + k);
    if (message_buffer_send(&mb, data, len, kNoWait).ok()) {
      expect_len[head++ % 8] = len;
      seed = static_cast<uint8_t>(seed + len);
    }
    if (i % 3 != 0 || message_buffer_spaces_available(&mb) < 12) {
      uint8_t buf[20];
      const size_t want = message_buffer_next_length(&mb);
      auto r = message_buffer_receive(&mb, buf, sizeof buf, kNoWait);
      if (tail == head) {
        if (r.ok() || want != 0) ++bad;
        continue;
      }
      const size_t exp = expect_len[tail++ % 8];
      if (!r.ok() || *r != exp || want != exp) {
        ++bad;
        continue;
      }
      for (size_t k = 0; k < exp; ++k)
        if (buf[k] != static_cast<uint8_t>(expect_seed + k)) ++bad;
      expect_seed = static_cast<uint8_t>(expect_seed + exp);
    }
  }
  KCHECK_EQ(bad, 0);
  KCHECK(head > 60);
}
