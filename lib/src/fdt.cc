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
// function, token(off), which checks off + 4 <= size before reading the tag
// and checks every length it decodes against the block size (names are
// searched for their NUL only up to the end of the block; property name
// offsets are checked against the strings block likewise). open() walks the
// block with that same function, so a blob that passes has been fully decoded
// once. The accessors use token() too, so they stay in bounds even when handed
// a Node whose offset is not a real node. Every loop over tokens advances by
// at least 4 bytes per step, so it ends within size / 4 steps.
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

Result<Fdt> Fdt::open(const void* blob, size_t max_size) {
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

  Fdt fdt;
  fdt.total_ = total;
  fdt.struct_ = b + off_struct;
  fdt.struct_size_ = static_cast<uint32_t>(struct_limit);
  fdt.strings_ = reinterpret_cast<const char*>(b + off_strings);
  fdt.strings_size_ = static_cast<uint32_t>(size_strings);

  uint32_t struct_end = 0;
  Status walked = fdt.walk(fdt.struct_size_, &struct_end);
  if (!walked) return walked.error();
  if (version >= 17 && struct_end != struct_limit) {
    return invalid("device tree: data after FDT_END in the structure block");
  }
  fdt.struct_size_ = struct_end;

  if (overlaps(off_struct, struct_end, off_strings, size_strings)) {
    return invalid("device tree: structure and strings blocks overlap");
  }
  if (overlaps(off_rsvmap, rsv_end - off_rsvmap, off_struct, struct_end) ||
      overlaps(off_rsvmap, rsv_end - off_rsvmap, off_strings, size_strings)) {
    return invalid("device tree: memory reservation block overlaps another block");
  }
  return fdt;
}

// Decodes the token at `off`, checking everything it reads against the block.
Result<Fdt::Token> Fdt::token(uint32_t off) const {
  const uint32_t size = struct_size_;
  if (off % 4 != 0 || off >= size || size - off < 4) {
    return invalid("device tree: token outside the structure block");
  }
  Token t{be32(struct_ + off), off + 4, "", nullptr, 0};
  switch (t.tag) {
    case kBeginNode: {
      const char* name = reinterpret_cast<const char*>(struct_ + off + 4);
      const uint32_t room = size - (off + 4);
      const uint32_t len = bounded_length(name, room);
      if (len == room) return invalid("device tree: node name runs past the structure block");
      const uint64_t next = (uint64_t{off} + 4 + len + 1 + 3) & ~uint64_t{3};
      if (next > size) return invalid("device tree: node name runs past the structure block");
      t.name = name;
      t.next = static_cast<uint32_t>(next);
      return t;
    }
    case kProp: {
      if (size - off < 12) return invalid("device tree: property runs past the structure block");
      t.len = be32(struct_ + off + 4);
      const uint32_t name_off = be32(struct_ + off + 8);
      const uint64_t next = (uint64_t{off} + 12 + t.len + 3) & ~uint64_t{3};
      if (next > size) return invalid("device tree: property runs past the structure block");
      if (name_off >= strings_size_) {
        return invalid("device tree: property name offset past the strings block");
      }
      t.name = strings_ + name_off;
      if (bounded_length(t.name, strings_size_ - name_off) == strings_size_ - name_off) {
        return invalid("device tree: property name not terminated in the strings block");
      }
      t.data = struct_ + off + 12;
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

// Validation walk over the whole structure block (see the note at the top).
Status Fdt::walk(uint32_t limit, uint32_t* end) {
  uint32_t off = 0;
  uint32_t depth = 0;
  uint32_t prev = kEnd;  // last token other than NOP
  bool have_root = false;
  for (;;) {
    if (off >= limit) return invalid("device tree: structure block ends without FDT_END");
    PETREL_TRY(t, token(off));
    switch (t.tag) {
      case kBeginNode:
        if (depth == 0) {
          if (have_root) return invalid("device tree: more than one root node");
          have_root = true;
          root_ = off;
        } else if (t.name[0] == '\0') {
          return invalid("device tree: empty node name");
        }
        if (depth == kMaxDepth) return invalid("device tree: nodes nested too deeply");
        ++depth;
        break;
      case kEndNode:
        if (depth == 0) return invalid("device tree: FDT_END_NODE without FDT_BEGIN_NODE");
        --depth;
        break;
      case kProp:
        if (depth == 0) return invalid("device tree: property outside any node");
        if (prev != kBeginNode && prev != kProp) {
          return invalid("device tree: property after a child node");
        }
        break;
      case kNop:
        break;
      case kEnd:
        if (depth != 0) return invalid("device tree: FDT_END inside an unclosed node");
        if (!have_root) return invalid("device tree: no root node");
        *end = t.next;
        return ok();
    }
    if (t.tag != kNop) prev = t.tag;
    off = t.next;
  }
}

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

Result<uint32_t> Fdt::cells(Node n, const char* name, uint32_t fallback) const {
  auto v = read_u32(n, name);
  if (!v.ok()) return v.error().code == Errc::kNotFound ? Result<uint32_t>(fallback) : v;
  if (*v > 2) return Error{Errc::kUnsupported, "device tree: more than 2 address or size cells"};
  return v;
}

Result<Fdt::Reg> Fdt::read_reg(Node n, size_t index) const {
  PETREL_TRY(up, parent(n));
  PETREL_TRY(address_cells, cells(up, "#address-cells", 2));
  PETREL_TRY(size_cells, cells(up, "#size-cells", 1));
  PETREL_TRY(reg, property(n, "reg"));
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
