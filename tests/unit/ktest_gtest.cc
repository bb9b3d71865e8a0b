// Runs the portable kernel scenarios (tests/kernel) under GoogleTest on the
// host port, one GoogleTest case per KTEST.
#include <gtest/gtest.h>

#include <cstdio>

#include "ktest.h"
#include "petrel/host.h"

namespace petrel::ktest {

void fail(const char* file, int line, const char* what) {
  ADD_FAILURE_AT(file, line) << what;
}
void fail_eq(const char* file, int line, const char* a, const char* b, uint64_t va, uint64_t vb) {
  ADD_FAILURE_AT(file, line) << a << " == " << b << ": " << va << " != " << vb;
}
void fail_str(const char* file, int line, const char* what, const char* got, const char* want) {
  ADD_FAILURE_AT(file, line) << what << ": got \"" << got << "\", want \"" << want << "\"";
}
void reset() {
  host::reset();
}
void spend(uint64_t counter_ticks) {
  host::advance(counter_ticks);
}
uint64_t counter_per_tick() {
  return host::kCounterHz / kernel::config::kTickRateHz;
}

}  // namespace petrel::ktest

namespace {

class KtestCase : public ::testing::Test {
 public:
  explicit KtestCase(petrel::ktest::Case* c) : case_(c) {}
  void TestBody() override {
    petrel::ktest::reset();
    case_->fn();
    petrel::kernel::kernel_reset();
  }

 private:
  petrel::ktest::Case* case_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (petrel::ktest::Case* c = petrel::ktest::first_case(); c != nullptr; c = c->next) {
    ::testing::RegisterTest(c->suite, c->name, nullptr, nullptr, __FILE__, __LINE__,
                            [c]() -> ::testing::Test* { return new KtestCase(c); });
  }
  return RUN_ALL_TESTS();
}
