# The dom0 side of tests/guest/dom0-peer (busybox sh in dom0; NAME and
# DOMID come from the harness; the domain starts paused).
home=/local/domain/$DOMID
log=/var/log/xen/console/guest-$NAME.log

# Waits up to 20 s for a line in the guest's console log.
wait_for() {
  i=0
  until grep -q "$1" "$log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 200 ]; then
      echo "dom0: gave up waiting for '$1'"
      exit 1
    fi
    sleep 0.1
  done
}

# xl console, attached before the guest runs, sees its output too.
xl console "$NAME" </dev/null >/tmp/xl-console.txt 2>&1 &
console_pid=$!
sleep 0.5
xl unpause "$NAME"

wait_for "peer: wrote data/petrel/from-guest"
echo "dom0: read from-guest=$(xenstore-read "$home/data/petrel/from-guest")"
xenstore-write "$home/data/petrel/to-guest" "hello-from-dom0"

wait_for "peer: waiting for console input"
tty=$(xenstore-read "$home/console/tty")
echo "typed-in-dom0" >"$tty"

wait_for "peer: waiting for xl shutdown"
echo "dom0: counter=$(xenstore-read "$home/data/petrel/counter")"
kill "$console_pid" 2>/dev/null
echo "dom0: xl console showed $(grep -c 'peer:' /tmp/xl-console.txt) peer lines"
xl shutdown -w "$NAME"
echo "dom0: xl shutdown returned $?"
