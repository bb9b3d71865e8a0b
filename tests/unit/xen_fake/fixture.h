// The fixture of the Xen glue's host tests: a fresh kernel on the host
// port, every Xen module as at boot (reset_module) and a fresh fake Xen.
// Tests that need tasks (xenstore and what uses it) run their body in a
// task with run().
#pragma once

#include <gtest/gtest.h>

#include <functional>

#include "fake_xen.h"
#include "petrel/host.h"
#include "petrel/kernel/sched.h"
#include "petrel/kernel/task.h"
#include "petrel/xen/control.h"
#include "petrel/xen/evtchn.h"
#include "petrel/xen/grant.h"
#include "petrel/xen/pv_console.h"
#include "petrel/xen/vchan.h"
#include "petrel/xen/xenstore.h"

namespace petrel::xen::test {

inline void reset_xen_modules() {
  evtchn::reset_module();
  grant::reset_module();
  xenstore::reset_module();
  vchan::reset_module();
  control::reset_module();
  pv_console::reset_module();
}

class XenFakeTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }
  void TearDown() override {
    kernel::kernel_reset();
    reset_xen_modules();
  }

  // Starts over with another configuration of the fake.
  void start(const fake::Config& config) {
    host::reset();
    reset_xen_modules();
    fake::reset(config);
  }

  // Runs `body` in a task (priority 1, below the xenstore and control
  // tasks) until it returns.
  void run(std::function<void()> body) {
    body_ = std::move(body);
    auto t = kernel::task_create(kernel::TaskConfig{"test", 1, 64 * 1024,
                                                    [](void* self) {
                                                      static_cast<XenFakeTest*>(self)->body_();
                                                      kernel::scheduler_end();
                                                    },
                                                    this});
    ASSERT_TRUE(t.ok());
    kernel::scheduler_start();
  }

  // The xenstore client up, with its task (call in run()).
  void connect_xenstore() { ASSERT_TRUE(xenstore::init().ok()); }

 private:
  std::function<void()> body_;
};

}  // namespace petrel::xen::test
