// bench --ipc's parsing of ipc-ping's lines and its table
// (tools/petrel/ipc_bench.cc).
#include "ipc_bench.h"

#include <gtest/gtest.h>

namespace petrel::tool {
namespace {

TEST(IpcBench, FiguresFromTwoRuns) {
  IpcFigures f;
  parse_ipc_lines(
      {"[ipc-ping] ipc-ping: channel ping: 64 KiB shared at 0x70000000, 16384-byte rings",
       "[ipc-ping] ipc-ping: 1000 round trips of 64 bytes, all intact, average 18634 ns",
       "[ipc-pong] ipc-pong: echoed 1000 frames",
       "[ipc-ping] ipc-ping: throughput: 1048576 bytes in 32014 us, 32.753 MB/s, every frame "
       "intact"},
      &f);
  parse_ipc_lines({"[ipc-ping] ipc-ping: doorbell: 1000 round trips, average 14271 ns"}, &f);
  EXPECT_EQ(f.round_trip_ns, 18634u);
  EXPECT_EQ(f.mb_per_s_x1000, 32753u);
  EXPECT_EQ(f.doorbell_ns, 14271u);
  EXPECT_EQ(ipc_table({{"AArch64", f}}),
            "| | AArch64 |\n|---|---:|\n"
            "| round trip, 64-byte frame, shared region (ns) | 18634 |\n"
            "| throughput, 4 KiB frames, shared region (MB/s) | 32.75 |\n"
            "| round trip, doorbell alone (ns) | 14271 |\n");
}

TEST(IpcBench, FailedOrMalformedLinesGiveNoFigure) {
  IpcFigures f;
  parse_ipc_lines({"ipc-ping: 1000 round trips of 64 bytes, all intact, average ns",
                   "ipc-ping: throughput: 1048576 bytes in 32014 us, 32.753 MB/s",  // not checked
                   "ipc-pong: doorbell: 1000 round trips, average 5 ns",            // not ping's
                   "ipc-ping: doorbell: 1000 round trips, average 99999999999999999999999 ns"},
                  &f);
  EXPECT_FALSE(f.round_trip_ns);
  EXPECT_FALSE(f.mb_per_s_x1000);
  EXPECT_FALSE(f.doorbell_ns);
  EXPECT_EQ(ipc_table({{"AArch32", f}}).find("| – |") != std::string::npos, true);
}

}  // namespace
}  // namespace petrel::tool
