# dom0's side of bench/xen_bench.cc (busybox sh in dom0; NAME and DOMID
# from the harness; evtchn-echo copied into /petrel with --dom0-file).
home=/local/domain/$DOMID
xl unpause "$NAME"
i=0
until port=$(xenstore-read "$home/data/bench/port" 2>/dev/null); do
  i=$((i + 1))
  if [ $i -gt 200 ]; then
    echo "dom0: the guest never published its port"
    exit 1
  fi
  sleep 0.1
done
./evtchn-echo "$DOMID" "$port" 0 >/tmp/echo.log 2>&1 &
i=0
until grep -q bound /tmp/echo.log; do
  i=$((i + 1))
  if [ $i -gt 100 ]; then
    cat /tmp/echo.log
    exit 1
  fi
  sleep 0.05
done
cat /tmp/echo.log
xenstore-write "$home/data/bench/ready" 1

# vchan phases: one vchan-socket-proxy connection each, as the guest asks.
PATH=$PATH:/usr/lib/xen-4.17/bin
log=/var/log/xen/console/guest-$NAME.log
path=$home/data/vchan-bench
total=$((4 * 1024 * 1024))
wait_phase() {
  i=0
  until grep -q "vchan ready for $1" "$log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 600 ]; then
      echo "dom0: the guest never offered '$1'"
      exit 1
    fi
    sleep 0.1
  done
}
i=0
until size=$(xenstore-read "$home/data/bench/bytes" 2>/dev/null); do
  i=$((i + 1))
  [ $i -gt 600 ] && size=$total && break
  sleep 0.1
done
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
rm -f /tmp/loop
mkfifo /tmp/loop
vchan-socket-proxy -m client "$DOMID" "$path" - </tmp/loop | cat >/tmp/loop
echo "dom0: vchan phases done"
