// Shared setup for kernel tests on the host port.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "petrel/arch.h"
#include "petrel/host.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/task.h"

namespace petrel::kernel::test {

// One counter tick = 1 us; one kernel tick = 1000 counter ticks (1 kHz).
inline constexpr uint64_t kCounterPerTick = host::kCounterHz / config::kTickRateHz;

class KernelTest : public ::testing::Test {
 protected:
  void SetUp() override { host::reset(); }
  void TearDown() override { kernel_reset(); }

  // Creates a heap-backed task; fails the test if it cannot.
  Task* spawn(const char* name, Priority prio, TaskEntry entry, void* arg = nullptr,
              size_t stack = 64 * 1024) {
    auto t = task_create(TaskConfig{name, prio, stack, entry, arg});
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
    return t.ok() ? *t : nullptr;
  }

  // Lambdas as task bodies.
  template <typename F>
  Task* spawn_fn(const char* name, Priority prio, F* fn) {
    return spawn(
        name, prio, [](void* p) { (*static_cast<F*>(p))(); }, fn);
  }

  std::vector<std::string> log;
  void note(const std::string& s) { log.push_back(s); }
};

}  // namespace petrel::kernel::test
