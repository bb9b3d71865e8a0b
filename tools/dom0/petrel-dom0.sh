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
