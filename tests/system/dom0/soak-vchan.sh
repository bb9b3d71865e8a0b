# dom0's side of the soak's vchan load (tests/guest/soak/load_vchan.cc,
# `petrel soak --dom0`): for each "soak: vchan serving" line of the guest,
# connects Xen's vchan-socket-proxy (real libxenvchan) to the guest's
# data/soak-vchan with its output looped back into its input through a
# FIFO, so every byte the guest writes comes back; the proxy ends when the
# guest closes the channel at the epoch's end. Ends when the domain is gone.
PATH=$PATH:/usr/lib/xen-4.17/bin
. ./petrel-dom0.sh
xl unpause "$NAME"
rm -f /tmp/loop
mkfifo /tmp/loop
n=0
while :; do
  n=$((n + 1))
  until [ "$(grep -c 'soak: vchan serving' "$log" 2>/dev/null)" -ge $n ]; do
    if ! xl list "$NAME" >/dev/null 2>&1; then
      echo "dom0: served $((n - 1)) vchan epochs"
      exit 0
    fi
    sleep 0.1
  done
  # stdin opened read-write first, so opening the FIFO for stdout does not
  # block; reading and writing one FIFO is the loop-back itself.
  # shellcheck disable=SC2094
  vchan-socket-proxy -m client "$DOMID" "$home/data/soak-vchan" - <>/tmp/loop >/tmp/loop 2>/tmp/proxy.err
  status=$?
  if [ $status -gt 1 ]; then
    echo "dom0: vchan-socket-proxy ended with status $status in epoch $n"
    head -5 /tmp/proxy.err
  fi
done
