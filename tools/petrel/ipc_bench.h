// `petrel bench --ipc`: ipc-ping and ipc-pong (examples/static-ipc) as two
// dom0less guests on one pCPU under icount, once with the shared region
// (the real-time Xen) and once as a doorbell (Debian's Xen), on each
// architecture. These pure functions read what ipc-ping printed and write
// bench/RESULTS.md's table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace petrel::tool {

struct IpcFigures {
  std::optional<uint64_t> round_trip_ns;   // one 64-byte frame there and back
  std::optional<uint64_t> mb_per_s_x1000;  // 4 KiB frames, in thousandths of MB/s
  std::optional<uint64_t> doorbell_ns;     // a ring there and back
};

// The figures in the guest lines of a run (console text; other guests'
// lines and prefixes are ignored). Lines that are not ipc-ping's results
// leave the figures as they are, so one IpcFigures can collect two runs.
void parse_ipc_lines(const std::vector<std::string>& guest, IpcFigures* out);

// | figure | ARCH... |, one column per architecture ("–" where a figure is
// missing).
std::string ipc_table(const std::vector<std::pair<std::string, IpcFigures>>& columns);

}  // namespace petrel::tool
