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
// Two ways to read: lookups (find, property, parent, find_compatible, ...),
// each of which walks the tree from a node or from the root, and a Cursor,
// which reads the whole structure block once, front to back. A reader that
// wants many facts (parse_board) takes one Cursor pass instead of a lookup
// per fact.
//
// Multi-byte values are read byte by byte (big-endian), never through a wider
// pointer: the blob may be unaligned and the code may run with the MMU off.
// The one exception is the structure block's tokens when the block sits at a
// 4-byte aligned address (always, for a blob placed as the boot protocol
// asks): each 32-bit word is then one aligned load.
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

  struct Item;
  // open() and one reader in one pass over the structure block: the blob is
  // validated exactly as open() does, and `reader(item)` (returning Status)
  // is handed every Item a Cursor would give, in order, as the pass checks
  // it. open()'s last checks (what follows FDT_END, the blocks' overlaps)
  // are made before the reader sees kEnd. An error from the reader stops the
  // pass and is returned. Whatever the reader kept may only be trusted once
  // this succeeded. One pass in reads(), not two.
  template <typename Reader>
  static Result<Fdt> open_reading(const void* blob, size_t max_size, Reader&& reader) {
    return read_pass<false>(blob, max_size, reader);
  }
  // The same for a blob whose structure block is 4-byte aligned in memory,
  // as a boot protocol places a device tree (Xen: on a 2 MiB boundary):
  // any other is refused ("device tree: structure block not 4-byte aligned
  // in memory"), so the byte-by-byte reading of unaligned blobs is not
  // linked into a reader that uses only this.
  template <typename Reader>
  static Result<Fdt> open_reading_aligned(const void* blob, size_t max_size, Reader&& reader) {
    return read_pass<true>(blob, max_size, reader);
  }

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
    // Where a property may be missing (reg_entry(), one-pass readers), it is
    // given as {nullptr, 0}; a present one, even empty, points into the blob.
    constexpr bool present() const { return data != nullptr; }
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

  // The "#address-cells" and "#size-cells" properties of a node, which give
  // the layout of its children's reg (absent: not present(), meaning 2 and 1).
  struct RegCells {
    Property address_cells;
    Property size_cells;
  };
  // What read_reg() does once it has the properties, with the same checks and
  // errors in the same order (cell counts first, then reg itself): entry
  // `index` of `reg` (absent: kNotFound) laid out as `parent` says. For
  // readers that collected the properties in one pass.
  static Result<Reg> reg_entry(RegCells parent, Property reg, size_t index);

  // Calls f(Node) for every node in document order (the root first).
  template <typename F>
  void for_each_node(F&& f) const {
    uint32_t off = root_;
    if (!is_node(off)) return;
    do {
      f(Node{off});
    } while (next_node(&off));
  }

  // One token of the structure block, as a Cursor hands it out.
  struct Item {
    enum class Kind : uint8_t { kBeginNode, kProperty, kEndNode, kEnd };
    Kind kind;
    uint32_t depth;    // of the node begun, ended, or holding the property (root: 1)
    Node node;         // where the token is; for kBeginNode, the node itself
    const char* name;  // kBeginNode: node name ("" for the root); kProperty: property name
    Property value;    // kProperty: the value
  };

  // Reads the structure block once, front to back, NOPs skipped: every node
  // as kBeginNode, then its properties, then its children, then kEndNode;
  // kEnd at FDT_END (and again on every later call).
  //
  // What the cursor guarantees, whatever the blob holds: it never reads
  // outside the structure block; depth stays within 1..kMaxDepth; properties
  // come only straight after their node's kBeginNode (or its other
  // properties), never after a child; nodes end in order, there is one root,
  // and kEnd comes only once every node has ended. A block that breaks any of
  // this gives an error ("device tree: ...") and the cursor stops there.
  //
  // open() reads the block with a Cursor too: that is its validation pass
  // (and open_reading()'s reader sees that pass's items).
  class Cursor {
    friend class Fdt;  // read_pass<true> takes the aligned reading alone

   public:
    explicit Cursor(const Fdt& fdt) : fdt_(&fdt) { ++fdt.passes_; }
    Result<Item> next();

   private:
    template <bool kAligned>
    Result<Item> next_as();

    const Fdt* fdt_;
    uint32_t off_ = 0;
    uint32_t depth_ = 0;
    bool in_props_ = false;  // a property may come next
    bool seen_root_ = false;
  };

  // How this Fdt has been read, for tests and benchmarks that check what a
  // reader costs: passes = Cursors made (open()'s validation is the first);
  // lookup_tokens = tokens decoded by the lookups (find, property, parent...).
  struct Reads {
    uint32_t passes;
    uint32_t lookup_tokens;
  };
  Reads reads() const { return Reads{passes_, lookup_tokens_}; }

 private:
  // What open_blocks() found, for finish().
  struct Layout {
    uint32_t version;
    uint64_t off_struct, struct_limit, off_strings, size_strings, off_rsvmap, rsv_end;
  };
  // open()'s checks before its pass (header, blocks, reservation map) and
  // after it (at FDT_END, offset struct_end - 4).
  static Result<Fdt> open_blocks(const void* blob, size_t max_size, Layout& layout);
  template <bool kAlignedOnly, typename Reader>
  static Result<Fdt> read_pass(const void* blob, size_t max_size, Reader& reader);
  Status finish(const Layout& layout, uint32_t struct_end);

  // One decoded token of the structure block.
  struct Token {
    uint32_t tag;
    uint32_t next;        // offset of the following token
    const char* name;     // BEGIN_NODE: node name; PROP: property name
    const uint8_t* data;  // PROP: value
    uint32_t len;         // PROP: value length
  };

  template <bool kAligned>
  Result<Token> decode_as(uint32_t off) const;
  Result<Token> token(uint32_t off) const;  // decode_as() for the lookups, counted
  Result<Token> node_token(Node n) const;
  Result<uint32_t> skip_node(uint32_t off) const;  // offset just past the node's END_NODE
  Result<uint32_t> skip_nops(uint32_t off) const;  // offset of the next non-NOP token
  Result<Node> child_named(Node n, const char* component, size_t len) const;
  Result<Property> optional_property(Node n, const char* name) const;
  bool is_node(uint32_t off) const;
  bool next_node(uint32_t* off) const;

  uint32_t total_ = 0;
  const uint8_t* struct_ = nullptr;  // structure block
  bool struct_aligned_ = false;      // at a 4-byte aligned address: word loads
  uint32_t struct_size_ = 0;
  const char* strings_ = nullptr;  // strings block
  uint32_t strings_size_ = 0;
  uint32_t names_end_ = 0;  // one past the strings block's last NUL
  uint32_t root_ = 0;
  mutable uint32_t passes_ = 0;  // see reads()
  mutable uint32_t lookup_tokens_ = 0;
};

template <bool kAlignedOnly, typename Reader>
Result<Fdt> Fdt::read_pass(const void* blob, size_t max_size, Reader& reader) {
  Layout layout{};  // (set by open_blocks on success; zeroed for GCC's flow analysis)
  PETREL_TRY(fdt, open_blocks(blob, max_size, layout));
  if (kAlignedOnly && !fdt.struct_aligned_)
    return Error{Errc::kInvalid, "device tree: structure block not 4-byte aligned in memory"};
  Cursor pass(fdt);  // the validation pass: every token decoded and checked once
  for (;;) {
    auto next = [&pass] {
      if constexpr (kAlignedOnly) {
        return pass.next_as<true>();
      } else {
        return pass.next();
      }
    };
    PETREL_TRY(item, next());
    if (item.kind == Item::Kind::kBeginNode && item.depth == 1) fdt.root_ = item.node.offset;
    if (item.kind == Item::Kind::kEnd) {
      if (Status s = fdt.finish(layout, item.node.offset + 4); !s) return s.error();
    }
    if (Status s = reader(static_cast<const Item&>(item)); !s) return s.error();
    if (item.kind == Item::Kind::kEnd) return fdt;
  }
}

}  // namespace petrel
