#include "qemu_machine.h"

#include <cstdio>

namespace petrel::tool {

std::vector<std::string> board_args(const Board& board, const std::string& dump_dtb) {
  std::string machine = "virt,virtualization=on,gic-version=" + std::to_string(board.gic);
  if (!dump_dtb.empty()) machine += ",dumpdtb=" + dump_dtb;
  return {"-machine", machine, "-cpu",     "cortex-a57", "-smp", std::to_string(board.cpus),
          "-m",       "1G",    "-display", "none",       "-nic", "none"};
}

std::vector<std::string> qemu_command(const QemuRun& run) {
  std::vector<std::string> cmd = {kQemu};
  for (std::string& a : board_args(run.board)) cmd.push_back(std::move(a));
  cmd.emplace_back("-monitor");
  cmd.push_back(run.monitor);
  for (const char* a : {"-serial", "stdio", "-no-reboot", "-kernel"}) cmd.emplace_back(a);
  cmd.push_back(run.xen.string());
  cmd.emplace_back("-dtb");
  cmd.push_back(run.dtb.string());
  for (const LoadedFile& f : run.files) {
    char address[32];
    std::snprintf(address, sizeof address, "0x%llx", static_cast<unsigned long long>(f.address));
    cmd.emplace_back("-device");
    cmd.push_back("loader,file=" + f.file.string() + ",addr=" + address + ",force-raw=on");
  }
  if (run.icount) {
    cmd.emplace_back("-icount");
    cmd.emplace_back("shift=0,sleep=off");
  }
  cmd.insert(cmd.end(), run.extra.begin(), run.extra.end());
  return cmd;
}

}  // namespace petrel::tool
