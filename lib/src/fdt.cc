// Flattened device-tree parser, written from the Devicetree Specification
// (v0.4, chapter 5 "Flattened Devicetree (DTB) Format").
//
// Design: validate once, then walk in place.
//
// open() checks everything a later lookup could trip over, before handing out
// an Fdt: the header fields, that each block lies inside totalsize (64-bit
// arithmetic, so offset + size cannot wrap) and overlaps neither the header
// nor another block, the alignment the format promises, and then every token
// of the structure block from the first to FDT_END: names terminated inside
// the block, property values inside the block, property name offsets inside
// the strings block and terminated there, nesting balanced and at most
// kMaxDepth deep, exactly one root, properties before child nodes.
//
// Bounds argument: all bytes of the structure block are reached through one
// function, decode_as(off). Its callers make sure off is a multiple of 4 below
// the block size (token() checks both for the lookups, so they stay in bounds
// even when handed a Node whose offset is not a real node; a Cursor checks the
// second and its offsets are multiples of 4 by construction). decode_as()
// checks off + 4 <= size before reading the tag and checks every length it
// decodes against the block size (names are searched for their NUL only up to
// the end of the block; property name offsets are checked against the strings
// block likewise). open() walks the block with a Cursor, so a blob that passes
// has been fully decoded once. Every loop over tokens advances by at least 4
// bytes per step, so it ends within size / 4 steps. Where the block sits at a
// 4-byte aligned address, decode_as<true> reads each word with one aligned
// load; elsewhere decode_as<false> reads bytes: the same checks either way.
//
// Property names: a name at offset k of the strings block is NUL-terminated
// inside the block exactly when k is at most the offset of the block's last
// NUL. open() finds that NUL once (scanning back from the end, normally one
// byte), so checking a name costs a compare, not a scan: decode_as() checks
// every property's name that way, for open(), the lookups and a Cursor alike.
//
// The structural rules (one root, balanced nesting at most kMaxDepth deep,
// properties before children) live in Cursor::next() alone, so open()'s
// validation pass and any later one-pass reader apply the same checks.
#include "petrel/fdt.h"

namespace petrel {
namespace {

// Header field offsets (all big-endian 32-bit).
constexpr uint32_t kHdrMagic = 0;
constexpr uint32_t kHdrTotalSize = 4;
constexpr uint32_t kHdrOffStruct = 8;
constexpr uint32_t kHdrOffStrings = 12;
constexpr uint32_t kHdrOffRsvmap = 16;
constexpr uint32_t kHdrVersion = 20;
constexpr uint32_t kHdrLastComp = 24;
constexpr uint32_t kHdrSizeStrings = 32;
constexpr uint32_t kHdrSizeStruct = 36;
constexpr uint32_t kHeaderSizeV16 = 36;
constexpr uint32_t kHeaderSizeV17 = 40;

constexpr uint32_t kBeginNode = 1;
constexpr uint32_t kEndNode = 2;
constexpr uint32_t kProp = 3;
constexpr uint32_t kNop = 4;
constexpr uint32_t kEnd = 9;

constexpr Error invalid(const char* message) {
  return Error{Errc::kInvalid, message};
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

uint64_t be64(const uint8_t* p) {
  return (uint64_t{be32(p)} << 32) | be32(p + 4);
}

// Length of the NUL-terminated string at s, looking at no more than max
// bytes; returns max when there is no NUL among them.
uint32_t bounded_length(const char* s, uint32_t max) {
  uint32_t n = 0;
  while (n < max && s[n] != '\0') ++n;
  return n;
}

size_t length(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

bool equal(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

// Does the (NUL-terminated) node name match the path component [c, c + len)?
// Exactly, or, when the component has no unit address, up to the '@'.
bool component_matches(const char* name, const char* c, size_t len) {
  bool has_unit = false;
  for (size_t i = 0; i < len; ++i) {
    if (name[i] == '\0' || name[i] != c[i]) return false;
    if (c[i] == '@') has_unit = true;
  }
  return name[len] == '\0' || (!has_unit && name[len] == '@');
}

bool overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size) {
  return a_size != 0 && b_size != 0 && a < b + b_size && b < a + a_size;
}

}  // namespace

Result<Fdt> Fdt::open_blocks(const void* blob, size_t max_size, Layout& layout) {
  if (blob == nullptr) return invalid("device tree: null blob pointer");
  const auto* b = static_cast<const uint8_t*>(blob);
  if (max_size < kHdrLastComp + 4) return invalid("device tree: buffer smaller than the header");
  if (be32(b + kHdrMagic) != kMagic) return invalid("device tree: bad magic (not a DTB)");

  const uint32_t version = be32(b + kHdrVersion);
  const uint32_t last_comp = be32(b + kHdrLastComp);
  if (version < 16) return Error{Errc::kUnsupported, "device tree: version older than 16"};
  if (last_comp > 17) {
    return Error{Errc::kUnsupported, "device tree: last_comp_version newer than 17"};
  }
  if (last_comp > version) return invalid("device tree: last_comp_version above version");

  const uint32_t header_size = version >= 17 ? kHeaderSizeV17 : kHeaderSizeV16;
  if (max_size < header_size) return invalid("device tree: buffer smaller than the header");
  const uint32_t total = be32(b + kHdrTotalSize);
  if (total < header_size) return invalid("device tree: totalsize smaller than the header");
  if (total > max_size) return invalid("device tree: totalsize larger than the buffer");

  // Blocks: every offset and size is < 2^32, so 64-bit sums cannot wrap.
  const uint64_t off_struct = be32(b + kHdrOffStruct);
  const uint64_t off_strings = be32(b + kHdrOffStrings);
  const uint64_t off_rsvmap = be32(b + kHdrOffRsvmap);
  const uint64_t size_strings = be32(b + kHdrSizeStrings);

  if (off_struct < header_size) return invalid("device tree: structure block overlaps the header");
  if (off_struct % 4 != 0) return invalid("device tree: structure block not 4-byte aligned");
  if (off_struct > total) return invalid("device tree: structure block offset past totalsize");
  uint64_t struct_limit = total - off_struct;  // version 16: FDT_END marks the end
  if (version >= 17) {
    struct_limit = be32(b + kHdrSizeStruct);
    if (off_struct + struct_limit > total) {
      return invalid("device tree: structure block runs past totalsize");
    }
  }

  if (off_strings < header_size) return invalid("device tree: strings block overlaps the header");
  if (off_strings > total) return invalid("device tree: strings block offset past totalsize");
  if (off_strings + size_strings > total) {
    return invalid("device tree: strings block runs past totalsize");
  }

  // Memory reservation block: 16-byte (address, size) entries up to a zero pair.
  if (off_rsvmap < header_size) {
    return invalid("device tree: memory reservation block overlaps the header");
  }
  if (off_rsvmap % 8 != 0) return invalid("device tree: memory reservation block not 8-aligned");
  uint64_t rsv_end = off_rsvmap;
  for (;;) {
    if (rsv_end + 16 > total) {
      return invalid("device tree: memory reservation block runs past totalsize");
    }
    const bool last = be64(b + rsv_end) == 0 && be64(b + rsv_end + 8) == 0;
    rsv_end += 16;
    if (last) break;
  }

  layout =
      Layout{version, off_struct, struct_limit, off_strings, size_strings, off_rsvmap, rsv_end};
  Fdt fdt;
  fdt.total_ = total;
  fdt.struct_ = b + off_struct;
  fdt.struct_aligned_ = reinterpret_cast<uintptr_t>(fdt.struct_) % 4 == 0;
  fdt.struct_size_ = static_cast<uint32_t>(struct_limit);
  fdt.strings_ = reinterpret_cast<const char*>(b + off_strings);
  fdt.strings_size_ = static_cast<uint32_t>(size_strings);
  uint32_t names_end = fdt.strings_size_;  // one past the last NUL (0: none)
  while (names_end != 0 && fdt.strings_[names_end - 1] != '\0') --names_end;
  fdt.names_end_ = names_end;

  return fdt;
}

// What open() checks once its pass has reached FDT_END at `struct_end - 4`.
Status Fdt::finish(const Layout& l, uint32_t struct_end) {
  if (l.version >= 17 && struct_end != l.struct_limit) {
    return invalid("device tree: data after FDT_END in the structure block");
  }
  struct_size_ = struct_end;

  if (overlaps(l.off_struct, struct_end, l.off_strings, l.size_strings)) {
    return invalid("device tree: structure and strings blocks overlap");
  }
  if (overlaps(l.off_rsvmap, l.rsv_end - l.off_rsvmap, l.off_struct, struct_end) ||
      overlaps(l.off_rsvmap, l.rsv_end - l.off_rsvmap, l.off_strings, l.size_strings)) {
    return invalid("device tree: memory reservation block overlaps another block");
  }
  return ok();
}

Result<Fdt> Fdt::open(const void* blob, size_t max_size) {
  return open_reading(blob, max_size, [](const Item&) { return ok(); });
}

namespace {

// The 4 bytes at p as one word in memory order. kAligned: p is 4-byte
// aligned, so it is one load; otherwise four, as guests build with
// -mstrict-align (before the MMU is on, an unaligned load faults).
template <bool kAligned>
uint32_t raw_word(const uint8_t* p) {
  uint32_t w;
  if constexpr (kAligned) {
    __builtin_memcpy(&w, __builtin_assume_aligned(p, 4), 4);
  } else {
    w = uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
    if constexpr (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) w = __builtin_bswap32(w);
  }
  return w;
}

// The big-endian 32-bit value at p.
template <bool kAligned>
uint32_t word(const uint8_t* p) {
  const uint32_t w = raw_word<kAligned>(p);
  return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap32(w) : w;
}

// One of the 4 bytes at p is zero.
template <bool kAligned>
bool has_zero_byte(const uint8_t* p) {
  const uint32_t w = raw_word<kAligned>(p);
  return ((w - 0x01010101u) & ~w & 0x80808080u) != 0;
}

}  // namespace

// Decodes the token at `off`, checking everything it reads against the blob.
// kAligned: the structure block is 4-byte aligned in memory (every token is).
// Requires off % 4 == 0 and off < struct_size_, which token() checks for the
// lookups and a Cursor's offsets meet by construction (it checks the second).
template <bool kAligned>
[[gnu::always_inline]] inline Result<Fdt::Token> Fdt::decode_as(uint32_t off) const {
  const uint32_t size = struct_size_;
  if (size - off < 4) return invalid("device tree: token outside the structure block");
  const uint8_t* p = struct_ + off;
  Token t{word<kAligned>(p), off + 4, "", nullptr, 0};
  switch (t.tag) {
    case kBeginNode: {
      // The name is padded with NULs to a 4-byte boundary, so the next token
      // starts right after the 4-byte group holding its NUL: look at groups.
      const uint32_t room = size - (off + 4);
      uint32_t group = 0;
      for (;; group += 4) {
        if (room - group < 4) {
          return invalid("device tree: node name runs past the structure block");
        }
        if (has_zero_byte<kAligned>(p + 4 + group)) break;
      }
      t.name = reinterpret_cast<const char*>(p + 4);
      t.next = off + 4 + group + 4;
      return t;
    }
    case kProp: {
      if (size - off < 12) return invalid("device tree: property runs past the structure block");
      t.len = word<kAligned>(p + 4);
      const uint32_t name_off = word<kAligned>(p + 8);
      const uint64_t next = (uint64_t{off} + 12 + t.len + 3) & ~uint64_t{3};
      if (next > size) return invalid("device tree: property runs past the structure block");
      if (name_off >= strings_size_) {
        return invalid("device tree: property name offset past the strings block");
      }
      if (name_off >= names_end_) {  // no NUL after it (see the note at the top)
        return invalid("device tree: property name not terminated in the strings block");
      }
      t.name = strings_ + name_off;
      t.data = p + 12;
      t.next = static_cast<uint32_t>(next);
      return t;
    }
    case kEndNode:
    case kNop:
    case kEnd:
      return t;
    default:
      return invalid("device tree: unknown token in the structure block");
  }
}

Result<Fdt::Token> Fdt::token(uint32_t off) const {
  ++lookup_tokens_;
  if (off % 4 != 0 || off >= struct_size_) {
    return invalid("device tree: token outside the structure block");
  }
  return struct_aligned_ ? decode_as<true>(off) : decode_as<false>(off);
}

Result<Fdt::Item> Fdt::Cursor::next() {
  return fdt_->struct_aligned_ ? next_as<true>() : next_as<false>();
}

template <bool kAligned>
Result<Fdt::Item> Fdt::Cursor::next_as() {
  for (;;) {
    const uint32_t off = off_;
    if (off >= fdt_->struct_size_) {
      return invalid("device tree: structure block ends without FDT_END");
    }
    PETREL_TRY(t, fdt_->decode_as<kAligned>(off));
    switch (t.tag) {
      case kBeginNode:
        if (depth_ == 0 && seen_root_) return invalid("device tree: more than one root node");
        if (depth_ != 0 && t.name[0] == '\0') return invalid("device tree: empty node name");
        if (depth_ == kMaxDepth) return invalid("device tree: nodes nested too deeply");
        seen_root_ = true;
        in_props_ = true;
        off_ = t.next;
        return Item{Item::Kind::kBeginNode, ++depth_, Node{off}, t.name, Property{nullptr, 0}};
      case kProp:
        if (depth_ == 0) return invalid("device tree: property outside any node");
        if (!in_props_) return invalid("device tree: property after a child node");
        off_ = t.next;
        return Item{Item::Kind::kProperty, depth_, Node{off}, t.name, Property{t.data, t.len}};
      case kEndNode:
        if (depth_ == 0) return invalid("device tree: FDT_END_NODE without FDT_BEGIN_NODE");
        in_props_ = false;
        off_ = t.next;
        return Item{Item::Kind::kEndNode, depth_--, Node{off}, "", Property{nullptr, 0}};
      case kEnd:
        if (depth_ != 0) return invalid("device tree: FDT_END inside an unclosed node");
        if (!seen_root_) return invalid("device tree: no root node");
        return Item{Item::Kind::kEnd, 0, Node{off}, "", Property{nullptr, 0}};
      default:  // kNop
        off_ = t.next;
        break;
    }
  }
}

// The aligned reading on its own, for Fdt::read_pass<true> (open_reading_aligned).
template Result<Fdt::Item> Fdt::Cursor::next_as<true>();

Result<Fdt::Token> Fdt::node_token(Node n) const {
  PETREL_TRY(t, token(n.offset));
  if (t.tag != kBeginNode) return invalid("device tree: not a node");
  return t;
}

bool Fdt::is_node(uint32_t off) const {
  return node_token(Node{off}).ok();
}

Result<uint32_t> Fdt::skip_nops(uint32_t off) const {
  for (;;) {
    PETREL_TRY(t, token(off));
    if (t.tag != kNop) return off;
    off = t.next;
  }
}

Result<uint32_t> Fdt::skip_node(uint32_t off) const {
  uint32_t depth = 0;
  for (;;) {
    PETREL_TRY(t, token(off));
    if (t.tag == kBeginNode) {
      ++depth;
    } else if (t.tag == kEndNode) {
      if (depth == 0) return invalid("device tree: not a node");
      if (--depth == 0) return t.next;
    } else if (t.tag == kEnd) {
      return invalid("device tree: unbalanced node");
    }
    off = t.next;
  }
}

bool Fdt::next_node(uint32_t* off) const {
  auto t = token(*off);
  while (t.ok() && t->tag != kEnd) {
    const uint32_t at = t->next;
    t = token(at);
    if (t.ok() && t->tag == kBeginNode) {
      *off = at;
      return true;
    }
  }
  return false;
}

Result<Fdt::Node> Fdt::first_child(Node n) const {
  PETREL_TRY(t, node_token(n));
  uint32_t off = t.next;
  for (;;) {
    PETREL_TRY(u, token(off));
    if (u.tag == kBeginNode) return Node{off};
    if (u.tag != kProp && u.tag != kNop) break;
    off = u.next;
  }
  return Error{Errc::kNotFound, "device tree: node has no children"};
}

Result<Fdt::Node> Fdt::next_sibling(Node n) const {
  if (!is_node(n.offset)) return invalid("device tree: not a node");
  PETREL_TRY(after, skip_node(n.offset));
  PETREL_TRY(off, skip_nops(after));
  if (is_node(off)) return Node{off};
  return Error{Errc::kNotFound, "device tree: no next sibling"};
}

Result<Fdt::Node> Fdt::parent(Node n) const {
  uint32_t stack[kMaxDepth];
  uint32_t depth = 0;
  uint32_t off = root_;
  for (;;) {
    PETREL_TRY(t, token(off));
    if (t.tag == kBeginNode) {
      if (off == n.offset) {
        if (depth == 0) return Error{Errc::kNotFound, "device tree: the root has no parent"};
        return Node{stack[depth - 1]};
      }
      if (depth == kMaxDepth) return invalid("device tree: nodes nested too deeply");
      stack[depth++] = off;
    } else if (t.tag == kEndNode) {
      if (depth == 0) break;
      --depth;
    } else if (t.tag == kEnd) {
      break;
    }
    off = t.next;
  }
  return Error{Errc::kNotFound, "device tree: not a node"};
}

const char* Fdt::name(Node n) const {
  if (n.offset == root_) return "";
  auto t = node_token(n);
  return t.ok() ? t->name : "";
}

Result<Fdt::Node> Fdt::child_named(Node n, const char* component, size_t len) const {
  for (auto child = first_child(n); child.ok(); child = next_sibling(*child)) {
    if (component_matches(name(*child), component, len)) return *child;
  }
  return Error{Errc::kNotFound, "device tree: no node at that path"};
}

Result<Fdt::Node> Fdt::find(const char* path) const {
  if (path == nullptr || path[0] != '/') {
    return invalid("device tree: path must start with '/'");
  }
  if (!is_node(root_)) return Error{Errc::kNotFound, "device tree: empty tree"};
  Node n = root();
  const char* p = path;
  for (;;) {
    while (*p == '/') ++p;
    if (*p == '\0') return n;
    size_t len = 0;
    while (p[len] != '\0' && p[len] != '/') ++len;
    PETREL_TRY(child, child_named(n, p, len));
    n = child;
    p += len;
  }
}

Result<Fdt::Property> Fdt::property(Node n, const char* name) const {
  PETREL_TRY(t, node_token(n));
  uint32_t off = t.next;
  for (;;) {
    PETREL_TRY(u, token(off));
    if (u.tag == kProp) {
      if (equal(u.name, name)) return Property{u.data, u.len};
    } else if (u.tag != kNop) {
      break;
    }
    off = u.next;
  }
  return Error{Errc::kNotFound, "device tree: no such property"};
}

Result<uint32_t> Fdt::read_u32(Node n, const char* name) const {
  PETREL_TRY(p, property(n, name));
  if (p.size != 4) return invalid("device tree: property is not a single 32-bit cell");
  return be32(p.data);
}

Result<const char*> Fdt::read_string(Node n, const char* name) const {
  PETREL_TRY(p, property(n, name));
  const char* s = reinterpret_cast<const char*>(p.data);
  if (bounded_length(s, p.size) == p.size) {
    return invalid("device tree: string property not NUL-terminated");
  }
  return s;
}

bool Fdt::is_compatible(Node n, const char* compat) const {
  auto p = property(n, "compatible");
  if (!p.ok()) return false;
  const char* list = reinterpret_cast<const char*>(p->data);
  const uint32_t size = p->size;
  const size_t want = length(compat);
  uint32_t at = 0;
  while (at < size) {
    const uint32_t len = bounded_length(list + at, size - at);
    if (len == want && len < size - at) {  // an unterminated tail never matches
      uint32_t i = 0;
      while (i < len && list[at + i] == compat[i]) ++i;
      if (i == len) return true;
    }
    at += len + 1;
  }
  return false;
}

Result<Fdt::Node> Fdt::find_compatible(const char* compat) const {
  uint32_t off = root_;
  if (is_node(off)) {
    do {
      if (is_compatible(Node{off}, compat)) return Node{off};
    } while (next_node(&off));
  }
  return Error{Errc::kNotFound, "device tree: no compatible node"};
}

Result<Fdt::Property> Fdt::optional_property(Node n, const char* name) const {
  auto p = property(n, name);
  if (!p.ok() && p.error().code == Errc::kNotFound) return Property{nullptr, 0};
  return p;
}

Result<Fdt::Reg> Fdt::read_reg(Node n, size_t index) const {
  PETREL_TRY(up, parent(n));
  PETREL_TRY(address_cells, optional_property(up, "#address-cells"));
  PETREL_TRY(size_cells, optional_property(up, "#size-cells"));
  PETREL_TRY(reg, optional_property(n, "reg"));
  return reg_entry(RegCells{address_cells, size_cells}, reg, index);
}

namespace {

// "#address-cells" or "#size-cells": absent means `fallback`; at most 2.
Result<uint32_t> cell_count(Fdt::Property p, uint32_t fallback) {
  if (!p.present()) return fallback;
  if (p.size != 4) return invalid("device tree: property is not a single 32-bit cell");
  const uint32_t v = be32(p.data);
  if (v > 2) return Error{Errc::kUnsupported, "device tree: more than 2 address or size cells"};
  return v;
}

}  // namespace

Result<Fdt::Reg> Fdt::reg_entry(RegCells parent, Property reg, size_t index) {
  PETREL_TRY(address_cells, cell_count(parent.address_cells, 2));
  PETREL_TRY(size_cells, cell_count(parent.size_cells, 1));
  if (!reg.present()) return Error{Errc::kNotFound, "device tree: no such property"};
  const uint32_t entry = (address_cells + size_cells) * 4;
  if (entry == 0) return invalid("device tree: reg with zero address and size cells");
  if (reg.size % entry != 0) return invalid("device tree: reg length not a multiple of an entry");
  if (index >= reg.size / entry) {
    return Error{Errc::kOutOfRange, "device tree: reg index past the last entry"};
  }
  const uint8_t* p = reg.data + index * entry;
  Reg r{0, 0};
  for (uint32_t i = 0; i < address_cells; ++i, p += 4) r.base = (r.base << 32) | be32(p);
  for (uint32_t i = 0; i < size_cells; ++i, p += 4) r.size = (r.size << 32) | be32(p);
  return r;
}

}  // namespace petrel
