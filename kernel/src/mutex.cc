// Placeholder until the mutex module lands: no mutexes, nothing inherited.
#include "kernel_state.h"

namespace petrel::kernel {

Priority mutex_inherited_priority(const Task*) {
  return 0;
}
void mutex_release_all(Task*) {}

}  // namespace petrel::kernel
