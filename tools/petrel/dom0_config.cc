#include "dom0_config.h"

#include <cctype>
#include <vector>

#include "text.h"

namespace petrel::tool {
namespace {

// The key of an xl configuration line "key = value" (or "" for comments,
// blank lines and anything else).
std::string_view line_key(std::string_view line) {
  line = trim(line);
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) return {};
  std::string_view key = trim(line.substr(0, eq));
  if (key.empty()) return {};
  for (char c : key)
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return {};
  return key;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// An xl string value: "text", with backslashes and quotes escaped.
std::string xl_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void replace_all(std::string* s, std::string_view from, std::string_view to) {
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size()))
    s->replace(at, from.size(), to);
}

}  // namespace

std::string xl_config_value(std::string_view config, std::string_view key) {
  std::string value;
  for (std::string_view line : lines_of(config)) {
    if (line_key(line) != key) continue;
    std::string_view v = trim(line.substr(line.find('=') + 1));
    if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
      const size_t close = v.find(v.front(), 1);
      v = v.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
    } else {
      v = trim(v.substr(0, v.find('#')));
    }
    value = std::string(v);  // the last one counts, as in xl
  }
  return value;
}

XlConfig dom0_xl_config(std::string_view original, const XlConfigRequest& r) {
  XlConfig config;
  config.text = "# xl configuration written by `petrel run --dom0`\n";
  bool has_name = false;
  bool has_memory = false;
  bool has_vcpus = false;
  bool has_disk = false;
  const std::string memory_line = "memory = " + std::to_string(r.memory_mib);
  for (std::string_view line : lines_of(original)) {
    const std::string_view key = line_key(line);
    if (key == "kernel") continue;  // a host path: replaced below
    if (key == "extra" && !r.bootargs.empty()) continue;
    if (key == "memory") {
      has_memory = true;
      if (r.override_memory) {
        config.text += memory_line + "\n";
        continue;
      }
    }
    has_name = has_name || key == "name";
    has_vcpus = has_vcpus || key == "vcpus";
    has_disk = has_disk || key == "disk";
    config.text += std::string(line) + "\n";
  }
  if (!has_name) config.text += "name = " + xl_string(r.default_name) + "\n";
  config.text += "kernel = " + xl_string(r.kernel) + "\n";
  if (!has_memory) config.text += memory_line + "\n";
  if (!has_vcpus) config.text += "vcpus = 1\n";
  if (!has_disk) config.text += "disk = []\n";
  if (!r.bootargs.empty()) config.text += "extra = " + xl_string(r.bootargs) + "\n";
  config.name = xl_config_value(config.text, "name");
  return config;
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string dom0_init_script(const Dom0InitRequest& r) {
  // @NAME@ and the like are filled in below; everything else is literal.
  std::string s = R"INIT(#!/bin/sh
# /init of the Linux dom0 booted by `petrel run --dom0`, written by the petrel
# tool for this run (tools/petrel/dom0_config.cc). It starts Xen's daemons,
# creates the guest paused with `xl create -p`, runs the dom0 script (if any),
# unpauses the guest, waits until its domain is gone, then powers off.
# Its own lines and the script's reach the serial console as "[dom0] text",
# the guest's console as "[dDOMID] text", events for the host tool as
# "[dom0] @petrel-dom0 EVENT key=value...".
NAME=@NAME@
CFG=@CFG@
SCRIPT=@SCRIPT@
export PATH=/bin:/usr/bin:@XENBIN@

/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
# Only emergencies from Linux on the console from now on (a panic still
# prints everything): its messages would otherwise break into our lines.
dmesg -n 1
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run

event() {
  echo "@EVENT@ $*"
}

# Copies stdin to stdout with the prefix $1 on every line.
prefix_lines() {
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s%s\n' "$1" "$line"
  done
}

uptime_s() {
  cut -d' ' -f1 /proc/uptime
}

setup() {
  mount -t sysfs sysfs /sys || return 1
  mkdir -p /dev/pts && mount -t devpts devpts /dev/pts || return 1
  mkdir -p /run/xen /run/xenstored /run/lock /var/log/xen/console /var/lib/xen /var/lib/xenstored
  ln -s /run /var/run
  ln -s /run/lock /var/lock
  for m in @MODULES@; do
    insmod @MODDIR@/$m.ko || { echo "insmod $m.ko failed"; return 1; }
  done
  mount -t xenfs xenfs /proc/xen || return 1
  if ! XENSTORED_ROOTDIR=/run/xenstored xenstored --pid-file=/run/xenstored.pid \
      </dev/null >/run/petrel/xenstored.log 2>&1; then
    cat /run/petrel/xenstored.log
    echo "xenstored failed"
    return 1
  fi
  tries=0
  until xenstore-read -s / >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ $tries -gt 100 ]; then
      echo "xenstored does not answer"
      return 1
    fi
    sleep 0.1
  done
  if ! xen-init-dom0 >/run/petrel/xen-init-dom0.log 2>&1; then
    cat /run/petrel/xen-init-dom0.log
    echo "xen-init-dom0 failed"
    return 1
  fi
  if ! xenconsoled --log=guest --log-dir=/var/log/xen/console \
      </dev/null >/run/petrel/xenconsoled.log 2>&1; then
    cat /run/petrel/xenconsoled.log
    echo "xenconsoled failed"
    return 1
  fi
}

# Copies the guest's console (xenconsoled's log of it) to the serial console
# as "[dDOMID] " lines until /run/petrel/console.stop appears, then the rest.
stream_console() {
  log=/var/log/xen/console/guest-$NAME.log
  tries=0
  while [ ! -e "$log" ]; do
    tries=$((tries + 1))
    if [ $tries -gt 50 ] || [ -e /run/petrel/console.stop ]; then
      echo "[dom0] xenconsoled wrote no $log"
      return 1
    fi
    sleep 0.1
  done
  exec 3<"$log"
  partial=
  while [ ! -e /run/petrel/console.stop ]; do
    if IFS= read -r line <&3; then
      printf '[d%s] %s\n' "$DOMID" "$partial$line"
      partial=
    else
      partial=$partial$line
      sleep 0.1
    fi
  done
  while IFS= read -r line <&3; do
    printf '[d%s] %s\n' "$DOMID" "$partial$line"
    partial=
  done
  partial=$partial$line
  if [ -n "$partial" ]; then
    printf '[d%s] %s\n' "$DOMID" "$partial"
  fi
}

# Why the domain went away, from the log of xl's monitoring daemon: its last
# word on the domain (a domain rebooted by xl and then destroyed was
# destroyed).
shutdown_reason() {
  log=/var/log/xen/xl-$NAME.log
  tries=0
  while :; do
    last=$(grep -E '^Domain [0-9]+ has (shut down, reason code|been destroyed)' "$log" 2>/dev/null | tail -n 1)
    case $last in
      *'been destroyed'*) echo destroyed; return ;;
    esac
    code=$(echo "$last" | sed -n 's/.*reason code \([0-9]*\).*/\1/p')
    case $code in
      0) echo poweroff; return ;;
      1) echo reboot; return ;;
      2) echo suspend; return ;;
      3) echo crash; return ;;
      4) echo watchdog; return ;;
      5) echo soft_reset; return ;;
    esac
    tries=$((tries + 1))
    if [ $tries -gt 20 ]; then
      echo unknown
      return
    fi
    sleep 0.1
  done
}

main() {
  if ! setup; then
    dmesg | tail -n 20
    event failed step=setup
    return
  fi
  echo "xenstored and xenconsoled are running (dom0 up $(uptime_s) s)"
  event ready "uptime=$(uptime_s)"

  xl -v create -p "$CFG" >/run/petrel/xl-create.log 2>&1
  status=$?
  if [ $status -ne 0 ]; then
    grep -v ': detail: ' /run/petrel/xl-create.log
    echo "xl create $CFG failed (exit status $status)"
    event create-failed status=$status
    return
  fi
  DOMID=$(xl domid "$NAME")
  kernel=$(sed -n 's/.*kernel seg \(0x[0-9a-f]*-0x[0-9a-f]*\).*/\1/p' /run/petrel/xl-create.log)
  echo "xl create $CFG: domain $DOMID ($NAME) created paused, kernel at ${kernel:-unknown}"
  event created "domid=$DOMID" "kernel=${kernel:-unknown}"
  stream_console >/dev/console 2>&1 &
  console=$!

  if [ -n "$SCRIPT" ]; then
    (cd @RUNDIR@ && NAME=$NAME DOMID=$DOMID exec sh "$SCRIPT" </dev/null) 2>&1
    status=$?
    event script-exit status=$status
    if [ $status -ne 0 ]; then
      echo "the dom0 script exited with status $status"
    fi
  fi
  if xl unpause "$NAME" >/dev/null 2>&1; then
    echo "domain $DOMID unpaused"
  fi

  while xl list "$NAME" >/dev/null 2>&1; do
    sleep 0.2
  done
  reason=$(shutdown_reason)
  echo "domain $DOMID ($NAME) is gone: $reason (dom0 up $(uptime_s) s)"
  sleep 0.2
  touch /run/petrel/console.stop
  wait $console
  event domain-gone "reason=$reason"
}

mkdir -p /run/petrel
mkfifo /run/petrel/dom0-output
prefix_lines '[dom0] ' </run/petrel/dom0-output &
prefixer=$!
main >/run/petrel/dom0-output 2>&1
# The prefixer ends once nothing writes to its fifo any more (a process the
# dom0 script left running in the background may keep it open: not for long).
tries=0
while kill -0 $prefixer 2>/dev/null && [ $tries -lt 20 ]; do
  sleep 0.1
  tries=$((tries + 1))
done
echo "[dom0] @EVENT@ poweroff"
poweroff -f
)INIT";
  std::string modules;
  for (const auto& m : kDom0Modules) {
    if (!modules.empty()) modules += ' ';
    modules += m.name;
  }
  replace_all(&s, "@NAME@", shell_quote(r.name));
  replace_all(&s, "@CFG@", shell_quote(r.cfg));
  replace_all(&s, "@SCRIPT@", r.script ? shell_quote(kDom0Script) : "''");
  replace_all(&s, "@XENBIN@", kDom0XenBin);
  replace_all(&s, "@MODULES@", modules);
  replace_all(&s, "@MODDIR@", kDom0ModuleDir);
  replace_all(&s, "@RUNDIR@", kDom0RunDir);
  replace_all(&s, "@EVENT@", kDom0EventMarker);
  return s;
}

}  // namespace petrel::tool
