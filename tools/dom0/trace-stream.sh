# dom0's side of `petrel trace APP --dom0` (docs/debugging.md "Streaming
# with a dom0"): starts the guest, reads the trace it streams over vchan
# (xen/trace_stream.h) with Xen's vchan-socket-proxy into a file while it
# runs, and once the domain is gone leaves the file for /init to print to the
# console (/run/petrel/console.tail): past its line prefixer (a shell loop, too
# slow for thousands of lines) and after every other writer is done (the
# guest's console lines, dom0's own), so no line is split.
PATH=$PATH:/usr/lib/xen-4.17/bin
. ./petrel-dom0.sh

xl unpause "$NAME"
wait_key "$home/data/petrel-trace/event-channel" 60 >/dev/null || {
  echo "trace-stream: the guest serves no trace stream (built with PETREL_TRACE=ON?)"
  exit 1
}
# The proxy ends its channel at the end of its input: a FIFO held open by a
# sleeping writer keeps the input open for as long as the guest runs.
rm -f /tmp/hold
mkfifo /tmp/hold
sleep 100000 >/tmp/hold &
holder=$!
vchan-socket-proxy -m client "$DOMID" "$home/data/petrel-trace" - </tmp/hold >/tmp/trace.txt 2>/tmp/proxy.err &
proxy=$!
while xl list "$NAME" >/dev/null 2>&1; do sleep 0.2; done
kill $proxy $holder 2>/dev/null
wait $proxy 2>/dev/null
echo "trace-stream: $(wc -l </tmp/trace.txt) lines streamed"
sed 's/^/trace-stream: vchan-socket-proxy: /' /tmp/proxy.err
mv /tmp/trace.txt /run/petrel/console.tail
exit 0
