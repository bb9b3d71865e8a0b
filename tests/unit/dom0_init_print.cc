// Prints the /init script `petrel run --dom0` writes for a dom0 (with a dom0
// script), so that lint.shellcheck checks the generated shell as well.
#include <cstdio>

#include "dom0_config.h"

int main() {
  petrel::tool::Dom0InitRequest request;
  request.name = "example";
  request.cfg = "/petrel/example.cfg";
  request.script = true;
  return std::fputs(petrel::tool::dom0_init_script(request).c_str(), stdout) < 0 ? 1 : 0;
}
