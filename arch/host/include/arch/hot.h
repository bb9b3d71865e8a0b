// Host port: the arch seam's hot functions are ordinary functions in
// arch/host/host.cc (see arch/arm/include/arch/hot.h for why ARM inlines them).
#pragma once
