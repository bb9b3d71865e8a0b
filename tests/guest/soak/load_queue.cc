// soak: queues. Producers (tasks of random priorities, and the interrupt
// source) send numbered, checksummed items to one queue of random length;
// one consumer receives them, sometimes peeking first. Each producer's items
// must arrive whole, in order and without a gap; at the epoch's end every
// item sent was received or is still queued.
#include <petrel/kernel/queue.h>

#include "soak.h"

namespace soak {
namespace {

using namespace petrel::kernel;

constexpr unsigned kMaxProducers = 5;  // the last one is the interrupt source

struct Item {
  uint32_t producer;
  uint32_t seq;
  uint32_t payload;
  uint32_t check;
};

uint32_t check_of(const Item& i) {
  return (i.producer * 0x9e3779b1u) ^ (i.seq * 0x85ebca6bu) ^ (i.payload * 0xc2b2ae35u) ^ 0x5a5a;
}

struct Producer {
  uint32_t id;
  uint64_t seed;
  uint32_t next_seq;  // items sent so far
};

struct State {
  Queue* queue;
  unsigned producers;  // task producers
  Producer producer[kMaxProducers];
  uint32_t received_seq[kMaxProducers];  // items received from each
  uint64_t received;
} g;

Ticks random_wait(Rng& rng) {
  switch (rng.below(4)) {
    case 0:
      return kNoWait;
    case 1:
      return kForever;  // the consumer keeps going, so this ends
    default:
      return Ticks{rng.between(1, 5)};
  }
}

Item make_item(Producer& p, Rng& rng) {
  Item item{p.id, p.next_seq, static_cast<uint32_t>(rng.next()), 0};
  item.check = check_of(item);
  return item;
}

void producer_main(void* arg) {
  auto& p = *static_cast<Producer*>(arg);
  Rng rng(p.seed);
  while (!stopping()) {
    const Item item = make_item(p, rng);
    Ticks wait = random_wait(rng);
    if (wait == kForever) wait = Ticks{20};  // the consumer may have stopped first
    if (queue_send_back(g.queue, &item, wait)) {
      ++p.next_seq;
      count(Op::kQueue);
    }
    if (rng.one_in(8)) task_delay(Ticks{rng.below(3)});
  }
}

void receive_one(const Item& item) {
  if (item.producer >= kMaxProducers || item.check != check_of(item)) {
    fail("queue: item damaged (producer %u, seq %u)", item.producer, item.seq);
    return;
  }
  uint32_t& expected = g.received_seq[item.producer];
  if (item.seq != expected)
    fail("queue: producer %u's item %u came when %u was due", item.producer, item.seq, expected);
  expected = item.seq + 1;
  ++g.received;
}

void consumer_main(void* arg) {
  Rng rng(seed_of(arg));
  while (!stopping()) {
    Item peeked{}, item{};
    const bool peek = rng.one_in(4);
    if (peek && !queue_peek(g.queue, &peeked, Ticks{rng.between(1, 5)})) continue;
    if (!queue_receive(g.queue, &item, peek ? kNoWait : Ticks{rng.between(0, 5)})) {
      if (peek) fail("queue: an item peeked at was gone when received");
      continue;
    }
    if (peek && (peeked.producer != item.producer || peeked.seq != item.seq))
      fail("queue: peeked at producer %u's %u, received producer %u's %u", peeked.producer,
           peeked.seq, item.producer, item.seq);
    receive_one(item);
    if (rng.one_in(16)) task_yield();
  }
}

void begin(Rng& rng) {
  g = State{};
  auto q = queue_create(rng.between(1, 32), sizeof(Item));
  if (!q) {
    fail("queue: %s", q.error().message);
    return;
  }
  g.queue = *q;
  g.producers = rng.between(1, kMaxProducers - 1);
  for (unsigned i = 0; i < kMaxProducers; ++i) g.producer[i] = Producer{i, rng.next(), 0};
  for (unsigned i = 0; i < g.producers; ++i)
    spawn("q-producer", static_cast<Priority>(rng.between(5, 20)), 4096, producer_main,
          &g.producer[i]);
  spawn("q-consumer", static_cast<Priority>(rng.between(5, 20)), 4096, consumer_main,
        seed_arg(rng));
}

void from_isr(Rng& rng) {
  if (g.queue == nullptr) return;
  Producer& p = g.producer[kMaxProducers - 1];
  const Item item = make_item(p, rng);
  bool woken = false;
  if (queue_send_back_from_isr(g.queue, &item, &woken)) {
    ++p.next_seq;
    count(Op::kQueue);
  }
}

void end() {
  if (g.queue == nullptr) return;
  // What is still queued comes out in order too.
  Item item{};
  const uint64_t queued = queue_messages_waiting(g.queue);
  while (queue_receive(g.queue, &item, kNoWait)) receive_one(item);
  uint64_t sent = 0;
  for (const Producer& p : g.producer) sent += p.next_seq;
  if (sent != g.received)
    fail("queue: %llu items sent, %llu received (%llu of them left queued)",
         static_cast<unsigned long long>(sent), static_cast<unsigned long long>(g.received),
         static_cast<unsigned long long>(queued));
  queue_delete(g.queue);
  g.queue = nullptr;
}

}  // namespace

const Load kQueueLoad{"queue", begin, end, from_isr};

}  // namespace soak
