// Writing "newc" cpio archives, the format Linux unpacks as an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst in Linux).
// Used for dom0's initramfs (dom0_image.cc) and for the small archive of
// each `petrel run --dom0` appended to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace petrel::tool {

class CpioWriter {
 public:
  // Paths are relative to the archive's root ("init", "usr/bin/xl"); a
  // leading "/" is dropped. Parents must be added before their children.
  void add_directory(std::string_view path, uint32_t mode = 0755);
  void add_file(std::string_view path, std::string_view data, uint32_t mode = 0644);
  void add_symlink(std::string_view path, std::string_view target);
  void add_char_device(std::string_view path, uint32_t major, uint32_t minor, uint32_t mode = 0600);

  // The archive: every entry, then the "TRAILER!!!" entry. The writer is
  // empty again afterwards.
  std::string finish();

 private:
  void add(std::string_view path, uint32_t mode, std::string_view data, uint32_t rdev_major,
           uint32_t rdev_minor);
  std::string out_;
  uint32_t next_inode_ = 1;
};

// Where an uncompressed cpio archive may start after `size` bytes of
// initramfs: Linux looks for the next archive's "070701" only at offsets
// that are a multiple of 4 (zero bytes in between are skipped).
constexpr uint64_t cpio_align(uint64_t size) {
  return (size + 3) & ~uint64_t{3};
}

}  // namespace petrel::tool
