# dom0's side of `petrel bench --rt --loaded` (busybox sh in dom0; NAME from
# the harness): a CPU, memory and I/O load that runs while the rt-loop guest
# measures its lateness, started before the guest is unpaused and left
# running until dom0 powers off after the guest has gone. dom0 has no disk:
# the I/O is file traffic on tmpfs (create, write, sync, read, remove) and
# reads of the whole root filesystem.
mkdir -p /run/load/mem /run/load/io
# CPU: a shell loop that never sleeps.
(while :; do :; done) >/dev/null 2>&1 &
# Memory: 32 MiB written, read back and freed, over and over.
(while :; do
  dd if=/dev/zero of=/run/load/mem/block bs=1M count=32 2>/dev/null
  cat /run/load/mem/block >/dev/null
  rm -f /run/load/mem/block
done) >/dev/null 2>&1 &
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
echo "dom0: CPU, memory and I/O load running"
xl unpause "$NAME"
