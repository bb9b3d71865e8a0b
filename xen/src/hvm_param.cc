// HVMOP_get_param for this domain: where Xen tells a guest made by the
// toolstack about its console and xenstore pages and event channels.
#include <stdint.h>
#include <xen/hvm/hvm_op.h>

#include "petrel/xen/hypercall.h"

namespace petrel::xen {

Result<uint64_t> hvm_param(uint32_t index) {
  xen_hvm_param_t p{};
  p.domid = DOMID_SELF;
  p.index = index;
  Status s = hypercall_status(hvm_op(HVMOP_get_param, &p));
  if (!s) return s.error();
  return p.value;
}

}  // namespace petrel::xen
