# dom0's side of `petrel bench --rt --loaded` (busybox sh in dom0; NAME from
# the harness): a CPU, memory and I/O load (start_load, petrel-dom0.sh) that
# runs while the rt-loop guest measures its lateness, started before the
# guest is unpaused and left running until dom0 powers off after the guest
# has gone.
. ./petrel-dom0.sh
start_load
echo "dom0: CPU, memory and I/O load running"
xl unpause "$NAME"
