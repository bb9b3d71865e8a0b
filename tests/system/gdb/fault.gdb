# A fault caught as it happens (system.arm64.debug.fault): tests/guest/faults
# with fault=task-null reads address 0 in task crasher. At the C++ handler,
# gdb's backtrace walks through the exception vector (the extension's
# unwinder) into the faulting code; the task is then stopped alone and the
# app goes on to exit 0.
break petrel_exception
continue
bt
petrel tasks
delete
continue
