// A read-only parser for flattened device-tree blobs (FDT/DTB, version 17,
// also reads 16), freestanding: no libc, no heap, no exceptions.
//
// Fdt::open() checks the whole blob once (header, block layout, every token of
// the structure block). Once it succeeds, lookups walk the blob in place and
// hand out pointers into it, so the blob must stay mapped and unchanged for as
// long as the Fdt (or any name, string or Property taken from it) is used.
// Every accessor still bounds-checks what it reads, so even a Node with a
// made-up offset cannot make it read outside the blob.
//
// Multi-byte values are read byte by byte (big-endian), never through a wider
// pointer: the blob may be unaligned and the code may run with the MMU off.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "petrel/result.h"

namespace petrel {

class Fdt {
 public:
  static constexpr uint32_t kMagic = 0xd00dfeed;
  static constexpr uint32_t kMaxDepth = 32;  // nesting limit, the root counts as 1

  // An empty tree: every lookup fails. Use open() to get a real one.
  Fdt() = default;

  // Validates the whole blob; max_size is how many bytes at `blob` may be read.
  static Result<Fdt> open(const void* blob, size_t max_size);

  uint32_t total_size() const { return total_; }

  // A node, named by the offset of its FDT_BEGIN_NODE token in the structure block.
  struct Node {
    uint32_t offset;
    friend constexpr bool operator==(Node a, Node b) { return a.offset == b.offset; }
  };

  Node root() const { return Node{root_}; }

  // Absolute path: "/", "/chosen", "/cpus/cpu@0". A component without "@unit"
  // also matches a node whose name before '@' equals it (first one wins).
  Result<Node> find(const char* path) const;
  Result<Node> first_child(Node n) const;
  Result<Node> next_sibling(Node n) const;
  Result<Node> parent(Node n) const;  // walks from the root: O(size of the tree)

  // The full node name including any unit address; "" for the root (and for
  // anything that is not a node).
  const char* name(Node n) const;

  struct Property {
    const uint8_t* data;  // points into the blob; not aligned
    uint32_t size;
  };
  Result<Property> property(Node n, const char* name) const;
  Result<uint32_t> read_u32(Node n, const char* name) const;        // exactly one big-endian cell
  Result<const char*> read_string(Node n, const char* name) const;  // NUL within its length

  // True if `compat` is one of the strings of the node's "compatible" list.
  bool is_compatible(Node n, const char* compat) const;
  // The first node in document order compatible with `compat`.
  Result<Node> find_compatible(const char* compat) const;

  // Entry `index` of "reg", decoded with the parent's #address-cells (default
  // 2) and #size-cells (default 1); both must be at most 2.
  struct Reg {
    uint64_t base;
    uint64_t size;
  };
  Result<Reg> read_reg(Node n, size_t index) const;

  // Calls f(Node) for every node in document order (the root first).
  template <typename F>
  void for_each_node(F&& f) const {
    uint32_t off = root_;
    if (!is_node(off)) return;
    do {
      f(Node{off});
    } while (next_node(&off));
  }

 private:
  // One decoded token of the structure block.
  struct Token {
    uint32_t tag;
    uint32_t next;        // offset of the following token
    const char* name;     // BEGIN_NODE: node name; PROP: property name
    const uint8_t* data;  // PROP: value
    uint32_t len;         // PROP: value length
  };

  Result<Token> token(uint32_t off) const;
  Result<Token> node_token(Node n) const;
  Result<uint32_t> skip_node(uint32_t off) const;  // offset just past the node's END_NODE
  Result<uint32_t> skip_nops(uint32_t off) const;  // offset of the next non-NOP token
  Result<Node> child_named(Node n, const char* component, size_t len) const;
  Result<uint32_t> cells(Node n, const char* name, uint32_t fallback) const;
  bool is_node(uint32_t off) const;
  bool next_node(uint32_t* off) const;
  Status walk(uint32_t limit, uint32_t* end);

  uint32_t total_ = 0;
  const uint8_t* struct_ = nullptr;  // structure block
  uint32_t struct_size_ = 0;
  const char* strings_ = nullptr;  // strings block
  uint32_t strings_size_ = 0;
  uint32_t root_ = 0;
};

}  // namespace petrel
