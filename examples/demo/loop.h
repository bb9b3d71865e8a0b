// One period of the demo's control loop (docs/demo.md), the same code in
// the Petrel guest (examples/demo/main.cc) and in the Linux loop in dom0
// (tools/dom0/demo-loop.cc), so that the two differ only in when they run.
//
// The motor is simulated as a physical plant would behave: it runs on in
// real time with the last drive applied until the controller next samples
// it. A period that starts late therefore sees the plant further along,
// and holds the old voltage for longer, which is how lateness turns into
// control error. The controller itself assumes the nominal period, as a
// fixed-rate controller on real hardware does.
#pragma once

#include <stdint.h>

#include "../control/motor.h"
#include "telemetry.h"

namespace demo {

inline constexpr uint64_t kPeriodNs = 1'000'000;  // 1 kHz
// Euler sub-steps of at most this much plant time (the armature's time
// constant is 5 ms, so this keeps the integration stable).
inline constexpr uint64_t kSubstepNs = 50'000;

class ControlLoop {
 public:
  // The record for the period that starts at `now_ns` (since the loop
  // began), `late_ns` after its release. With `estop` the drive is cut:
  // the set-point and the voltage are 0, and the shorted armature brakes
  // the motor.
  demo_sample period(uint64_t now_ns, uint64_t late_ns, bool estop) {
    advance_plant(now_ns);
    const double speed = motor_.speed();
    const auto t_us = static_cast<uint32_t>(now_ns / 1000);
    double setpoint = demo_setpoint(t_us);
    if (estop) {
      setpoint = 0;
      volts_ = 0;
      pid_.reset();
    } else {
      volts_ = pid_.update(setpoint, speed, static_cast<double>(kPeriodNs) * 1e-9);
    }
    demo_sample s{};
    s.seq = seq_++;
    s.t_us = t_us;
    s.late_ns = late_ns > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(late_ns);
    s.setpoint = static_cast<float>(setpoint);
    s.speed = static_cast<float>(speed);
    s.volts = static_cast<float>(volts_);
    s.flags = static_cast<uint16_t>((estop ? DEMO_FLAG_ESTOP : 0u) |
                                    (late_ns >= kPeriodNs ? DEMO_FLAG_MISS : 0u));
    demo_seal(&s);
    return s;
  }
  // The last record: `s` marked as the end.
  static demo_sample end_of(demo_sample s) {
    s.flags = static_cast<uint16_t>(s.flags | DEMO_FLAG_END);
    demo_seal(&s);
    return s;
  }
  double speed() const { return motor_.speed(); }

 private:
  // Runs the motor from the last sample to `now_ns` with the voltage held.
  void advance_plant(uint64_t now_ns) {
    if (now_ns <= plant_ns_) return;
    // In chunks of at most a second, so that a long stall (a domain
    // paused) still integrates in small steps.
    for (uint64_t left = now_ns - plant_ns_; left > 0;) {
      const uint64_t dt = left < 1'000'000'000 ? left : 1'000'000'000;
      const uint64_t steps = (dt + kSubstepNs - 1) / kSubstepNs;
      motor_.step(volts_, static_cast<double>(dt) * 1e-9, 0, static_cast<int>(steps));
      left -= dt;
    }
    plant_ns_ = now_ns;
  }

  control::Motor motor_;
  control::Pid pid_;
  double volts_ = 0;
  uint64_t plant_ns_ = 0;
  uint32_t seq_ = 0;
};

}  // namespace demo
