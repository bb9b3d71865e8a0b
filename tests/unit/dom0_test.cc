// The pure parts of `petrel run --dom0` (tools/petrel): cpio archives, the
// shared-library closure of dom0's programs, the xl configuration and /init
// dom0 gets, and the reading of its serial console lines.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "console_parse.h"
#include "cpio.h"
#include "dom0_config.h"
#include "elf_deps.h"

namespace petrel::tool {
namespace {

// One entry of a newc archive, read back.
struct Entry {
  std::string name;
  uint32_t mode;
  uint32_t nlink;
  uint32_t rdev_major;
  uint32_t rdev_minor;
  std::string data;
};

uint32_t hex_field(const std::string& a, size_t at, int index) {
  return static_cast<uint32_t>(std::stoul(a.substr(at + 6 + 8 * index, 8), nullptr, 16));
}

// Reads a newc archive the way Linux does; fails the test on malformed input.
std::vector<Entry> read_cpio(const std::string& a) {
  std::vector<Entry> entries;
  size_t at = 0;
  while (at < a.size()) {
    EXPECT_EQ(at % 4, 0u);
    EXPECT_EQ(a.substr(at, 6), "070701") << "at " << at;
    if (a.substr(at, 6) != "070701") break;
    Entry e;
    e.mode = hex_field(a, at, 1);
    e.nlink = hex_field(a, at, 4);
    const uint32_t size = hex_field(a, at, 6);
    e.rdev_major = hex_field(a, at, 9);
    e.rdev_minor = hex_field(a, at, 10);
    const uint32_t name_size = hex_field(a, at, 11);
    e.name = a.substr(at + 110, name_size - 1);
    EXPECT_EQ(a[at + 110 + name_size - 1], '\0');
    size_t data_at = (at + 110 + name_size + 3) & ~size_t{3};
    e.data = a.substr(data_at, size);
    at = (data_at + size + 3) & ~size_t{3};
    if (e.name == "TRAILER!!!") {
      EXPECT_EQ(at, a.size());
      break;
    }
    entries.push_back(e);
  }
  return entries;
}

TEST(Cpio, EntriesReadBack) {
  CpioWriter w;
  w.add_directory("/usr", 0755);
  w.add_file("usr/hello", "hello\n", 0755);
  w.add_file("empty", "");
  w.add_symlink("bin/sh", "busybox");
  w.add_char_device("dev/console", 5, 1);
  const std::string a = w.finish();
  EXPECT_EQ(a.size() % 4, 0u);
  const auto e = read_cpio(a);
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].name, "usr");  // the leading "/" is dropped
  EXPECT_EQ(e[0].mode, S_IFDIR | 0755u);
  EXPECT_EQ(e[0].nlink, 2u);
  EXPECT_EQ(e[1].name, "usr/hello");
  EXPECT_EQ(e[1].mode, S_IFREG | 0755u);
  EXPECT_EQ(e[1].data, "hello\n");
  EXPECT_EQ(e[2].mode, S_IFREG | 0644u);
  EXPECT_EQ(e[2].data, "");
  EXPECT_EQ(e[3].mode, S_IFLNK | 0777u);
  EXPECT_EQ(e[3].data, "busybox");
  EXPECT_EQ(e[4].mode, S_IFCHR | 0600u);
  EXPECT_EQ(e[4].rdev_major, 5u);
  EXPECT_EQ(e[4].rdev_minor, 1u);
}

TEST(Cpio, HeaderIsNewcWithDistinctInodes) {
  CpioWriter w;
  w.add_file("a", "x");
  w.add_file("b", "y");
  const std::string a = w.finish();
  // "070701", inode 1, mode 0100644, uid 0, gid 0, nlink 1, mtime 0, size 1.
  EXPECT_EQ(a.substr(0, 6 + 8 * 7),
            "070701"
            "00000001"
            "000081A4"
            "00000000"
            "00000000"
            "00000001"
            "00000000"
            "00000001");
  EXPECT_NE(hex_field(a, 0, 0), hex_field(a, 120, 0));
}

TEST(Cpio, FinishStartsAfresh) {
  CpioWriter w;
  w.add_file("a", "1");
  const std::string first = w.finish();
  w.add_file("a", "1");
  EXPECT_EQ(w.finish(), first);
  EXPECT_EQ(read_cpio(CpioWriter().finish()).size(), 0u);  // just the trailer
}

TEST(Cpio, Alignment) {
  EXPECT_EQ(cpio_align(0), 0u);
  EXPECT_EQ(cpio_align(1), 4u);
  EXPECT_EQ(cpio_align(4), 4u);
  EXPECT_EQ(cpio_align(2796229), 2796232u);
}

// `readelf -d -l -W` of Debian's arm64 xl, shortened.
constexpr const char* kReadelfXl = R"(
Elf file type is DYN (Position-Independent Executable file)
Entry point 0x9c40
There are 9 program headers, starting at offset 64

Program Headers:
  Type           Offset   VirtAddr           PhysAddr           FileSiz  MemSiz   Flg Align
  PHDR           0x000040 0x0000000000000040 0x0000000000000040 0x0001f8 0x0001f8 R   0x8
  INTERP         0x000238 0x0000000000000238 0x0000000000000238 0x00001b 0x00001b R   0x1
      [Requesting program interpreter: /lib/ld-linux-aarch64.so.1]
  LOAD           0x000000 0x0000000000000000 0x0000000000000000 0x03c0c4 0x03c0c4 R E 0x10000

Dynamic section at offset 0x4d8b0 contains 31 entries:
  Tag        Type                         Name/Value
 0x0000000000000001 (NEEDED)             Shared library: [libxlutil.so.4.17]
 0x0000000000000001 (NEEDED)             Shared library: [libxenlight.so.4.17]
 0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]
 0x000000000000001d (RUNPATH)            Library runpath: [/opt/xen/lib:/usr/lib/xen]
 0x000000000000000c (INIT)               0x8f28
)";

TEST(ElfDeps, ParsesReadelf) {
  const ElfDynamicInfo info = parse_readelf(kReadelfXl);
  EXPECT_EQ(info.needed,
            (std::vector<std::string>{"libxlutil.so.4.17", "libxenlight.so.4.17", "libc.so.6"}));
  EXPECT_EQ(info.runpath, (std::vector<std::string>{"/opt/xen/lib", "/usr/lib/xen"}));
  EXPECT_EQ(info.interpreter, "/lib/ld-linux-aarch64.so.1");
}

TEST(ElfDeps, RpathOnlyWithoutRunpath) {
  const auto info = parse_readelf(
      " 0x000000000000000f (RPATH)              Library rpath: [/a]\n"
      " 0x0000000000000001 (NEEDED)             Shared library: [libz.so.1]\n");
  EXPECT_EQ(info.runpath, std::vector<std::string>{"/a"});
  EXPECT_TRUE(info.interpreter.empty());
  const auto static_binary = parse_readelf("\nThere is no dynamic section in this file.\n");
  EXPECT_TRUE(static_binary.needed.empty());
}

// A fake tree of packages: file -> its ELF facts.
struct FakeTree {
  std::map<std::string, ElfDynamicInfo> files;
  LibraryClosure resolve(const std::vector<std::string>& programs) const {
    return resolve_library_closure(
        programs, {"lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu"},
        [this](const std::string& p) -> std::optional<ElfDynamicInfo> {
          auto it = files.find(p);
          if (it == files.end()) return std::nullopt;
          return it->second;
        },
        [this](const std::string& p) { return files.count(p) != 0; });
  }
};

TEST(ElfDeps, ClosureFollowsLibrariesOfLibraries) {
  FakeTree t;
  const ElfDynamicInfo libc{{"ld-linux-aarch64.so.1"}, {}, ""};
  t.files["usr/bin/xl"] = {{"libxenlight.so.4.17", "libc.so.6"}, {}, "/lib/ld-linux-aarch64.so.1"};
  t.files["usr/bin/xenstore"] = {
      {"libxenstore.so.4", "libc.so.6"}, {}, "/lib/ld-linux-aarch64.so.1"};
  t.files["usr/lib/aarch64-linux-gnu/libxenlight.so.4.17"] = {
      {"libxenctrl.so.4.17", "libc.so.6"}, {}, ""};
  t.files["usr/lib/aarch64-linux-gnu/libxenctrl.so.4.17"] = {{"libc.so.6"}, {}, ""};
  t.files["usr/lib/aarch64-linux-gnu/libxenstore.so.4"] = {{"libc.so.6"}, {}, ""};
  t.files["lib/aarch64-linux-gnu/libc.so.6"] = libc;
  t.files["lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"] = {};
  t.files["lib/ld-linux-aarch64.so.1"] = {};  // a symbolic link in the real tree
  t.files["bin/busybox"] = {};                // static

  const LibraryClosure c = t.resolve({"usr/bin/xl", "usr/bin/xenstore", "bin/busybox"});
  EXPECT_TRUE(c.missing.empty());
  EXPECT_EQ(c.files, (std::vector<std::string>{
                         "lib/ld-linux-aarch64.so.1",
                         "usr/lib/aarch64-linux-gnu/libxenlight.so.4.17",
                         "lib/aarch64-linux-gnu/libc.so.6",
                         "usr/lib/aarch64-linux-gnu/libxenstore.so.4",
                         "usr/lib/aarch64-linux-gnu/libxenctrl.so.4.17",
                         "lib/aarch64-linux-gnu/ld-linux-aarch64.so.1",
                     }));
}

TEST(ElfDeps, RunpathComesFirst) {
  FakeTree t;
  t.files["usr/bin/tool"] = {{"libx.so.1"}, {"/opt/x/lib"}, ""};
  t.files["opt/x/lib/libx.so.1"] = {};
  t.files["lib/aarch64-linux-gnu/libx.so.1"] = {};
  EXPECT_EQ(t.resolve({"usr/bin/tool"}).files, std::vector<std::string>{"opt/x/lib/libx.so.1"});
}

TEST(ElfDeps, MissingLibrariesAreNamedOnce) {
  FakeTree t;
  t.files["usr/bin/a"] = {{"libgone.so.1", "libgone.so.1"}, {}, "/lib/ld-missing.so"};
  const LibraryClosure c = t.resolve({"usr/bin/a"});
  EXPECT_TRUE(c.files.empty());
  EXPECT_EQ(c.missing, (std::vector<std::string>{"/lib/ld-missing.so (interpreter of usr/bin/a)",
                                                 "libgone.so.1 (needed by usr/bin/a)"}));
}

// apps/Example.cfg as petrel_add_xl_config writes it.
constexpr const char* kExampleCfg =
    "# xl domain configuration for the Petrel guest Example (generated by CMake).\n"
    "name = \"Example\"\n"
    "kernel = \"/home/me/petrel/build/arm64/apps/Example.bin\"\n"
    "memory = 32\n"
    "vcpus = 1\n"
    "disk = []\n";

TEST(XlConfig, KernelPointsIntoDom0) {
  XlConfigRequest r;
  r.default_name = "Example";
  r.kernel = "/petrel/Example.bin";
  const XlConfig c = dom0_xl_config(kExampleCfg, r);
  EXPECT_EQ(c.name, "Example");
  EXPECT_EQ(xl_config_value(c.text, "kernel"), "/petrel/Example.bin");
  EXPECT_EQ(xl_config_value(c.text, "memory"), "32");  // the app's own
  EXPECT_EQ(xl_config_value(c.text, "vcpus"), "1");
  EXPECT_EQ(xl_config_value(c.text, "disk"), "[]");
  EXPECT_EQ(c.text.find("/home/me"), std::string::npos);
  EXPECT_EQ(c.text.find("extra"), std::string::npos);
  // Every key once.
  for (const char* key : {"name =", "kernel =", "memory =", "vcpus =", "disk ="}) {
    const size_t first = c.text.find(key);
    ASSERT_NE(first, std::string::npos) << key;
    EXPECT_EQ(c.text.find(key, first + 1), std::string::npos) << key;
  }
}

TEST(XlConfig, DefaultsWithoutAnAppConfig) {
  XlConfigRequest r;
  r.default_name = "hello";
  r.kernel = "/petrel/hello.bin";
  const XlConfig c = dom0_xl_config("", r);
  EXPECT_EQ(c.name, "hello");
  EXPECT_EQ(c.text,
            "# xl configuration written by `petrel run --dom0`\n"
            "name = \"hello\"\n"
            "kernel = \"/petrel/hello.bin\"\n"
            "memory = 64\n"
            "vcpus = 1\n"
            "disk = []\n");
}

TEST(XlConfig, MemoryOverrideAndBootargs) {
  XlConfigRequest r;
  r.default_name = "Example";
  r.kernel = "/petrel/Example.bin";
  r.memory_mib = 128;
  r.override_memory = true;
  r.bootargs = "fault=null say=\"hi\"";
  const XlConfig c =
      dom0_xl_config(std::string(kExampleCfg) + "extra = \"old\"\non_crash = 'preserve'\n", r);
  EXPECT_EQ(xl_config_value(c.text, "memory"), "128");
  EXPECT_NE(c.text.find("extra = \"fault=null say=\\\"hi\\\"\"\n"), std::string::npos) << c.text;
  EXPECT_EQ(c.text.find("old"), std::string::npos);
  EXPECT_EQ(xl_config_value(c.text, "on_crash"), "preserve");  // other keys kept
}

TEST(XlConfig, TheConfigsNameWins) {
  XlConfigRequest r;
  r.default_name = "oot";
  r.kernel = "/petrel/oot.bin";
  EXPECT_EQ(dom0_xl_config("name='rt-guest' # comment\n", r).name, "rt-guest");
}

TEST(XlConfig, Values) {
  EXPECT_EQ(xl_config_value("a = 1\nb=\"x y\"\n", "b"), "x y");
  EXPECT_EQ(xl_config_value("memory = 32 # MiB\n", "memory"), "32");
  EXPECT_EQ(xl_config_value("# memory = 32\n", "memory"), "");
  EXPECT_EQ(xl_config_value("memory = 32\nmemory = 48\n", "memory"), "48");
  EXPECT_EQ(xl_config_value("maxmem = 32\n", "mem"), "");
}

TEST(Dom0Init, ShellQuote) {
  EXPECT_EQ(shell_quote("hello"), "'hello'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
}

TEST(Dom0Init, WhatItDoes) {
  Dom0InitRequest r;
  r.name = "hello";
  r.cfg = "/petrel/hello.cfg";
  r.script = true;
  const std::string s = dom0_init_script(r);
  EXPECT_EQ(s.rfind("#!/bin/sh\n", 0), 0u);
  EXPECT_NE(s.find("NAME='hello'\n"), std::string::npos);
  EXPECT_NE(s.find("CFG='/petrel/hello.cfg'\n"), std::string::npos);
  EXPECT_NE(s.find("SCRIPT='/petrel/script'\n"), std::string::npos);
  EXPECT_NE(s.find("export PATH=/bin:/usr/bin:/usr/lib/xen-4.17/bin\n"), std::string::npos);
  EXPECT_NE(s.find("for m in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc; do"),
            std::string::npos);
  EXPECT_NE(s.find("insmod /lib/modules/xen/$m.ko"), std::string::npos);
  // The daemons, in order, then the guest, paused, then the script.
  const size_t xenstored = s.find("XENSTORED_ROOTDIR=/run/xenstored xenstored");
  const size_t init_dom0 = s.find("if ! xen-init-dom0");
  const size_t consoled = s.find("if ! xenconsoled --log=guest --log-dir=/var/log/xen/console");
  const size_t create = s.find("xl -v create -p \"$CFG\"");
  const size_t script = s.find("exec sh \"$SCRIPT\"");
  const size_t unpause = s.find("xl unpause \"$NAME\"");
  const size_t poweroff = s.find("poweroff -f");
  for (size_t at : {xenstored, init_dom0, consoled, create, script, unpause, poweroff})
    ASSERT_NE(at, std::string::npos);
  EXPECT_LT(xenstored, init_dom0);
  EXPECT_LT(init_dom0, consoled);
  EXPECT_LT(consoled, create);
  EXPECT_LT(create, script);
  EXPECT_LT(script, unpause);
  EXPECT_LT(unpause, poweroff);
  // Prefixes and events.
  EXPECT_NE(s.find("prefix_lines '[dom0] '"), std::string::npos);
  EXPECT_NE(s.find("printf '[d%s] %s\\n' \"$DOMID\""), std::string::npos);
  for (const char* e :
       {"ready", "created", "create-failed", "failed", "script-exit", "domain-gone"})
    EXPECT_NE(s.find(std::string("event ") + e + " "), std::string::npos) << e;
  EXPECT_NE(s.find("echo \"[dom0] @petrel-dom0 poweroff\""), std::string::npos);
  EXPECT_EQ(s.find('@' + std::string("NAME@")), std::string::npos);  // every placeholder filled
}

TEST(Dom0Init, NoScript) {
  Dom0InitRequest r;
  r.name = "it's";
  r.cfg = "/petrel/x.cfg";
  const std::string s = dom0_init_script(r);
  EXPECT_NE(s.find("SCRIPT=''\n"), std::string::npos);
  EXPECT_NE(s.find("NAME='it'\\''s'\n"), std::string::npos);
}

// The script is valid sh (checked by the host's sh; dom0 runs busybox ash).
TEST(Dom0Init, ParsesAsShell) {
  if (std::system("command -v sh >/dev/null 2>&1") != 0) GTEST_SKIP() << "no sh";
  Dom0InitRequest r;
  r.name = "hello";
  r.cfg = "/petrel/hello.cfg";
  r.script = true;
  const auto path = std::filesystem::temp_directory_path() /
                    ("petrel-dom0-init-test-" + std::to_string(getpid()) + ".sh");
  std::ofstream(path) << dom0_init_script(r);
  EXPECT_EQ(std::system(("sh -n " + path.string()).c_str()), 0);
  std::filesystem::remove(path);
}

TEST(Dom0Console, Classification) {
  using Kind = Dom0ConsoleLine::Kind;
  struct Case {
    const char* line;
    Kind kind;
    int domain;
    const char* text;
  } cases[] = {
      {"[d1] hello: done", Kind::kGuest, 1, "hello: done"},
      {"[d12] [d1] nested\r\r", Kind::kGuest, 12, "[d1] nested"},
      {"[d3]", Kind::kGuest, 3, ""},
      {"(d1) console_io", Kind::kGuest, 1, "console_io"},
      {"[dom0] xl create: ok", Kind::kDom0, 0, "xl create: ok"},
      {"[dom0]", Kind::kDom0, 0, ""},
      {"[dom0] @petrel-dom0 ready uptime=1.9", Kind::kDom0, 0, "@petrel-dom0 ready uptime=1.9"},
      {"[    0.000000] Booting Linux on physical CPU 0x0", Kind::kDom0Kernel, 0,
       "[    0.000000] Booting Linux on physical CPU 0x0"},
      {"[   12.345678] Kernel panic - not syncing: sysrq", Kind::kDom0Kernel, 0,
       "[   12.345678] Kernel panic - not syncing: sysrq"},
      {"(XEN) Xen version 4.17", Kind::kXen, 0, "(XEN) Xen version 4.17"},
      {"Done setting up Dom0", Kind::kOther, 0, "Done setting up Dom0"},
      {"[dom0x] no", Kind::kOther, 0, "[dom0x] no"},
      {"[dx] no", Kind::kOther, 0, "[dx] no"},
      {"[d1]no", Kind::kOther, 0, "[d1]no"},
      {"", Kind::kOther, 0, ""},
  };
  for (const auto& c : cases) {
    const Dom0ConsoleLine l = classify_dom0_line(c.line);
    EXPECT_EQ(l.kind, c.kind) << c.line;
    EXPECT_EQ(l.domain, c.domain) << c.line;
    EXPECT_EQ(l.text, c.text) << c.line;
  }
}

TEST(Dom0Console, Events) {
  auto e = parse_dom0_event("@petrel-dom0 created domid=1 kernel=0x40080000-0x40094418\r");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "created");
  EXPECT_EQ(e->fields.at("domid"), "1");
  EXPECT_EQ(e->fields.at("kernel"), "0x40080000-0x40094418");
  e = parse_dom0_event("@petrel-dom0 poweroff");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "poweroff");
  EXPECT_TRUE(e->fields.empty());
  EXPECT_FALSE(parse_dom0_event("petrel-dom0 ready"));
  EXPECT_FALSE(parse_dom0_event("@petrel-dom0 "));
  EXPECT_FALSE(parse_dom0_event("@petrel-dom0 x =1"));
  EXPECT_FALSE(parse_dom0_event("xl: @petrel-dom0 ready"));
}

TEST(Dom0Console, LinuxPanic) {
  EXPECT_TRUE(is_linux_panic("[    3.1] Kernel panic - not syncing: Attempted to kill init!"));
  EXPECT_FALSE(is_linux_panic("[    3.1] panic=-1"));
}

}  // namespace
}  // namespace petrel::tool
