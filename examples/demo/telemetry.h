/* The telemetry of the mixed-criticality demo (docs/demo.md): one record per
 * control period, written by the Petrel control loop (examples/demo,
 * through vchan) and by the Linux loop in dom0 (tools/dom0/demo-loop.cc,
 * through a pipe), read by dom0's logger (tools/dom0/demo-logger.cc). C, so
 * that every side includes the same definition.
 *
 * A record is 32 bytes, little-endian (every side is ARM or x86): a magic
 * that a reader resynchronises on, the period's sequence number, and a
 * checksum over the rest that tells a damaged record from a good one. */
#ifndef PETREL_DEMO_TELEMETRY_H
#define PETREL_DEMO_TELEMETRY_H

#include <stdint.h>
#include <string.h>

#define DEMO_MAGIC 0x50644d54u /* "TMdP" in memory */

/* flags */
#define DEMO_FLAG_ESTOP 1u /* the emergency stop is engaged: no drive */
#define DEMO_FLAG_MISS 2u  /* this period started a whole period late or more */
#define DEMO_FLAG_END 4u   /* the last record of the run */

struct demo_sample {
  uint32_t magic;   /* DEMO_MAGIC */
  uint32_t seq;     /* period number, from 0; consecutive */
  uint32_t t_us;    /* when the period ran, microseconds since the loop started */
  uint32_t late_ns; /* how late the period started, saturating */
  float setpoint;   /* rad/s */
  float speed;      /* rad/s, measured at the start of the period */
  float volts;      /* the drive applied for this period */
  uint16_t flags;   /* DEMO_FLAG_* */
  uint16_t check;   /* demo_check() of the bytes before it */
};

#ifdef __cplusplus
static_assert(sizeof(struct demo_sample) == 32, "a telemetry record is 32 bytes");
#else
_Static_assert(sizeof(struct demo_sample) == 32, "a telemetry record is 32 bytes");
#endif

/* FNV-1a over the bytes of `v`, least significant first. */
static inline uint32_t demo_fnv(uint32_t h, uint32_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i) {
    h ^= (v >> (8 * i)) & 0xffu;
    h *= 16777619u;
  }
  return h;
}

static inline uint32_t demo_float_bits(float f) {
  uint32_t v;
  memcpy(&v, &f, sizeof v);
  return v;
}

/* 16 bits of FNV-1a over every field before `check`, as the little-endian
 * bytes of the record, so that the check does not depend on how a side
 * lays the record out in memory. */
static inline uint16_t demo_check(const struct demo_sample* s) {
  uint32_t h = 2166136261u;
  h = demo_fnv(h, s->magic, 4);
  h = demo_fnv(h, s->seq, 4);
  h = demo_fnv(h, s->t_us, 4);
  h = demo_fnv(h, s->late_ns, 4);
  h = demo_fnv(h, demo_float_bits(s->setpoint), 4);
  h = demo_fnv(h, demo_float_bits(s->speed), 4);
  h = demo_fnv(h, demo_float_bits(s->volts), 4);
  h = demo_fnv(h, s->flags, 2);
  return (uint16_t)(h ^ (h >> 16));
}

static inline void demo_seal(struct demo_sample* s) {
  s->magic = DEMO_MAGIC;
  s->check = demo_check(s);
}

/* The set-point profile both loops follow: steps every second through
 * 100, 250, 150, 300 and 50 rad/s, repeating. */
static inline float demo_setpoint(uint32_t t_us) {
  static const float kSteps[] = {100.0f, 250.0f, 150.0f, 300.0f, 50.0f};
  return kSteps[(t_us / 1000000u) % 5u];
}

#endif
