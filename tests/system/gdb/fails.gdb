# A batch file whose command fails (system.ARCH.debug.batch_failure): gdb
# must end at once with the guest still stopped, not let it run to its exit.
break debug_checkpoint
continue
petrel bt no-such-task
continue
