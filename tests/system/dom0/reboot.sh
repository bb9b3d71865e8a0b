# xl reboot and xl destroy of tests/guest/idle: the guest honours the reboot
# request, xl starts it again as a new domain, and xl destroy ends it.
. ./petrel-dom0.sh
xl unpause "$NAME"
wait_log "idle: up as domain" 1
xl reboot "$NAME"
echo "dom0: xl reboot returned $?"
wait_log "idle: up as domain" 2
xl list "$NAME" | tail -n +2 | awk '{print "dom0: after the reboot the domain is " $1 " with id " $2}'
xl destroy "$NAME"
echo "dom0: xl destroy returned $?"
