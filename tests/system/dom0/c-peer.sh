# The dom0 side of tests/guest/c-peer: answers the guest's question.
home=/local/domain/$DOMID
xl unpause "$NAME"
i=0
until q=$(xenstore-read "$home/data/c-peer/question" 2>/dev/null); do
  i=$((i + 1))
  if [ $i -gt 200 ]; then
    echo "dom0: no question"
    exit 1
  fi
  sleep 0.1
done
echo "dom0: the guest asked: $q"
xenstore-write "$home/data/c-peer/answer" "yes, dom0 here"
