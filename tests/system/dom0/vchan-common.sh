# dom0's side of examples/vchan-echo with Xen's vchan-socket-proxy (real
# libxenvchan), sourced by vchan-guest-server.sh (mode=server: the guest
# serves, dom0 is the client) and vchan-guest-client.sh (mode=client: dom0
# serves, the guest connects).
PATH=$PATH:/usr/lib/xen-4.17/bin
. ./petrel-dom0.sh
: "${mode:?set by vchan-guest-server.sh or vchan-guest-client.sh}"

# Sends $1 random bytes through the proxy and compares what comes back. At
# the end of its input the proxy closes the channel, so the input (a FIFO
# held open by this shell) ends only once as many bytes came back as were
# sent, or the proxy ended, or 120 s passed.
check() {
  head -c "$1" /dev/urandom >/tmp/in
  rm -f /tmp/fifo
  mkfifo /tmp/fifo
  : >/tmp/out
  if [ "$mode" = server ]; then
    timeout 120 vchan-socket-proxy -m client "$DOMID" "$home/data/vchan-echo" - </tmp/fifo >/tmp/out 2>/tmp/err &
  else
    # The guest keeps trying to connect until this server is there.
    timeout 120 vchan-socket-proxy -m server "$DOMID" /local/domain/0/data/petrel-vchan - </tmp/fifo >/tmp/out 2>/tmp/err &
  fi
  proxy=$!
  exec 4>/tmp/fifo
  cat /tmp/in >&4
  tries=2400
  while [ "$(wc -c </tmp/out)" -lt "$1" ] && [ $tries -gt 0 ] && kill -0 $proxy 2>/dev/null; do
    tries=$((tries - 1))
    sleep 0.05
  done
  exec 4>&-
  wait $proxy
  if cmp -s /tmp/in /tmp/out; then
    echo "dom0: $1 bytes came back intact"
  else
    echo "dom0: $1 bytes: MISMATCH ($(wc -c </tmp/out) bytes back)"
    head -5 /tmp/err
  fi
}

# Centiseconds since dom0 booted (busybox's date has no sub-second format).
now_cs() {
  read -r up _ </proc/uptime
  echo "${up%.*}${up#*.}"
}

# The guest closes mid-stream (it was started with close-after): the proxy
# must notice and end on its own while its input is still open. The input
# comes from a FIFO whose writer keeps it open for 30 s after the data, and
# only the proxy itself is timed (timing a pipeline would include the
# writer). Either of the proxy's ways of noticing counts: a write refused
# ("vchan write failed", status 1) or its end marked gone (status 0).
guest_closes() {
  head -c 3000000 /dev/urandom >/tmp/in
  rm -f /tmp/fifo
  mkfifo /tmp/fifo
  (cat /tmp/in; exec sleep 30) >/tmp/fifo &
  writer=$!
  start=$(now_cs)
  timeout 20 vchan-socket-proxy -m "$1" "$DOMID" "$2" - </tmp/fifo >/tmp/out 2>/tmp/err
  status=$?
  cs=$(($(now_cs) - start))
  kill $writer 2>/dev/null
  wait $writer 2>/dev/null
  secs=$((cs / 100)).$((cs / 10 % 10))
  if [ "$status" -le 1 ] && [ $cs -lt 1500 ]; then
    echo "dom0: the guest closed mid-stream: the proxy saw it and ended (status $status) after $secs s, its input still open"
  else
    echo "dom0: the guest closed mid-stream: the proxy did NOT end on it (status $status after $secs s)"
  fi
  echo "dom0: $(wc -c </tmp/out) bytes came back before the close"
}

if [ "$mode" = server ]; then
  xl unpause "$NAME"
  n=0
  for size in 1 1000 4096 65536 1000000 4000000; do
    n=$((n + 1))
    wait_log "serving at" $n
    check $size
  done
  n=$((n + 1))
  wait_log "serving at" $n
  guest_closes client "$home/data/vchan-echo"
  # dom0 closes mid-stream: the guest sees it.
  n=$((n + 1))
  wait_log "serving at" $n
  head -c 4000000 /dev/urandom | timeout 60 vchan-socket-proxy -m client "$DOMID" "$home/data/vchan-echo" - >/dev/null 2>&1 &
  proxy=$!
  # Once the guest has the connection (on a busy machine the proxy may take
  # longer than the half second of data to connect).
  wait_log "connection $n open"
  sleep 0.5
  kill $proxy
  wait_log "ended after" $n
  echo "dom0: closed mid-stream from dom0"
else
  # dom0 serves; the guest (role=client) connects to each server in turn.
  xl unpause "$NAME"
  n=0
  for size in 1 100000 3000000; do
    n=$((n + 1))
    check $size
    wait_log "ended after" $n
    xenstore-rm /local/domain/0/data/petrel-vchan 2>/dev/null
  done
  # The fourth connection the guest closes mid-stream.
  guest_closes server /local/domain/0/data/petrel-vchan
  wait_log "ended after" 4
  xenstore-rm /local/domain/0/data/petrel-vchan 2>/dev/null
fi
