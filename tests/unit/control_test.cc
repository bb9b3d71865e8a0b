// The demo's motor model and PID controller (examples/control/motor.h):
// the model's physics, and the tuned loop's step response, disturbance
// rejection and recovery from saturation, each at the demo's 1 kHz.
#include <gtest/gtest.h>

#include <cmath>

#include "../../examples/control/motor.h"

namespace control {
namespace {

constexpr double kDt = 0.001;  // the demo's period

TEST(Motor, SettlesToItsSteadySpeed) {
  Motor m;
  for (int k = 0; k < 1000; ++k) m.step(12.0, kDt);  // 1 s: many time constants
  EXPECT_NEAR(m.speed(), m.steady_speed(12.0), 0.001 * m.steady_speed(12.0));
  // At speed the current only overcomes friction: i = b w / kt.
  EXPECT_NEAR(m.current(), 1e-4 * m.speed() / 0.05, 1e-3);
}

TEST(Motor, SubstepsDoNotChangeTheAnswer) {
  Motor a, b;
  for (int k = 0; k < 200; ++k) {
    a.step(24.0, kDt, 0, 20);
    b.step(24.0, kDt, 0, 200);
  }
  EXPECT_NEAR(a.speed(), b.speed(), 0.01 * b.speed());
}

// Runs the closed loop for `seconds` from `m`'s state toward `setpoint`;
// returns the settling time to within 2 % (or -1) and the overshoot.
struct Response {
  double settle_s = -1;
  double overshoot = 0;
};
Response RunLoop(Motor& m, Pid& pid, double setpoint, double seconds, double load = 0) {
  Response r;
  const double start = m.speed();
  for (int k = 0; k < static_cast<int>(seconds / kDt); ++k) {
    m.step(pid.update(setpoint, m.speed(), kDt), kDt, load);
    const double beyond = (m.speed() - setpoint) * (setpoint > start ? 1 : -1);
    if (beyond > r.overshoot) r.overshoot = beyond;
    if (std::fabs(m.speed() - setpoint) > 0.02 * std::fabs(setpoint))
      r.settle_s = -1;
    else if (r.settle_s < 0)
      r.settle_s = (k + 1) * kDt;
  }
  return r;
}

TEST(Pid, AStepSettlesQuicklyWithLittleOvershoot) {
  Motor m;
  Pid pid;
  const Response r = RunLoop(m, pid, 200.0, 1.0);
  ASSERT_GE(r.settle_s, 0);
  EXPECT_LT(r.settle_s, 0.25);
  EXPECT_LT(r.overshoot, 0.05 * 200.0);
  EXPECT_NEAR(m.speed(), 200.0, 0.5);
}

TEST(Pid, ALoadIsRejected) {
  Motor m;
  Pid pid;
  RunLoop(m, pid, 200.0, 1.0);
  const Response r = RunLoop(m, pid, 200.0, 1.0, 0.05);  // a torque half the stall torque at 1 A
  EXPECT_GE(r.settle_s, 0);
  EXPECT_NEAR(m.speed(), 200.0, 1.0);  // the integral takes the load
}

TEST(Pid, SaturationDoesNotWindUp) {
  Motor m;
  Pid pid;
  // 800 rad/s is beyond what 24 V reaches (about 460): the output sits at
  // the limit, and the integral must not grow meanwhile.
  RunLoop(m, pid, 800.0, 1.0);
  EXPECT_NEAR(m.speed(), m.steady_speed(24.0), 5.0);
  // Back to a reachable set-point: it recovers as fast as a fresh step.
  const Response r = RunLoop(m, pid, 200.0, 1.0);
  ASSERT_GE(r.settle_s, 0);
  EXPECT_LT(r.settle_s, 0.3);
}

}  // namespace
}  // namespace control
