# dom0's side of `./petrel demo` (docs/demo.md; busybox sh in dom0, NAME and
# DOMID from the harness, demo.conf from the tool). In order:
#   - unpause motor-control and connect a logger to its telemetry vchan
#     (Xen's vchan-socket-proxy, real libxenvchan) once it serves;
#   - start the same loop as a Linux process (demo-loop) with its logger;
#   - quiet_s seconds as they are, then load_s seconds with dom0's CPU,
#     memory and I/O load (SIGUSR1 tells both loggers);
#   - ask the host for the emergency stop (the PL061 button, which the tool
#     presses through QEMU's monitor when it sees "press the emergency
#     stop"), wait for the guest's last record, end the Linux loop and the
#     load;
#   - print both loggers' reports ("demo-log: ..." lines) for the tool.
PATH=$PATH:/usr/lib/xen-4.17/bin
. ./petrel-dom0.sh
# shellcheck source=/dev/null  # written by the tool for each run
. ./demo.conf
: "${quiet_s:?}" "${load_s:?}"

# wait_gone PID SECONDS: waits for PID to end; 1 if it is still there.
wait_gone() {
  tries=$(($2 * 10))
  while kill -0 "$1" 2>/dev/null; do
    tries=$((tries - 1))
    [ $tries -gt 0 ] || return 1
    sleep 0.1
  done
}

# wait_guest PATTERN SECONDS: waits for a line of the guest's console, giving
# up at once (status 1) if the guest's domain is gone, crashed for example.
wait_guest() {
  tries=$(($2 * 10))
  until grep -q -e "$1" "$log" 2>/dev/null; do
    if ! xl list "$NAME" >/dev/null 2>&1; then
      # Its last lines may still be on their way to the log.
      sleep 1
      grep -q -e "$1" "$log" 2>/dev/null && return 0
      echo "demo: motor-control is gone before '$1' (its console says why)"
      return 1
    fi
    tries=$((tries - 1))
    if [ $tries -le 0 ]; then
      echo "demo: gave up waiting for '$1' from motor-control"
      return 1
    fi
    sleep 0.1
  done
}

# end_all: stops every process this script started.
end_all() {
  # shellcheck disable=SC2086  # lists of process ids
  kill $linux_loop $petrel_logger $linux_logger $holder 2>/dev/null
  stop_load
}

xl unpause "$NAME"
wait_guest "motor-control: serving telemetry" 60 || exit 1

# The proxy closes the channel at the end of its input: a FIFO held open by
# a sleeping writer keeps its input open until the guest closes.
rm -f /tmp/hold /tmp/petrel.fifo /tmp/linux.fifo
mkfifo /tmp/hold /tmp/petrel.fifo /tmp/linux.fifo
sleep 100000 >/tmp/hold &
holder=$!
vchan-socket-proxy -m client "$DOMID" "$home/data/demo-telemetry" - </tmp/hold >/tmp/petrel.fifo 2>/tmp/proxy.err &
./demo-logger petrel </tmp/petrel.fifo >/tmp/petrel.log 2>&1 &
petrel_logger=$!
./demo-loop >/tmp/linux.fifo 2>/tmp/loop.err &
linux_loop=$!
./demo-logger linux </tmp/linux.fifo >/tmp/linux.log 2>&1 &
linux_logger=$!
wait_guest "motor-control: control loop running" 60 || {
  end_all
  exit 1
}
echo "demo: both loops running; $quiet_s s quiet"
sleep "$quiet_s"
kill -USR1 $petrel_logger $linux_logger
start_load
echo "demo: dom0's CPU, memory and I/O load running; $load_s s"
sleep "$load_s"
echo "demo: press the emergency stop"
if ! wait_guest "motor-control: emergency stop seen" 30; then
  end_all
  exit 1
fi
status=0
# The guest closes the channel after its last record; the proxy and then the
# logger see the end of the stream.
if ! wait_gone $petrel_logger 30; then
  echo "demo: the Petrel logger did not see the end of the telemetry"
  kill $petrel_logger
  status=1
fi
kill $linux_loop
if ! wait_gone $linux_logger 30; then
  echo "demo: the Linux logger did not see the end of its loop's records"
  kill $linux_logger
  status=1
fi
stop_load
kill $holder 2>/dev/null
sed 's/^/demo: /' /tmp/loop.err
sed 's/^/demo: vchan-socket-proxy: /' /tmp/proxy.err
# Thousands of lines: straight to the console, past /init's line prefixer
# (a shell loop, too slow for them).
cat /tmp/petrel.log /tmp/linux.log >/dev/console
exit $status
