// The core of dom0's telemetry logger for the demo (demo-logger.cc,
// docs/demo.md): takes the byte stream of 32-byte records (telemetry.h) from
// either loop, checks it, and sums it up per phase. Header-only and free of
// I/O, so that the host unit tests (tests/unit/demo_log_test.cc) feed it
// streams, damaged ones included.
//
// The stream is untrusted input: a record counts only with the magic and a
// matching checksum. Anything else is skipped a byte at a time until the
// next good record (the bytes are counted as corrupt), and a sequence
// number that jumps counts the periods in between as lost.
#pragma once

#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "../../examples/demo/telemetry.h"

namespace demo {

enum class Phase { kQuiet, kLoad, kStopped };

inline const char* phase_name(Phase p) {
  return p == Phase::kQuiet ? "quiet" : p == Phase::kLoad ? "load" : "stopped";
}

class TelemetryLog {
 public:
  // One point of the plotted series per `bin_ms` of the loop's time.
  explicit TelemetryLog(uint32_t bin_ms = 20) : bin_us_(bin_ms * 1000) {}

  void feed(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    pending_.insert(pending_.end(), p, p + n);
    size_t at = 0;
    while (pending_.size() - at >= sizeof(demo_sample)) {
      demo_sample s;
      std::memcpy(&s, pending_.data() + at, sizeof s);
      if (s.magic != DEMO_MAGIC || s.check != demo_check(&s)) {
        ++corrupt_bytes_;
        ++at;
        continue;
      }
      take(s);
      at += sizeof s;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(at));
  }

  // The load starts: later records count in the load phase.
  void start_load() {
    if (phase_ == Phase::kQuiet) phase_ = Phase::kLoad;
  }

  // The report, one "demo-log: SIDE ..." line each (the host tool parses
  // them: tools/petrel/demo.h).
  std::vector<std::string> report(const char* side) {
    flush_bin();
    std::vector<std::string> out;
    char line[256];
    std::snprintf(
        line, sizeof line,
        "demo-log: %s stream records %llu lost %llu corrupt_bytes %llu trailing %zu end %s", side,
        static_cast<unsigned long long>(records_), static_cast<unsigned long long>(lost_),
        static_cast<unsigned long long>(corrupt_bytes_), pending_.size(), ended_ ? "yes" : "no");
    out.emplace_back(line);
    for (Stats* st : {&quiet_, &load_}) {
      if (st->late_ns.empty()) continue;
      std::vector<uint32_t>& v = st->late_ns;
      std::sort(v.begin(), v.end());
      std::snprintf(line, sizeof line,
                    "demo-log: %s phase %s periods %zu misses %llu p50_ns %u p99_ns %u max_ns %u "
                    "rms_error %.2f",
                    side, st == &quiet_ ? "quiet" : "load", v.size(),
                    static_cast<unsigned long long>(st->misses), rank(v, 500), rank(v, 990),
                    v.back(), std::sqrt(st->sum_sq_error / static_cast<double>(v.size())));
      out.emplace_back(line);
    }
    if (estop_) {
      std::snprintf(line, sizeof line,
                    "demo-log: %s estop t_ms %u speed %.2f final_speed %.2f final_t_ms %u", side,
                    estop_t_us_ / 1000, estop_speed_, last_.speed, last_.t_us / 1000);
      out.emplace_back(line);
    }
    for (const Point& pt : series_) {
      std::snprintf(line, sizeof line, "demo-log: %s series %u %s %u %.1f %.1f", side, pt.t_ms,
                    phase_name(pt.phase), pt.max_late_us, pt.setpoint, pt.speed);
      out.emplace_back(line);
    }
    return out;
  }

  uint64_t records() const { return records_; }
  uint64_t lost() const { return lost_; }
  uint64_t corrupt_bytes() const { return corrupt_bytes_; }
  bool ended() const { return ended_; }

 private:
  struct Stats {
    std::vector<uint32_t> late_ns;
    uint64_t misses = 0;
    double sum_sq_error = 0;
  };
  struct Point {
    uint32_t t_ms;
    Phase phase;
    uint32_t max_late_us;
    float setpoint, speed;
  };

  // The smallest sample that `per_mille` of the sorted `v` do not exceed.
  static uint32_t rank(const std::vector<uint32_t>& v, size_t per_mille) {
    const size_t r = (v.size() * per_mille + 999) / 1000;  // 1-based
    return v[r == 0 ? 0 : r - 1];
  }

  void take(const demo_sample& s) {
    if (records_ != 0 && s.seq != next_seq_) {
      if (s.seq > next_seq_)
        lost_ += s.seq - next_seq_;
      else
        ++lost_;  // a repeat or a step back: counted, not trusted
    }
    next_seq_ = s.seq + 1;
    ++records_;
    if ((s.flags & DEMO_FLAG_END) != 0) ended_ = true;
    if ((s.flags & DEMO_FLAG_ESTOP) != 0 && !estop_) {
      estop_ = true;
      estop_t_us_ = s.t_us;
      estop_speed_ = s.speed;
      phase_ = Phase::kStopped;
    }
    last_ = s;
    if (phase_ != Phase::kStopped) {
      Stats& st = phase_ == Phase::kQuiet ? quiet_ : load_;
      st.late_ns.push_back(s.late_ns);
      if ((s.flags & DEMO_FLAG_MISS) != 0) ++st.misses;
      const double e = static_cast<double>(s.setpoint) - static_cast<double>(s.speed);
      st.sum_sq_error += e * e;
    }
    // The series: the latest lateness and the last sample of each bin.
    const uint32_t bin = s.t_us / bin_us_;
    if (have_bin_ && bin != bin_) flush_bin();
    if (!have_bin_) {
      have_bin_ = true;
      bin_ = bin;
      bin_point_ = Point{bin * bin_us_ / 1000, phase_, 0, 0, 0};
    }
    bin_point_.phase = phase_;
    bin_point_.max_late_us = std::max(bin_point_.max_late_us, s.late_ns / 1000);
    bin_point_.setpoint = s.setpoint;
    bin_point_.speed = s.speed;
  }

  void flush_bin() {
    if (!have_bin_) return;
    series_.push_back(bin_point_);
    have_bin_ = false;
  }

  uint32_t bin_us_;
  std::vector<uint8_t> pending_;
  uint64_t records_ = 0, lost_ = 0, corrupt_bytes_ = 0;
  uint32_t next_seq_ = 0;
  bool ended_ = false;
  Phase phase_ = Phase::kQuiet;
  Stats quiet_, load_;
  bool estop_ = false;
  uint32_t estop_t_us_ = 0;
  float estop_speed_ = 0;
  demo_sample last_{};
  bool have_bin_ = false;
  uint32_t bin_ = 0;
  Point bin_point_{};
  std::vector<Point> series_;
};

}  // namespace demo
