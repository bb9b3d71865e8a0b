// Queue scenarios, run on the host port and inside a guest.
#include "ktest.h"
#include "petrel/kernel/heap.h"
#include "petrel/kernel/internal/sched.h"
#include "petrel/kernel/queue.h"

using namespace petrel::kernel;
using petrel::Errc;
using petrel::Status;
using petrel::ktest::failed_with;
using petrel::ktest::Log;
using petrel::ktest::same;
using petrel::ktest::spawn;

namespace {

Queue* make_queue(size_t length, size_t item_size) {
  auto q = queue_create(length, item_size);
  KCHECK(q.ok());
  return q.ok() ? *q : nullptr;
}

uint32_t receive_now(Queue* q) {
  uint32_t v = 0xdeadbeef;
  KCHECK(queue_receive(q, &v, kNoWait).ok());
  return v;
}

}  // namespace

KTEST(Queue, CreationErrors) {
  auto zero = queue_create(0, 4);
  KCHECK(!zero.ok() && zero.error().code == Errc::kInvalid);
  auto overflow = queue_create(SIZE_MAX / 2, 4);
  KCHECK(!overflow.ok() && overflow.error().code == Errc::kOutOfRange);
  KCHECK(same(overflow.error().message, "queue: length * item_size overflows"));
  auto huge = queue_create(SIZE_MAX / 4, 1);
  KCHECK(!huge.ok() && huge.error().code == Errc::kNoMemory);

  static Queue storage;
  alignas(8) static uint8_t buffer[16];
  auto no_buffer = queue_create_static(&storage, nullptr, 4, 4);
  KCHECK(!no_buffer.ok() && no_buffer.error().code == Errc::kInvalid);
  auto no_storage = queue_create_static(nullptr, buffer, 4, 4);
  KCHECK(!no_storage.ok() && no_storage.error().code == Errc::kInvalid);
  auto static_overflow = queue_create_static(&storage, buffer, SIZE_MAX, 2);
  KCHECK(!static_overflow.ok() && static_overflow.error().code == Errc::kOutOfRange);
  KCHECK_EQ(queue_buffer_size(4, 4), 16);
  KCHECK_EQ(queue_buffer_size(SIZE_MAX, 2), 0);

  // Never initialized: every call reports it, nothing crashes.
  static Queue blank;
  uint32_t v = 1;
  KCHECK(failed_with(queue_send_back(&blank, &v, kNoWait), Errc::kInvalid,
                     "queue: not initialized or deleted"));
  KCHECK(failed_with(queue_receive(&blank, &v, kNoWait), Errc::kInvalid,
                     "queue: not initialized or deleted"));
  KCHECK(failed_with(queue_receive(nullptr, &v, kNoWait), Errc::kInvalid,
                     "queue: not initialized or deleted"));
  KCHECK(!queue_reset(&blank).ok());
  KCHECK_EQ(queue_messages_waiting(&blank), 0);
  KCHECK_EQ(queue_spaces_available(&blank), 0);
}

KTEST(Queue, FifoOrderCountsAndImmediateErrors) {
  Queue* q = make_queue(3, sizeof(uint32_t));
  KCHECK_EQ(queue_length(q), 3);
  KCHECK_EQ(queue_item_size(q), sizeof(uint32_t));
  KCHECK_EQ(queue_messages_waiting(q), 0);
  KCHECK_EQ(queue_spaces_available(q), 3);
  uint32_t v = 0;
  KCHECK(failed_with(queue_receive(q, &v, kNoWait), Errc::kBusy, "queue: empty"));
  KCHECK(failed_with(queue_peek(q, &v, kNoWait), Errc::kBusy, "queue: empty"));
  // Wrap around the ring several times.
  uint32_t next_in = 0, next_out = 0;
  for (int round = 0; round < 5; ++round) {
    while (queue_spaces_available(q) > 0) {
      KCHECK(queue_send_back(q, &next_in, kNoWait).ok());
      ++next_in;
    }
    KCHECK_EQ(queue_messages_waiting(q), 3);
    KCHECK(failed_with(queue_send_back(q, &v, kNoWait), Errc::kBusy, "queue: full"));
    KCHECK(failed_with(queue_send_front(q, &v, kNoWait), Errc::kBusy, "queue: full"));
    const int take = round % 2 == 0 ? 2 : 3;  // leave one behind on even rounds
    for (int i = 0; i < take; ++i) KCHECK_EQ(receive_now(q), next_out++);
  }
  while (queue_messages_waiting(q) > 0) KCHECK_EQ(receive_now(q), next_out++);
  KCHECK_EQ(next_out, next_in);
  KCHECK(
      failed_with(queue_send_back(q, nullptr, kNoWait), Errc::kInvalid, "queue: null item buffer"));
  queue_delete(q);
}

KTEST(Queue, SendToFrontIsReceivedFirst) {
  Queue* q = make_queue(4, sizeof(uint32_t));
  const uint32_t a = 1, b = 2, c = 3, d = 4;
  KCHECK(queue_send_back(q, &a, kNoWait).ok());
  KCHECK(queue_send_back(q, &b, kNoWait).ok());
  KCHECK(queue_send_front(q, &c, kNoWait).ok());  // head wraps to the last slot
  KCHECK(queue_send_front(q, &d, kNoWait).ok());
  KCHECK_EQ(receive_now(q), 4);
  KCHECK_EQ(receive_now(q), 3);
  KCHECK_EQ(receive_now(q), 1);
  KCHECK_EQ(receive_now(q), 2);
  queue_delete(q);
}

KTEST(Queue, PeekCopiesWithoutRemoving) {
  Queue* q = make_queue(2, sizeof(uint32_t));
  const uint32_t a = 7, b = 8;
  KCHECK(queue_send_back(q, &a, kNoWait).ok());
  KCHECK(queue_send_back(q, &b, kNoWait).ok());
  uint32_t v = 0;
  KCHECK(queue_peek(q, &v, kNoWait).ok());
  KCHECK_EQ(v, 7);
  KCHECK(queue_peek(q, &v, Ticks{5}).ok());  // available: no blocking, no task needed
  KCHECK_EQ(v, 7);
  KCHECK_EQ(queue_messages_waiting(q), 2);
  KCHECK_EQ(receive_now(q), 7);
  KCHECK(queue_peek(q, &v, kNoWait).ok());
  KCHECK_EQ(v, 8);
  queue_delete(q);
}

KTEST(Queue, OverwriteReplacesTheOneItem) {
  Queue* q = make_queue(1, sizeof(uint32_t));
  uint32_t v = 10;
  KCHECK(queue_overwrite(q, &v).ok());  // empty: stores
  v = 11;
  KCHECK(queue_overwrite(q, &v).ok());  // full: replaces
  v = 12;
  KCHECK(queue_overwrite(q, &v).ok());
  KCHECK_EQ(queue_messages_waiting(q), 1);
  KCHECK(failed_with(queue_send_back(q, &v, kNoWait), Errc::kBusy, "queue: full"));
  KCHECK_EQ(receive_now(q), 12);
  KCHECK_EQ(queue_messages_waiting(q), 0);
  queue_delete(q);

  Queue* longer = make_queue(2, sizeof(uint32_t));
  KCHECK(failed_with(queue_overwrite(longer, &v), Errc::kInvalid,
                     "queue: overwrite needs a queue of length 1"));
  queue_delete(longer);
}

KTEST(Queue, OverwriteWakesABlockedReceiver) {
  Queue* q = make_queue(1, sizeof(uint32_t));
  Log log;
  auto r = [&] {
    uint32_t v = 0;
    KCHECK(queue_receive(q, &v, kForever).ok());
    log.note_number("got", v);
  };
  auto w = [&] {
    spawn("receiver", 3, &r);
    const uint32_t v = 42;
    log.note("overwrite");
    KCHECK(queue_overwrite(q, &v).ok());
    log.note("writer-again");
    KCHECK_EQ(queue_messages_waiting(q), 0);  // handed over, not queued
  };
  spawn("writer", 2, &w);
  scheduler_start();
  KCHECK_LOG(log, "overwrite got=42 writer-again");
  queue_delete(q);
}

KTEST(Queue, FullQueueBlocksTheSenderUntilAReceiverMakesRoom) {
  Queue* q = make_queue(2, sizeof(uint32_t));
  Log log;
  auto sender = [&] {
    for (uint32_t i = 1; i <= 3; ++i) {
      log.note_number("send", i);
      KCHECK(queue_send_back(q, &i, kForever).ok());
    }
    log.note("sender-done");
  };
  auto receiver = [&] {
    // The sender (higher priority) has filled the queue and blocks on item 3.
    KCHECK_EQ(queue_messages_waiting(q), 2);
    log.note("receive");
    // Room made: the blocked send completes and preempts us right away.
    KCHECK_EQ(receive_now(q), 1);
    log.note("receiver-again");
    KCHECK_EQ(queue_messages_waiting(q), 2);
    KCHECK_EQ(receive_now(q), 2);
    KCHECK_EQ(receive_now(q), 3);
  };
  spawn("sender", 3, &sender);
  spawn("receiver", 2, &receiver);
  scheduler_start();
  KCHECK_LOG(log, "send=1 send=2 send=3 receive sender-done receiver-again");
  queue_delete(q);
}

KTEST(Queue, BlockedSendToFrontLandsAtTheFront) {
  Queue* q = make_queue(2, sizeof(uint32_t));
  const uint32_t a = 1, b = 2, urgent = 99;
  KCHECK(queue_send_back(q, &a, kNoWait).ok());
  KCHECK(queue_send_back(q, &b, kNoWait).ok());
  auto s = [&] { KCHECK(queue_send_front(q, &urgent, kForever).ok()); };
  auto r = [&] {
    spawn("urgent", 3, &s);  // blocks: full
    KCHECK_EQ(receive_now(q), 1);
    KCHECK_EQ(receive_now(q), 99);
    KCHECK_EQ(receive_now(q), 2);
  };
  spawn("receiver", 2, &r);
  scheduler_start();
  queue_delete(q);
}

KTEST(Queue, ReceiveFromAnEmptyQueueTimesOutAfterExactlyNTicks) {
  Queue* q = make_queue(2, sizeof(uint32_t));
  Ticks waited{};
  Status result = petrel::ok();
  auto r = [&] {
    uint32_t v = 0;
    const Ticks start = tick_count();
    result = queue_receive(q, &v, Ticks{7});
    waited = tick_count() - start;
  };
  spawn("receiver", 2, &r);
  scheduler_start();
  KCHECK(failed_with(result, Errc::kTimeout, "queue: timed out"));
  KCHECK_EQ(waited.count, 7);
  KCHECK_EQ(queue_messages_waiting(q), 0);
  queue_delete(q);
}

KTEST(Queue, SendToAFullQueueTimesOutAfterExactlyNTicks) {
  Queue* q = make_queue(1, sizeof(uint32_t));
  const uint32_t first = 1, second = 2;
  KCHECK(queue_send_back(q, &first, kNoWait).ok());
  Ticks waited{};
  Status back = petrel::ok(), front = petrel::ok();
  auto s = [&] {
    const Ticks start = tick_count();
    back = queue_send_back(q, &second, Ticks{4});
    front = queue_send_front(q, &second, Ticks{3});
    waited = tick_count() - start;
  };
  spawn("sender", 2, &s);
  scheduler_start();
  KCHECK(failed_with(back, Errc::kTimeout, "queue: timed out"));
  KCHECK(failed_with(front, Errc::kTimeout, "queue: timed out"));
  KCHECK_EQ(waited.count, 7);
  KCHECK_EQ(receive_now(q), 1);  // the failed sends left nothing behind
  KCHECK_EQ(queue_messages_waiting(q), 0);
  queue_delete(q);
}

KTEST(Queue, ReceiveWithATimeoutGetsAnItemSentInTime) {
  Queue* q = make_queue(2, sizeof(uint32_t));
  Ticks waited{};
  uint32_t got = 0;
  auto r = [&] {
    const Ticks start = tick_count();
    KCHECK(queue_receive(q, &got, Ticks{50}).ok());
    waited = tick_count() - start;
  };
  auto s = [&] {
    task_delay(Ticks{3});
    const uint32_t v = 5;
    KCHECK(queue_send_back(q, &v, kNoWait).ok());
  };
  spawn("receiver", 3, &r);
  spawn("sender", 2, &s);
  scheduler_start();
  KCHECK_EQ(got, 5);
  KCHECK_EQ(waited.count, 3);
  queue_delete(q);
}

KTEST(Queue, BlockedReceiversWakeByPriorityThenFifo) {
  Queue* q = make_queue(4, sizeof(uint32_t));
  Log log;
  auto receiver = [&](const char* name) {
    uint32_t v = 0;
    KCHECK(queue_receive(q, &v, kForever).ok());
    log.note_number(name, v);
  };
  auto low = [&] { receiver("low"); };
  auto mid1 = [&] { receiver("mid1"); };
  auto mid2 = [&] { receiver("mid2"); };
  auto high = [&] { receiver("high"); };
  auto sender = [&] {
    // Each receiver (all above us) blocks as soon as it is created.
    spawn("mid1", 3, &mid1);
    spawn("low", 2, &low);
    spawn("high", 5, &high);
    spawn("mid2", 3, &mid2);
    for (uint32_t i = 1; i <= 4; ++i) KCHECK(queue_send_back(q, &i, kNoWait).ok());
  };
  spawn("sender", 1, &sender);
  scheduler_start();
  KCHECK_LOG(log, "high=1 mid1=2 mid2=3 low=4");
  queue_delete(q);
}

KTEST(Queue, BlockedSendersCompleteByPriority) {
  Queue* q = make_queue(1, sizeof(uint32_t));
  const uint32_t zero = 0;
  KCHECK(queue_send_back(q, &zero, kNoWait).ok());
  uint32_t order[4] = {};
  auto sender = [&](uint32_t v) { KCHECK(queue_send_back(q, &v, kForever).ok()); };
  auto s2 = [&] { sender(2); };
  auto s4 = [&] { sender(4); };
  auto s3a = [&] { sender(31); };
  auto s3b = [&] { sender(32); };
  auto receiver = [&] {
    spawn("s2", 2, &s2);
    spawn("s3a", 3, &s3a);
    spawn("s4", 4, &s4);
    spawn("s3b", 3, &s3b);
    KCHECK_EQ(receive_now(q), 0);
    for (auto& o : order) o = receive_now(q);
  };
  spawn("receiver", 1, &receiver);
  scheduler_start();
  KCHECK_EQ(order[0], 4);
  KCHECK_EQ(order[1], 31);
  KCHECK_EQ(order[2], 32);
  KCHECK_EQ(order[3], 2);
  queue_delete(q);
}

KTEST(Queue, PeekersAheadOfTheFirstReceiverSeeTheItem) {
  // Waiting: a peeker (4), a receiver (3), a peeker (2). One send: the
  // first peeker and the receiver get it; the lower peeker waits on.
  Queue* q = make_queue(2, sizeof(uint32_t));
  Log log;
  auto peeker = [&](const char* name) {
    uint32_t v = 0;
    KCHECK(queue_peek(q, &v, kForever).ok());
    log.note_number(name, v);
  };
  auto p4 = [&] { peeker("peek4"); };
  auto p2 = [&] { peeker("peek2"); };
  auto r3 = [&] {
    uint32_t v = 0;
    KCHECK(queue_receive(q, &v, kForever).ok());
    log.note_number("recv3", v);
  };
  auto sender = [&] {
    spawn("p4", 4, &p4);
    spawn("r3", 3, &r3);
    spawn("p2", 2, &p2);
    const uint32_t a = 10, b = 20;
    KCHECK(queue_send_back(q, &a, kNoWait).ok());
    log.note("sent-a");
    KCHECK_EQ(queue_messages_waiting(q), 0);  // the receiver took it
    KCHECK(queue_send_back(q, &b, kNoWait).ok());
    log.note("sent-b");
    KCHECK_EQ(queue_messages_waiting(q), 1);  // peeking left it queued
  };
  spawn("sender", 1, &sender);
  scheduler_start();
  KCHECK_LOG(log, "peek4=10 recv3=10 sent-a peek2=20 sent-b");
  KCHECK_EQ(receive_now(q), 20);
  queue_delete(q);
}

KTEST(Queue, ProducerConsumerPassesAThousandItemsInOrder) {
  constexpr uint32_t kItems = 1000;
  Queue* q = make_queue(8, sizeof(uint32_t));
  uint32_t received = 0, out_of_order = 0;
  auto producer = [&] {
    for (uint32_t i = 0; i < kItems; ++i) KCHECK(queue_send_back(q, &i, kForever).ok());
  };
  auto consumer = [&] {
    for (uint32_t i = 0; i < kItems; ++i) {
      uint32_t v = 0;
      KCHECK(queue_receive(q, &v, kForever).ok());
      if (v != i) ++out_of_order;
      ++received;
      if (i % 97 == 0) task_yield();  // let the producer fill up now and then
    }
  };
  spawn("producer", 2, &producer);
  spawn("consumer", 2, &consumer);
  scheduler_start();
  KCHECK_EQ(received, kItems);
  KCHECK_EQ(out_of_order, 0);
  KCHECK_EQ(queue_messages_waiting(q), 0);
  queue_delete(q);
}

// The pass/fail forms of the FreeRTOS layer's fast paths (internal/sched.h)
// behave as the Status forms: a full or empty queue fails at once or after
// the wait's ticks, a send to the front is received first, a peek leaves
// the item, and a producer and a consumer blocking on a one-item queue
// pass every item in order.
KTEST(Queue, ThePassFailFormsBehaveAsSendAndReceive) {
  Queue* q = make_queue(1, sizeof(uint32_t));
  uint32_t v = 7, out = 0;
  KCHECK(!queue_receive_passed(q, &out, kNoWait) && !queue_peek_passed(q, &out, kNoWait));
  KCHECK(queue_send_back_passed(q, &v, kNoWait));
  KCHECK(!queue_send_back_passed(q, &v, kNoWait) && !queue_send_front_passed(q, &v, kNoWait));
  KCHECK(queue_peek_passed(q, &out, kNoWait) && out == 7);
  KCHECK_EQ(queue_messages_waiting(q), 1);
  KCHECK(queue_receive_passed(q, &out, kNoWait) && out == 7);
  Queue* two = make_queue(2, sizeof(uint32_t));
  uint32_t first = 1, second = 2;
  KCHECK(queue_send_back_passed(two, &first, kNoWait) &&
         queue_send_front_passed(two, &second, kNoWait));
  KCHECK(queue_receive_passed(two, &out, kNoWait) && out == 2);
  KCHECK(queue_receive_passed(two, &out, kNoWait) && out == 1);
  queue_delete(two);
  static Queue blank;  // never initialized
  KCHECK(!queue_send_back_passed(&blank, &v, kNoWait) &&
         !queue_receive_passed(&blank, &out, kNoWait));

  constexpr uint32_t kItems = 300;
  uint32_t received = 0, out_of_order = 0;
  bool late = true;
  Ticks waited{};
  auto producer = [&] {
    for (uint32_t i = 0; i < kItems; ++i) KCHECK(queue_send_back_passed(q, &i, kForever));
  };
  auto consumer = [&] {
    for (uint32_t i = 0; i < kItems; ++i) {
      uint32_t item = 0;
      KCHECK(queue_receive_passed(q, &item, kForever));
      if (item != i) ++out_of_order;
      ++received;
    }
    const Ticks start = tick_count();
    uint32_t item = 0;
    late = queue_receive_passed(q, &item, Ticks{4});
    waited = tick_count() - start;
  };
  spawn("producer", 2, &producer);
  spawn("consumer", 2, &consumer);
  scheduler_start();
  KCHECK_EQ(received, kItems);
  KCHECK_EQ(out_of_order, 0);
  KCHECK(!late);
  KCHECK_EQ(waited.count, 4);
  queue_delete(q);
}

// The forever copies of a peek and of a send to the front (internal/sched.h)
// wait until they can go on: a peek on an empty queue returns the item a
// later send brings and leaves it there; a send to the front of a full queue
// goes in once the item ahead of it is received.
KTEST(Queue, ThePassFailFormsWaitForeverToPeekAndToSendToTheFront) {
  Queue* q = make_queue(1, sizeof(uint32_t));
  uint32_t peeked = 0, first = 0, second = 0;
  bool peek_ok = false, front_ok = false, both_received = false;
  auto waiter = [&] {
    peek_ok = queue_peek_passed(q, &peeked, kForever);  // empty: until `sender` sends
    uint32_t v = 9;
    front_ok = queue_send_front_passed(q, &v, kForever);  // full: until `sender` receives
  };
  auto sender = [&] {
    uint32_t v = 5;
    KCHECK(queue_send_back_passed(q, &v, kNoWait));  // the waiter, above, peeks it at once
    KCHECK_EQ(queue_messages_waiting(q), 1);
    both_received = queue_receive_passed(q, &first, kNoWait) &&  // 5; the waiter's 9 goes in
                    queue_receive_passed(q, &second, kNoWait);
  };
  spawn("waiter", 3, &waiter);
  spawn("sender", 2, &sender);
  scheduler_start();
  KCHECK(peek_ok && front_ok && both_received);
  KCHECK_EQ(peeked, 5);
  KCHECK_EQ(first, 5);
  KCHECK_EQ(second, 9);
  queue_delete(q);
}

KTEST(Queue, DeletingAWaitingTaskLeavesTheQueueUsable) {
  Queue* q = make_queue(1, sizeof(uint32_t));
  bool receiver_returned = false, sender_returned = false;
  auto r = [&] {
    uint32_t v = 0;
    (void)queue_receive(q, &v, kForever);
    receiver_returned = true;
  };
  auto s = [&] {
    const uint32_t v = 77;
    (void)queue_send_back(q, &v, kForever);
    sender_returned = true;
  };
  auto ctl = [&] {
    Task* receiver = spawn("receiver", 3, &r);
    task_delete(receiver);  // was blocked on the empty queue
    uint32_t v = 5;
    KCHECK(queue_send_back(q, &v, kNoWait).ok());  // queued, not handed to the dead task
    KCHECK_EQ(queue_messages_waiting(q), 1);
    Task* sender = spawn("sender", 3, &s);  // blocks: full
    task_delete(sender);
    KCHECK_EQ(receive_now(q), 5);  // the dead sender's item never gets in
    KCHECK_EQ(queue_messages_waiting(q), 0);
    v = 6;
    KCHECK(queue_send_back(q, &v, kNoWait).ok());
    KCHECK_EQ(receive_now(q), 6);
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK(!receiver_returned);
  KCHECK(!sender_returned);
  queue_delete(q);
}

KTEST(Queue, DeletingAQueueFailsItsWaitersAndFreesIt) {
  const size_t before = petrel::kernel::heap_stats().free;
  Queue* q = make_queue(1, sizeof(uint32_t));
  Queue* full = make_queue(1, sizeof(uint32_t));
  const uint32_t one = 1;
  KCHECK(queue_send_back(full, &one, kNoWait).ok());
  Status recv = petrel::ok(), peek = petrel::ok(), send = petrel::ok();
  Log log;
  auto r = [&] {
    uint32_t v = 0;
    recv = queue_receive(q, &v, kForever);
    log.note("receiver-woke");
  };
  auto p = [&] {
    uint32_t v = 0;
    peek = queue_peek(q, &v, Ticks{1000});
    log.note("peeker-woke");
  };
  auto s = [&] {
    send = queue_send_back(full, &one, kForever);
    log.note("sender-woke");
  };
  auto ctl = [&] {
    spawn("receiver", 3, &r);
    spawn("peeker", 4, &p);
    spawn("sender", 3, &s);
    log.note("delete");
    queue_delete(q);
    queue_delete(full);
    log.note("ctl-done");
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK_LOG(log, "delete peeker-woke receiver-woke sender-woke ctl-done");
  KCHECK(failed_with(recv, Errc::kNotFound, "queue: deleted while waiting"));
  KCHECK(failed_with(peek, Errc::kNotFound, "queue: deleted while waiting"));
  KCHECK(failed_with(send, Errc::kNotFound, "queue: deleted while waiting"));
  KCHECK_EQ(petrel::kernel::heap_stats().free, before);
}

KTEST(Queue, StaticQueueNeedsNoHeapAndCanBeDeletedAndReused) {
  static Queue storage;
  alignas(8) static uint8_t buffer[3 * sizeof(uint64_t)];
  const size_t allocations = heap_stats().allocations;
  auto q = queue_create_static(&storage, buffer, 3, sizeof(uint64_t));
  KCHECK(q.ok() && *q == &storage);
  const uint64_t big = 0x1122334455667788ull;
  KCHECK(queue_send_back(&storage, &big, kNoWait).ok());
  uint64_t v = 0;
  KCHECK(queue_receive(&storage, &v, kNoWait).ok());
  KCHECK(v == big);
  KCHECK_EQ(heap_stats().allocations, allocations);
  queue_delete(&storage);
  KCHECK(failed_with(queue_send_back(&storage, &big, kNoWait), Errc::kInvalid,
                     "queue: not initialized or deleted"));
  KCHECK(queue_create_static(&storage, buffer, 3, sizeof(uint64_t)).ok());
  KCHECK_EQ(queue_spaces_available(&storage), 3);
  queue_delete(&storage);
}

KTEST(Queue, ResetDiscardsItemsAndLetsWaitingSendersIn) {
  Queue* q = make_queue(2, sizeof(uint32_t));
  Log log;
  auto sender = [&](uint32_t v) {
    KCHECK(queue_send_back(q, &v, kForever).ok());
    log.note_number("sent", v);
  };
  auto s5 = [&] { sender(5); };
  auto s6 = [&] { sender(6); };
  auto s7 = [&] { sender(7); };
  auto ctl = [&] {
    for (uint32_t i = 1; i <= 2; ++i) KCHECK(queue_send_back(q, &i, kNoWait).ok());
    spawn("s5", 4, &s5);
    spawn("s6", 3, &s6);
    spawn("s7", 3, &s7);
    log.note("reset");
    KCHECK(queue_reset(q).ok());
    log.note("ctl");
    KCHECK_EQ(queue_messages_waiting(q), 2);
    KCHECK_EQ(receive_now(q), 5);  // lets s7 in
    KCHECK_EQ(receive_now(q), 6);
    KCHECK_EQ(receive_now(q), 7);
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK_LOG(log, "reset sent=5 sent=6 ctl sent=7");
  KCHECK(queue_reset(q).ok());
  KCHECK_EQ(queue_messages_waiting(q), 0);
  queue_delete(q);
}

KTEST(Queue, ZeroSizedItemsCountEvents) {
  Queue* q = make_queue(3, 0);
  KCHECK(queue_send_back(q, nullptr, kNoWait).ok());
  KCHECK(queue_send_front(q, nullptr, kNoWait).ok());
  KCHECK(queue_send_back(q, nullptr, kNoWait).ok());
  KCHECK(failed_with(queue_send_back(q, nullptr, kNoWait), Errc::kBusy, "queue: full"));
  KCHECK_EQ(queue_messages_waiting(q), 3);
  KCHECK(queue_peek(q, nullptr, kNoWait).ok());
  int events = 0;
  while (queue_receive(q, nullptr, kNoWait).ok()) ++events;
  KCHECK_EQ(events, 3);
  int woken = 0;
  auto w = [&] {
    KCHECK(queue_receive(q, nullptr, kForever).ok());
    ++woken;
  };
  auto ctl = [&] {
    spawn("waiter", 3, &w);
    KCHECK(queue_send_back(q, nullptr, kNoWait).ok());
    KCHECK_EQ(woken, 1);
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  queue_delete(q);
}

KTEST(Queue, AbortedWaitFails) {
  Queue* q = make_queue(1, sizeof(uint32_t));
  Status result = petrel::ok();
  Ticks start{}, woke{}, aborted_at{};
  auto r = [&] {
    uint32_t v = 0;
    start = tick_count();
    result = queue_receive(q, &v, Ticks{100});
    woke = tick_count();
  };
  auto ctl = [&] {
    Task* receiver = spawn("receiver", 3, &r);
    task_delay(Ticks{2});
    aborted_at = tick_count();
    KCHECK(task_abort_delay(receiver));
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  KCHECK(failed_with(result, Errc::kTimeout, "queue: wait aborted"));
  // Woken by the abort, at once: the controller's 2 ticks start in the
  // receiver's tick or, at a tick boundary, the next one.
  KCHECK_EQ(woke.count, aborted_at.count);
  KCHECK((woke - start).count == 2 || (woke - start).count == 3);
  queue_delete(q);
}

KTEST(Queue, DeletedAfterAReceiverTimedOutButBeforeItRan) {
  Queue* q = make_queue(2, sizeof(uint32_t));
  Queue* reused = nullptr;
  bool deleted_error = false;
  auto low = [&] {
    uint32_t item = 0;
    deleted_error = failed_with(queue_receive(q, &item, Ticks{5}), Errc::kNotFound,
                                "queue: deleted while waiting");
  };
  auto high = [&] {
    task_delay(Ticks{5});
    queue_delete(q);
    reused = make_queue(2, sizeof(uint32_t));
    const uint32_t v = 42;
    KCHECK(queue_send_back(reused, &v, kNoWait).ok());
  };
  spawn("low", 1, &low);
  spawn("high", 2, &high);
  scheduler_start();
  KCHECK(deleted_error);
  KCHECK_EQ(queue_messages_waiting(reused), 1);
  queue_delete(reused);
}

KTEST(Queue, AnItemHandedToAReceiverDeletedBeforeItRanIsNotLost) {
  Queue* q = make_queue(2, sizeof(uint32_t));
  auto r = [&] {
    uint32_t item = 0;
    (void)queue_receive(q, &item, kForever);
  };
  auto ctl = [&] {
    Task* receiver = spawn("receiver", 1, &r);
    task_delay(Ticks{1});  // the receiver blocks
    const uint32_t v = 7;
    KCHECK(queue_send_back(q, &v, kNoWait).ok());  // handed to the receiver
    task_delete(receiver);
    uint32_t got = 0;
    KCHECK(queue_receive(q, &got, kNoWait).ok());
    KCHECK_EQ(got, 7);
  };
  spawn("ctl", 2, &ctl);
  scheduler_start();
  queue_delete(q);
}
