// Intrusive doubly linked lists: the node lives inside the object, so
// putting a task on a ready, delayed or wait list never allocates.
//
// An object joins a list through a ListNode<Tag> base class; one base per
// list it can be on at the same time (a task: one for the ready/delayed
// lists, one for a wait queue). Going from node to object is then a plain
// static_cast, with no offset arithmetic. Lists are circular around a
// sentinel; all operations are O(1) except insert_sorted and size (O(n)).
// Unlinking a node that is on no list does nothing.
#pragma once

#include <stddef.h>

namespace petrel::kernel {

struct ListLink {
  ListLink* prev = nullptr;
  ListLink* next = nullptr;

  constexpr ListLink() = default;
  ListLink(const ListLink&) = delete;
  ListLink& operator=(const ListLink&) = delete;

  bool linked() const { return next != nullptr; }
  void unlink() {
    if (next != nullptr) unlink_linked();
  }
  // unlink() for a node known to be on a list: no test.
  void unlink_linked() {
    prev->next = next;
    next->prev = prev;
    prev = next = nullptr;
  }
};

template <typename Tag>
struct ListNode : ListLink {};

template <typename T, typename Tag>
class List {
  using Node = ListNode<Tag>;

 public:
  constexpr List() = default;
  List(const List&) = delete;
  List& operator=(const List&) = delete;

  bool empty() const { return head_.next == nullptr || head_.next == &head_; }
  T* front() const { return empty() ? nullptr : owner(head_.next); }
  T* back() const { return empty() ? nullptr : owner(head_.prev); }

  // The element after `t`, or nullptr at the end.
  T* next(const T* t) const {
    const ListLink* n = static_cast<const Node*>(t)->next;
    return n == &head_ ? nullptr : owner(n);
  }

  void push_back(T* t) { insert_before(&head(), link(t)); }
  void push_front(T* t) { insert_before(head().next, link(t)); }

  // Inserts `t` before the first element e for which before(t, e) holds,
  // so equal elements keep FIFO order.
  template <typename Before>
  void insert_sorted(T* t, Before before) {
    ListLink* pos = head().next;
    while (pos != &head_ && !before(t, owner(pos))) pos = pos->next;
    insert_before(pos, link(t));
  }

  T* pop_front() {
    T* t = front();
    if (t != nullptr) remove(t);
    return t;
  }

  static void remove(T* t) { link(t)->unlink(); }
  // remove() for an element known to be on this list (one just found on it).
  static void remove_linked(T* t) { link(t)->unlink_linked(); }
  static bool is_linked(const T* t) { return static_cast<const Node*>(t)->linked(); }

  size_t size() const {
    size_t n = 0;
    for (const ListLink* p = head_.next; p != nullptr && p != &head_; p = p->next) ++n;
    return n;
  }

 private:
  ListLink& head() {
    if (head_.next == nullptr) head_.next = head_.prev = &head_;  // constexpr-constructed
    return head_;
  }
  static ListLink* link(T* t) { return static_cast<Node*>(t); }
  static T* owner(const ListLink* n) {
    return static_cast<T*>(static_cast<Node*>(const_cast<ListLink*>(n)));
  }
  static void insert_before(ListLink* pos, ListLink* n) {
    n->next = pos;
    n->prev = pos->prev;
    pos->prev->next = n;
    pos->prev = n;
  }

  ListLink head_;
};

}  // namespace petrel::kernel
