// The board every run boots, and the QEMU command that boots it: QEMU's
// virt machine with EL2 (Xen runs there), Cortex-A57 CPUs, 1 GiB, no display
// and no network; Xen as the kernel QEMU loads, the run's device tree, and
// the files Xen's boot modules name, each loaded raw at its address.
// `run` and `run --dom0` differ only in what they load and where.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace petrel::tool {

inline constexpr const char* kQemu = "qemu-system-aarch64";

struct Board {
  int gic = 3;
  unsigned cpus = 1;
};

// QEMU's arguments for the board itself, without the program's name. With
// `dump_dtb`, QEMU writes the board's device tree there and exits instead of
// running: the tree is that of exactly this board.
std::vector<std::string> board_args(const Board& board, const std::string& dump_dtb = "");

// A file QEMU places in the guest's memory before it starts.
struct LoadedFile {
  std::filesystem::path file;
  uint64_t address;
};

struct QemuRun {
  Board board;
  std::filesystem::path xen;  // Xen's image, QEMU's -kernel
  std::filesystem::path dtb;  // the run's device tree (devicetree.h)
  std::vector<LoadedFile> files;
  std::string monitor = "none";    // QEMU's -monitor value
  bool icount = false;             // -icount shift=0,sleep=off: one ns per instruction
  std::vector<std::string> extra;  // more arguments, last (petrel debug's gdbstub)
};

// The whole command line, QEMU's name first. The serial console is QEMU's
// stdio; QEMU exits rather than reboot.
std::vector<std::string> qemu_command(const QemuRun& run);

}  // namespace petrel::tool
