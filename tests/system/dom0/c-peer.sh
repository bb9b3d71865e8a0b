# The dom0 side of tests/guest/c-peer: answers the guest's question.
. ./petrel-dom0.sh
xl unpause "$NAME"
q=$(wait_key "$home/data/c-peer/question" 20) || exit 1
echo "dom0: the guest asked: $q"
xenstore-write "$home/data/c-peer/answer" "yes, dom0 here"
