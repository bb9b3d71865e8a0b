// The lookup-based parse_board() that the one-pass one in lib/src/board.cc
// replaced, kept unchanged as a reference: board_test.cc checks that both give
// the same BoardInfo, or the same error code and message, on every tree it
// generates or mutates. Each lookup walks the tree (find_compatible per string
// tried, parent() per reg read), so it is slow; it is for tests only.
#pragma once

#include "petrel/board.h"
#include "petrel/fdt.h"

namespace petrel::reference {

using Node = Fdt::Node;

constexpr Error invalid(const char* message) {
  return Error{Errc::kInvalid, message};
}

inline uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

inline bool equal(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

inline bool missing(const Error& e) {
  return e.code == Errc::kNotFound || e.code == Errc::kOutOfRange;
}

// reg entry `index`; a missing entry becomes `message`, other errors pass through.
inline Result<Fdt::Reg> reg(const Fdt& fdt, Node n, size_t index, const char* message) {
  auto r = fdt.read_reg(n, index);
  if (!r.ok() && missing(r.error())) return Error{Errc::kNotFound, message};
  return r;
}

// The nearest interrupt-parent of `n` (its own or an ancestor's) must be the GIC.
inline Status routed_to_gic(const Fdt& fdt, Node n, Node gic) {
  for (Result<Node> at = n; at.ok(); at = fdt.parent(*at)) {
    auto ip = fdt.read_u32(*at, "interrupt-parent");
    if (!ip.ok()) {
      if (ip.error().code == Errc::kNotFound) continue;
      return invalid("board: interrupt-parent is not a single phandle cell");
    }
    auto ph = fdt.read_u32(gic, "phandle");
    if (!ph.ok()) ph = fdt.read_u32(gic, "linux,phandle");
    if (ph.ok() && *ph == *ip) return ok();
    return Error{Errc::kUnsupported, "board: interrupt-parent is not the GIC"};
  }
  return ok();  // no interrupt-parent anywhere: the GIC is the only controller
}

// The "interrupts" of `n` as GIC triples; kNotFound when the node has none.
inline Result<Fdt::Property> gic_interrupts(const Fdt& fdt, Node n, Node gic) {
  PETREL_TRY(p, fdt.property(n, "interrupts"));
  auto cells = fdt.read_u32(gic, "#interrupt-cells");
  if (!cells.ok() || *cells != 3) {
    return Error{Errc::kUnsupported, "board: GIC #interrupt-cells is missing or not 3"};
  }
  if (p.size == 0 || p.size % 12 != 0) {
    return invalid("board: interrupts length is not a multiple of 3 cells");
  }
  if (Status s = routed_to_gic(fdt, n, gic); !s) return s.error();
  return p;
}

// Triple `index` (in range) of an interrupts property -> GIC INTID.
inline Result<uint32_t> intid(const Fdt::Property& irqs, uint32_t index) {
  const uint8_t* t = irqs.data + index * 12;
  const uint32_t type = be32(t);
  const uint32_t number = be32(t + 4);
  if (type == 1) {
    if (number >= 16) return invalid("board: PPI number above 15");
    return 16 + number;
  }
  if (type == 0) {
    if (number >= 988) return invalid("board: SPI number above 987");
    return 32 + number;
  }
  return Error{Errc::kUnsupported, "board: interrupt type is neither SPI (0) nor PPI (1)"};
}

// The first interrupt of `n`, or 0 when it has no "interrupts".
inline Result<uint32_t> optional_irq(const Fdt& fdt, Node n, Node gic) {
  auto irqs = gic_interrupts(fdt, n, gic);
  if (irqs.ok()) return intid(*irqs, 0);
  if (irqs.error().code == Errc::kNotFound) return 0u;
  return irqs.error();
}

inline Status parse_memory(const Fdt& fdt, BoardInfo& info) {
  Status status;
  fdt.for_each_node([&](Node n) {
    if (!status) return;
    auto type = fdt.read_string(n, "device_type");
    if (!type.ok() || !equal(*type, "memory")) return;
    for (size_t i = 0;; ++i) {
      auto r = fdt.read_reg(n, i);
      if (!r.ok()) {
        if (!missing(r.error())) {
          status = r.error();
        } else if (i == 0) {
          status = invalid("board: memory node without reg entries");
        }
        return;
      }
      if (r->size == 0) continue;
      if (r->base + r->size < r->base) {
        status = invalid("board: memory range wraps around the address space");
        return;
      }
      if (info.memory_count == BoardInfo::kMaxMemoryRanges) continue;  // ignore the excess
      if (info.memory_total + r->size < info.memory_total) {
        status = invalid("board: total memory size overflows");
        return;
      }
      info.memory[info.memory_count++] = MemRange{r->base, r->size};
      info.memory_total += r->size;
    }
  });
  if (!status) return status;
  if (info.memory_count == 0) {
    return Error{Errc::kNotFound, "board: no memory (no node with device_type \"memory\")"};
  }
  return ok();
}

inline Result<Node> parse_gic(const Fdt& fdt, BoardInfo& info) {
  static constexpr const char* kV2[] = {"arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic"};
  auto gic = fdt.find_compatible("arm,gic-v3");
  if (gic.ok()) {
    info.gic_version = GicVersion::kV3;
    PETREL_TRY(d, reg(fdt, *gic, 0, "board: GICv3 node lacks the distributor reg"));
    PETREL_TRY(r, reg(fdt, *gic, 1, "board: GICv3 node lacks the redistributor reg"));
    info.gicd = MemRange{d.base, d.size};
    info.gicr = MemRange{r.base, r.size};
    return gic;
  }
  for (const char* compat : kV2) {
    gic = fdt.find_compatible(compat);
    if (!gic.ok()) continue;
    info.gic_version = GicVersion::kV2;
    PETREL_TRY(d, reg(fdt, *gic, 0, "board: GICv2 node lacks the distributor reg"));
    PETREL_TRY(c, reg(fdt, *gic, 1, "board: GICv2 node lacks the CPU interface reg"));
    info.gicd = MemRange{d.base, d.size};
    info.gicc = MemRange{c.base, c.size};
    return gic;
  }
  return Error{Errc::kNotFound,
               "board: no GIC (arm,gic-v3, arm,gic-400, arm,cortex-a15-gic, arm,cortex-a9-gic)"};
}

inline Status parse_timer(const Fdt& fdt, Node gic, BoardInfo& info) {
  auto timer = fdt.find_compatible("arm,armv8-timer");
  if (!timer.ok()) timer = fdt.find_compatible("arm,armv7-timer");
  if (!timer.ok()) return ok();  // optional
  auto irqs = gic_interrupts(fdt, *timer, gic);
  if (!irqs.ok()) {
    if (irqs.error().code == Errc::kNotFound) return invalid("board: timer node has no interrupts");
    return irqs.error();
  }
  // Xen gives domUs three (secure phys, non-secure phys, virtual); hardware
  // trees add the hypervisor timer as a fourth.
  if (irqs->size < 3 * 12) return invalid("board: timer needs at least 3 interrupts");
  PETREL_TRY(phys, intid(*irqs, 1));
  PETREL_TRY(virt, intid(*irqs, 2));
  info.timer_phys_irq = phys;
  info.timer_virt_irq = virt;
  auto freq = fdt.read_u32(*timer, "clock-frequency");
  if (freq.ok()) {
    info.timer_frequency = *freq;
  } else if (freq.error().code != Errc::kNotFound) {
    return invalid("board: timer clock-frequency is not a single cell");
  }
  return ok();
}

inline Status parse_chosen(const Fdt& fdt, BoardInfo& info) {
  info.bootargs = "";
  auto chosen = fdt.find("/chosen");
  if (!chosen.ok()) return ok();
  auto args = fdt.read_string(*chosen, "bootargs");
  if (args.ok()) {
    info.bootargs = *args;
  } else if (args.error().code != Errc::kNotFound) {
    return invalid("board: /chosen/bootargs is not a NUL-terminated string");
  }
  return ok();
}

inline Status parse_vpl011(const Fdt& fdt, Node gic, BoardInfo& info) {
  auto uart = fdt.find_compatible("arm,sbsa-uart");
  if (!uart.ok()) return ok();
  PETREL_TRY(r, reg(fdt, *uart, 0, "board: vpl011 (arm,sbsa-uart) node has no reg"));
  PETREL_TRY(irq, optional_irq(fdt, *uart, gic));
  info.has_vpl011 = true;
  info.vpl011 = MemRange{r.base, r.size};
  info.vpl011_irq = irq;
  return ok();
}

inline Status parse_hypervisor(const Fdt& fdt, Node gic, BoardInfo& info) {
  auto hyp = fdt.find("/hypervisor");
  if (!hyp.ok() || !fdt.is_compatible(*hyp, "xen,xen")) return ok();
  auto grant = fdt.read_reg(*hyp, 0);
  if (grant.ok()) {
    info.grant_table = MemRange{grant->base, grant->size};
  } else if (!missing(grant.error())) {
    return grant.error();
  }
  PETREL_TRY(irq, optional_irq(fdt, *hyp, gic));
  info.evtchn_irq = irq;
  info.has_hypervisor = true;
  return ok();
}

inline Result<BoardInfo> parse_board(const Fdt& fdt) {
  BoardInfo info{};
  info.gic_version = GicVersion::kNone;
  info.bootargs = "";
  if (Status s = parse_memory(fdt, info); !s) return s.error();
  PETREL_TRY(gic, parse_gic(fdt, info));
  if (Status s = parse_timer(fdt, gic, info); !s) return s.error();
  if (Status s = parse_chosen(fdt, info); !s) return s.error();
  if (Status s = parse_vpl011(fdt, gic, info); !s) return s.error();
  if (Status s = parse_hypervisor(fdt, gic, info); !s) return s.error();
  return info;
}

}  // namespace petrel::reference
