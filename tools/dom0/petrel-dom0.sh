# Helpers for dom0 scripts (busybox sh in the dom0 of `petrel run --dom0`).
# The harness copies this file into /petrel next to every dom0 script; a
# script uses it with `. ./petrel-dom0.sh`. NAME and DOMID come from the
# harness. Every wait gives up after its limit with a "dom0: gave up ..."
# line and status 1, so a test fails with a reason instead of hanging.

# shellcheck disable=SC2034  # for the scripts that load this file
home=/local/domain/$DOMID
log=/var/log/xen/console/guest-$NAME.log

# wait_lines FILE PATTERN [COUNT [SECONDS]]: waits until FILE has COUNT
# (default 1) lines matching the grep pattern PATTERN; 30 s at most unless
# SECONDS says otherwise.
wait_lines() {
  tries=$((${4:-30} * 20))
  until [ "$(grep -c -e "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ]; do
    tries=$((tries - 1))
    if [ $tries -le 0 ]; then
      echo "dom0: gave up waiting for '$2' x${3:-1} in $1"
      exit 1
    fi
    sleep 0.05
  done
}

# wait_log PATTERN [COUNT [SECONDS]]: the same for the guest's console log.
wait_log() {
  wait_lines "$log" "$@"
}

# wait_key PATH [SECONDS]: prints the value of xenstore key PATH once it
# exists (30 s at most). Use it as `v=$(wait_key P) || exit 1`: the wait runs
# in a subshell, so giving up fails the assignment rather than the script.
wait_key() {
  tries=$((${2:-30} * 10))
  until xenstore-read "$1" 2>/dev/null; do
    tries=$((tries - 1))
    if [ $tries -le 0 ]; then
      echo "dom0: gave up waiting for the xenstore key $1" >&2
      exit 1
    fi
    sleep 0.1
  done
}

# start_load: a CPU, memory and I/O load in the background (their process
# ids in $load_pids, for stop_load). dom0 has no disk: the I/O is file
# traffic on tmpfs (create, write, sync, read, remove) and reads of the
# whole root filesystem.
start_load() {
  mkdir -p /run/load/mem /run/load/io
  # CPU: a shell loop that never sleeps.
  (while :; do :; done) >/dev/null 2>&1 &
  load_pids=$!
  # Memory: 32 MiB written, read back and freed, over and over.
  (while :; do
    dd if=/dev/zero of=/run/load/mem/block bs=1M count=32 2>/dev/null
    cat /run/load/mem/block >/dev/null
    rm -f /run/load/mem/block
  done) >/dev/null 2>&1 &
  load_pids="$load_pids $!"
  # I/O: 200 small files created and synced, every file of / read, all removed.
  (while :; do
    i=0
    while [ $i -lt 200 ]; do
      echo "$i" >/run/load/io/f$i
      i=$((i + 1))
    done
    sync
    find / -xdev -type f -exec cat {} + >/dev/null 2>&1
    rm -f /run/load/io/f*
  done) >/dev/null 2>&1 &
  load_pids="$load_pids $!"
}

# stop_load: ends what start_load started.
stop_load() {
  # shellcheck disable=SC2086  # a list of process ids
  kill $load_pids 2>/dev/null
  rm -rf /run/load
}
