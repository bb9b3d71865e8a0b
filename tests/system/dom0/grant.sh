# The dom0 side of tests/guest/grant-peer (gnt-peer copied in with
# --dom0-file).
home=/local/domain/$DOMID
xl unpause "$NAME"
i=0
until ref=$(xenstore-read "$home/data/grant/guest-ref" 2>/dev/null); do
  i=$((i + 1))
  if [ $i -gt 200 ]; then
    echo "dom0: no grant from the guest"
    exit 1
  fi
  sleep 0.1
done
# Map the guest's page and hold it 2 s; tell the guest while it is mapped.
./gnt-peer map "$DOMID" "$ref" 2 >/tmp/map.log 2>&1 &
until grep -q -e mapped -e gnt-peer: /tmp/map.log; do sleep 0.05; done
sleep 0.2
xenstore-write "$home/data/grant/mapped" 1
wait
cat /tmp/map.log
xenstore-write "$home/data/grant/unmapped" 1
# Grant the guest a page of ours.
./gnt-peer grant "$DOMID" 3 >/tmp/grant.log 2>&1 &
until grep -q gref /tmp/grant.log; do sleep 0.05; done
gref=$(sed -n 's/^gnt-peer: gref //p' /tmp/grant.log)
xenstore-write "$home/data/grant/dom0-ref" "$gref"
wait
cat /tmp/grant.log
