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
