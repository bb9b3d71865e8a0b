// Kernel configuration: one place, turned into constexpr values.
//
// An application overrides a default by defining the macro before this
// header is seen, normally from a `petrel_config.h` on its include path
// (the FreeRTOS layer maps FreeRTOSConfig.h onto these).
#pragma once

#include <stddef.h>
#include <stdint.h>

#if __has_include("petrel_config.h")
#include "petrel_config.h"
#endif

#ifndef PETREL_CONFIG_PRIORITIES
#define PETREL_CONFIG_PRIORITIES 32
#endif
#ifndef PETREL_CONFIG_TICK_RATE_HZ
#define PETREL_CONFIG_TICK_RATE_HZ 1000
#endif
#ifndef PETREL_CONFIG_TIME_SLICING
#define PETREL_CONFIG_TIME_SLICING 1
#endif
#ifndef PETREL_CONFIG_TIME_SLICE_TICKS
#define PETREL_CONFIG_TIME_SLICE_TICKS 1
#endif
#ifndef PETREL_CONFIG_IDLE_STACK_SIZE
#define PETREL_CONFIG_IDLE_STACK_SIZE 4096
#endif
#ifndef PETREL_CONFIG_HEAP_SIZE
#define PETREL_CONFIG_HEAP_SIZE 0
#endif
#ifndef PETREL_CONFIG_NOTIFY_INDICES
#define PETREL_CONFIG_NOTIFY_INDICES 3
#endif
// The scheduler trace (trace.h): set by CMake's PETREL_TRACE option.
#ifndef PETREL_CONFIG_TRACE
#define PETREL_CONFIG_TRACE 0
#endif
#ifndef PETREL_CONFIG_TRACE_EVENTS
#define PETREL_CONFIG_TRACE_EVENTS 8192
#endif

namespace petrel::kernel::config {

// Priorities 0 (idle, lowest) to kPriorities - 1 (highest).
inline constexpr unsigned kPriorities = PETREL_CONFIG_PRIORITIES;
static_assert(kPriorities >= 2 && kPriorities <= 32, "1 to 31 task priorities above idle");

inline constexpr uint32_t kTickRateHz = PETREL_CONFIG_TICK_RATE_HZ;
static_assert(kTickRateHz >= 1 && kTickRateHz <= 1'000'000);

// Round-robin among ready tasks of equal priority, kTimeSliceTicks each.
inline constexpr bool kTimeSlicing = PETREL_CONFIG_TIME_SLICING != 0;
inline constexpr uint64_t kTimeSliceTicks = PETREL_CONFIG_TIME_SLICE_TICKS;

inline constexpr size_t kIdleStackSize = PETREL_CONFIG_IDLE_STACK_SIZE;
inline constexpr size_t kMinStackSize = 1024;
inline constexpr size_t kTaskNameLength = 16;  // including the NUL
inline constexpr unsigned kNotifyIndices = PETREL_CONFIG_NOTIFY_INDICES;

// Bytes of kernel heap; 0: all RAM the image and the device tree leave free.
inline constexpr size_t kHeapSize = PETREL_CONFIG_HEAP_SIZE;

// Trace points record into a ring of kTraceEvents 16-byte events (trace.h);
// off: they compile to nothing.
inline constexpr bool kTrace = PETREL_CONFIG_TRACE != 0;
inline constexpr size_t kTraceEvents = PETREL_CONFIG_TRACE_EVENTS;
static_assert(kTraceEvents >= 16 && kTraceEvents <= (1u << 24) &&
                  (kTraceEvents & (kTraceEvents - 1)) == 0,
              "16 to 2^24 trace events, a power of two");

}  // namespace petrel::kernel::config
