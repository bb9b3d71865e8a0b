# xl reboot and xl destroy of tests/guest/idle: the guest honours the reboot
# request, xl starts it again as a new domain, and xl destroy ends it.
log=/var/log/xen/console/guest-$NAME.log
wait_count() {  # waits until the log has $2 lines matching $1
  i=0
  until [ "$(grep -c "$1" "$log" 2>/dev/null)" -ge "$2" ]; do
    i=$((i + 1))
    if [ $i -gt 300 ]; then
      echo "dom0: gave up waiting for '$1' x$2"
      exit 1
    fi
    sleep 0.1
  done
}
xl unpause "$NAME"
wait_count "idle: up as domain" 1
xl reboot "$NAME"
echo "dom0: xl reboot returned $?"
wait_count "idle: up as domain" 2
xl list "$NAME" | tail -n +2 | awk '{print "dom0: after the reboot the domain is " $1 " with id " $2}'
xl destroy "$NAME"
echo "dom0: xl destroy returned $?"
