# `petrel debug --batch` on tests/guest/debug-target (system.ARCH.debug.tasks):
# stop the worker task in debug_checkpoint the third time (every other task
# is blocked by then), step a line and back out to its caller, list the
# tasks, walk the blocked waiter's stack from its saved context, check the
# heap, then let the guest run to its exit.
break debug_checkpoint if round == 3
continue
bt
next
finish
petrel tasks
petrel bt waiter
petrel heap
delete
continue
