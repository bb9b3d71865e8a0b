#include "cpio.h"

#include <sys/stat.h>

#include <cstdio>

namespace petrel::tool {
namespace {

void pad4(std::string* s) {
  while (s->size() % 4 != 0) s->push_back('\0');
}

}  // namespace

void CpioWriter::add(std::string_view path, uint32_t mode, std::string_view data,
                     uint32_t rdev_major, uint32_t rdev_minor) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  const bool dir = S_ISDIR(mode);
  // newc: "070701", then 13 fields of 8 hex digits: inode, mode, uid, gid,
  // nlink, mtime, file size, dev major/minor, rdev major/minor, name size
  // (with its NUL), checksum (0). Name and data are each padded to 4 bytes.
  char header[6 + 13 * 8 + 1];
  std::snprintf(header, sizeof header, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                next_inode_++, mode, 0U, 0U, dir ? 2U : 1U, 0U, static_cast<unsigned>(data.size()),
                0U, 0U, rdev_major, rdev_minor, static_cast<unsigned>(path.size() + 1), 0U);
  out_ += header;
  out_ += path;
  out_.push_back('\0');
  pad4(&out_);
  out_ += data;
  pad4(&out_);
}

void CpioWriter::add_directory(std::string_view path, uint32_t mode) {
  add(path, S_IFDIR | (mode & 07777), {}, 0, 0);
}

void CpioWriter::add_file(std::string_view path, std::string_view data, uint32_t mode) {
  add(path, S_IFREG | (mode & 07777), data, 0, 0);
}

void CpioWriter::add_symlink(std::string_view path, std::string_view target) {
  add(path, S_IFLNK | 0777, target, 0, 0);
}

void CpioWriter::add_char_device(std::string_view path, uint32_t major, uint32_t minor,
                                 uint32_t mode) {
  add(path, S_IFCHR | (mode & 07777), {}, major, minor);
}

std::string CpioWriter::finish() {
  next_inode_ = 0;
  add("TRAILER!!!", 0, {}, 0, 0);
  std::string archive;
  archive.swap(out_);
  next_inode_ = 1;
  return archive;
}

}  // namespace petrel::tool
