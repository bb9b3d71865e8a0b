// Whole-file reads and writes for the host tool.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace petrel::tool {

// The file's bytes, or nothing if it cannot be read.
std::optional<std::string> read_file(const std::filesystem::path& path);

// Writes `bytes` as the whole file; false if that failed.
bool write_file(const std::filesystem::path& path, const std::string& bytes);

}  // namespace petrel::tool
