// soak: vchan to a peer in dom0 (bootargs "vchan"). Not written yet.
#include "soak.h"

namespace soak {
namespace {

void begin(Rng&) {}
void end() {}

}  // namespace

const Load kVchanLoad{"vchan", begin, end, nullptr};

}  // namespace soak
