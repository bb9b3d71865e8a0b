# The extension refuses to read guest memory while the CPU is not in the
# guest (system.ARCH.debug.not_in_guest): at the first stop the CPU runs
# QEMU's boot code at EL2, before Xen.
petrel tasks
