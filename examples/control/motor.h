// A DC motor and a PID speed controller: the control loop of the
// mixed-criticality demo (docs/demo.md, issue 18), kept free of Petrel and
// of the hardware so that the host unit tests (tests/unit/control_test.cc)
// check its physics and its tuning.
//
// The motor (armature voltage V in, shaft speed w out):
//   L di/dt = V - R i - Ke w        (the armature circuit)
//   J dw/dt = Kt i - b w - load     (the shaft)
// integrated with explicit Euler sub-steps, many per control period, which
// is stable for these constants (the electrical time constant L/R is 5 ms).
//
// The controller: u = Kp e + Ki * integral(e) + Kd * de/dt, with e the speed
// error, u clamped to the supply voltage, and the integral frozen while u
// is clamped in the direction the error pushes (anti-windup).
#pragma once

namespace control {

struct MotorParams {
  double r = 1.0;    // armature resistance, ohm
  double l = 0.005;  // armature inductance, H
  double ke = 0.05;  // back-EMF constant, V s/rad
  double kt = 0.05;  // torque constant, N m/A
  double j = 1e-4;   // rotor inertia, kg m^2
  double b = 1e-4;   // viscous friction, N m s/rad
};

class Motor {
 public:
  explicit Motor(MotorParams p = {}) : p_(p) {}
  // Advances `dt` seconds with armature voltage `v` and load torque `load`,
  // in `substeps` equal Euler steps.
  void step(double v, double dt, double load = 0, int substeps = 20) {
    const double h = dt / substeps;
    for (int k = 0; k < substeps; ++k) {
      const double di = (v - p_.r * i_ - p_.ke * w_) / p_.l;
      const double dw = (p_.kt * i_ - p_.b * w_ - load) / p_.j;
      i_ += h * di;
      w_ += h * dw;
    }
  }
  double speed() const { return w_; }    // rad/s
  double current() const { return i_; }  // A
  // The speed voltage `v` settles to with no load.
  double steady_speed(double v) const { return p_.kt * v / (p_.r * p_.b + p_.kt * p_.ke); }

 private:
  MotorParams p_;
  double i_ = 0, w_ = 0;
};

struct PidParams {
  double kp = 0.05, ki = 2.0, kd = 0.0;
  double u_max = 24.0;  // the supply: |u| <= u_max
};

class Pid {
 public:
  explicit Pid(PidParams p = {}) : p_(p) {}
  // The output for `setpoint` and `measured` after `dt` seconds.
  double update(double setpoint, double measured, double dt) {
    const double e = setpoint - measured;
    const double d = has_last_ ? (e - last_e_) / dt : 0;
    last_e_ = e;
    has_last_ = true;
    const double rest = p_.kp * e + p_.kd * d;
    double next = integral_ + e * dt;
    double u = rest + p_.ki * next;
    // Clamped to the supply; while clamped, the integral does not grow in
    // the direction that holds the output at the limit.
    if (u > p_.u_max) {
      u = p_.u_max;
      if (e > 0) next = integral_;
    } else if (u < -p_.u_max) {
      u = -p_.u_max;
      if (e < 0) next = integral_;
    }
    integral_ = next;
    return u;
  }
  void reset() {
    integral_ = 0;
    has_last_ = false;
  }

 private:
  PidParams p_;
  double integral_ = 0, last_e_ = 0;
  bool has_last_ = false;
};

}  // namespace control
