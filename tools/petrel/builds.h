// Building the CMake presets and finding the apps' images in them, for every
// command that builds before it boots; and what a recorded result names as
// the tree it measured.
#pragma once

#include <optional>
#include <string>

#include "arch.h"
#include "setup.h"

namespace petrel::tool {

// Configures and builds a preset; output goes to build/PRESET/petrel-build.log,
// shown on failure. With `target`, only that target is built.
bool build_preset(const Paths& paths, const std::string& preset, const std::string& target = "");

// The host preset, the parsers' fuzz targets, then the guests of every
// architecture.
bool build_all(const Paths& paths);

// True for an app named by a path (to a .bin) rather than by its name.
bool is_image_path(const std::string& app);

// The guest image of an app (a name such as hello, or a path to a .bin),
// checked (image_check.h); nothing, after saying what is wrong, if it is not
// there (*status = kExitSetup) or not a usable image (*status = kExitUsage).
std::optional<std::string> find_image(const Paths& paths, Arch arch, const std::string& app,
                                      int* status);

// Builds the arch's preset first when `build`, then find_image(); *status
// kExitSetup if the build failed.
std::optional<std::string> built_image(const Paths& paths, Arch arch, const std::string& app,
                                       bool build, int* status);

// The commit of the tree, "(with uncommitted changes)" if it is dirty
// (bench/RESULTS.md itself aside). Taken when a measurement starts: the
// guests are built from that tree, and edits made while it runs change
// nothing measured.
std::string commit_of_tree(const Paths& paths);

// Now, as "2026-12-06 03:10 UTC".
std::string utc_now();

// The first line of `text`, or "unknown" without one.
std::string first_line(const std::optional<std::string>& text);

// Parallel jobs for builds and tests: the host's CPUs.
unsigned jobs();

}  // namespace petrel::tool
