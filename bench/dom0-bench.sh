# dom0's side of bench/xen_bench.cc (busybox sh in dom0; NAME and DOMID
# from the harness; evtchn-echo copied into /petrel with --dom0-file).
. ./petrel-dom0.sh
xl unpause "$NAME"
port=$(wait_key "$home/data/bench/port" 20) || exit 1
./evtchn-echo "$DOMID" "$port" 0 >/tmp/echo.log 2>&1 &
wait_lines /tmp/echo.log bound 1 5
cat /tmp/echo.log
xenstore-write "$home/data/bench/ready" 1

# vchan phases: one vchan-socket-proxy connection each, as the guest asks.
PATH=$PATH:/usr/lib/xen-4.17/bin
path=$home/data/vchan-bench
wait_phase() {
  wait_log "vchan ready for $1" 1 60
}
size=$(wait_key "$home/data/bench/bytes" 60) || exit 1
wait_phase "Linux -> guest 4 KiB"
dd if=/dev/zero bs=4096 count=$((size / 4096)) 2>/dev/null | vchan-socket-proxy -m client "$DOMID" "$path" - >/dev/null
wait_phase "Linux -> guest 64 KiB"
dd if=/dev/zero bs=65536 count=$((size / 65536)) 2>/dev/null | vchan-socket-proxy -m client "$DOMID" "$path" - >/dev/null
wait_phase "guest -> Linux 4 KiB"
# (stdin stays open: the proxy ends when the guest closes the channel)
sleep 600 2>/dev/null | vchan-socket-proxy -m client "$DOMID" "$path" - >/dev/null 2>&1 &
wait_phase "guest -> Linux 64 KiB"
sleep 600 2>/dev/null | vchan-socket-proxy -m client "$DOMID" "$path" - >/dev/null 2>&1 &
wait_phase "round trips"
# (one FIFO both ways on purpose: what the proxy prints goes back into it)
rm -f /tmp/loop
mkfifo /tmp/loop
# shellcheck disable=SC2094
vchan-socket-proxy -m client "$DOMID" "$path" - </tmp/loop | cat >/tmp/loop
echo "dom0: vchan phases done"
