# The dom0 side of tests/guest/dom0-peer (busybox sh in dom0; NAME and
# DOMID come from the harness; the domain starts paused).
. ./petrel-dom0.sh

# xl console, attached before the guest runs, sees its output too.
xl console "$NAME" </dev/null >/tmp/xl-console.txt 2>&1 &
console_pid=$!
sleep 0.5
xl unpause "$NAME"

wait_log "peer: wrote data/petrel/from-guest" 1 20
echo "dom0: read from-guest=$(xenstore-read "$home/data/petrel/from-guest")"
xenstore-write "$home/data/petrel/to-guest" "hello-from-dom0"

wait_log "peer: waiting for console input" 1 20
tty=$(xenstore-read "$home/console/tty")
echo "typed-in-dom0" >"$tty"

wait_log "peer: waiting for xl shutdown" 1 20
echo "dom0: counter=$(xenstore-read "$home/data/petrel/counter")"
kill "$console_pid" 2>/dev/null
echo "dom0: xl console showed $(grep -c 'peer:' /tmp/xl-console.txt) peer lines"
xl shutdown -w "$NAME"
echo "dom0: xl shutdown returned $?"
