#!/bin/sh
# /init of the Linux dom0 booted by `petrel run --dom0`: the template that the
# petrel tool fills in for each run (tools/petrel/dom0_config.cc replaces
# every @WORD@; the build embeds this file in the tool). It starts Xen's daemons,
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
  # shellcheck disable=SC2043  # @MODULES@ becomes a list of modules
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
# What a dom0 script left for the console (trace-stream.sh: the streamed
# trace), unprefixed, now that no other writer is left to split a line.
if [ -e /run/petrel/console.tail ]; then
  cat /run/petrel/console.tail
fi
echo "[dom0] @EVENT@ poweroff"
poweroff -f
