# The dom0 side of tests/guest/grant-peer (gnt-peer copied in with
# --dom0-file).
. ./petrel-dom0.sh
xl unpause "$NAME"
ref=$(wait_key "$home/data/grant/guest-ref" 20) || exit 1
# Map the guest's page and hold it 2 s; tell the guest while it is mapped.
./gnt-peer map "$DOMID" "$ref" 2 >/tmp/map.log 2>&1 &
wait_lines /tmp/map.log gnt-peer: 1 10
sleep 0.2
xenstore-write "$home/data/grant/mapped" 1
wait
cat /tmp/map.log
xenstore-write "$home/data/grant/unmapped" 1
# Grant the guest a page of ours.
./gnt-peer grant "$DOMID" 3 >/tmp/grant.log 2>&1 &
wait_lines /tmp/grant.log gref 1 10
gref=$(sed -n 's/^gnt-peer: gref //p' /tmp/grant.log)
xenstore-write "$home/data/grant/dom0-ref" "$gref"
wait
cat /tmp/grant.log
