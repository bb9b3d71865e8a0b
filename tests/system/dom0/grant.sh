# The dom0 side of tests/guest/grant-peer (gnt-peer copied in with
# --dom0-file).
. ./petrel-dom0.sh
xl unpause "$NAME"
ref=$(wait_key "$home/data/grant/guest-ref" 20) || exit 1
# Map the guest's page and hold it until the guest has tried to end the
# grant (the FIFO on gnt-peer's input is held open until then); tell the
# guest while it is mapped.
mkfifo /tmp/map.in /tmp/grant.in
./gnt-peer map "$DOMID" "$ref" 20 </tmp/map.in >/tmp/map.log 2>&1 &
exec 4>/tmp/map.in
wait_lines /tmp/map.log "gnt-peer: mapped" 1 10
xenstore-write "$home/data/grant/mapped" 1
wait_log "grant-peer: ending the grant while dom0 has it mapped" 1 20
exec 4>&-
wait
cat /tmp/map.log
xenstore-write "$home/data/grant/unmapped" 1
# Grant the guest a page of ours, kept until the guest is done with it.
./gnt-peer grant "$DOMID" 20 </tmp/grant.in >/tmp/grant.log 2>&1 &
exec 4>/tmp/grant.in
wait_lines /tmp/grant.log gref 1 10
gref=$(sed -n 's/^gnt-peer: gref //p' /tmp/grant.log)
xenstore-write "$home/data/grant/dom0-ref" "$gref"
wait_log "grant-peer: unmapped dom0's page" 1 20
exec 4>&-
wait
cat /tmp/grant.log
