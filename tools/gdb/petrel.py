# Petrel's gdb extension, loaded by `petrel debug` (tools/petrel/debug.cc).
#
#   petrel tasks      every task: name, state, priorities, stack used and
#                     free, what a blocked task waits on
#   petrel bt TASK    the backtrace of a task that is not running, from the
#                     context its last switch saved (TASK: a name, an id or
#                     a Task address)
#   petrel heap       the kernel heap's statistics, checked against a walk
#
# Everything is read from the kernel's own structures (kernel/, arch/) through
# the guest's debug information; a structure that is not what this file
# expects is an error that says so, never a guess. docs/debugging.md has the
# details, and what Xen's presence changes.
#
# The parts: petrel_kernel.py (the kernel's structures), petrel_unwind.py
# (the unwinders); this file has the commands and the session helpers.

import os
import sys
import time

import gdb

# The parts beside this file; no bytecode caches written into the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from petrel_kernel import (HEAP, HEAP_FREE, HEAP_UNIT, HEAP_USED, MAX_HEAP_BLOCKS,  # noqa: E402
                           Kernel, TASK_STATES, arch_name, enum_name, fail, global_value,
                           require_fields, require_guest_cpu, stack_unused, symbol_at, task_name,
                           waits_on)
from petrel_unwind import UNWINDER, saved_registers  # noqa: E402


class PetrelPrefix(gdb.Command):
    """Petrel's task-aware commands: petrel tasks, petrel bt TASK, petrel heap."""

    def __init__(self):
        super().__init__("petrel", gdb.COMMAND_USER, prefix=True)


class PetrelTasks(gdb.Command):
    """List every task: name, state, priority (effective/base), stack used and free, and
what a blocked task waits on. The running task is marked with *."""

    def __init__(self):
        super().__init__("petrel tasks", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        k = Kernel()
        if not bool(k.state["running"]):
            gdb.write("petrel: the scheduler is not running yet (or has ended)\n")
        tasks = k.tasks()
        rows = [("", "id", "name", "state", "prio", "stack used", "free", "waits on")]
        for t in tasks:
            state = enum_name(t["state"], TASK_STATES)[1:].lower()
            size = int(t["stack_size"])
            unused = stack_unused(t)
            rows.append(("*" if int(t.address) == k.current else "", str(int(t["id"])),
                         task_name(t), state,
                         "%d/%d" % (int(t["priority"]), int(t["base_priority"])),
                         "%d/%d" % (size - unused, size) if unused is not None else "-",
                         str(unused) if unused is not None else "-", waits_on(k, t)))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            gdb.write(" ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() + "\n")
        gdb.write("%d tasks\n" % len(tasks))



class PetrelBacktrace(gdb.Command):
    """Backtrace of a task that is not running: petrel bt TASK (a name, an id or a Task
address). The stack is walked from the context the task's last switch saved."""

    def __init__(self):
        super().__init__("petrel bt", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        spec = arg.strip()
        if not spec:
            fail("petrel bt TASK: which task? (petrel tasks lists them)")
        k = Kernel()
        task = k.find(spec)
        name = task_name(task)
        if int(task.address) == k.current:
            fail("task %s is running: its registers are the CPU's, use bt" % name)
        state = enum_name(task["state"], TASK_STATES)
        if state == "kDeleted":
            fail("task %s is deleted" % name)
        arch = arch_name()
        registers = saved_registers(task, arch)
        if dict(registers)["pc"] == int(gdb.parse_and_eval("&petrel_task_start")) & ~1:
            # context_init's frame: the task has never run, and its stack
            # holds nothing to walk. task.cc keeps its entry and argument in
            # the start record (entry, arg) until it first runs.
            start = int(task["wait"]["detail"]["start"])
            if start == 0:
                fail("task %s has not run yet, and has no start record" % name)
            width = 8 if arch == "aarch64" else 4
            words = gdb.selected_inferior().read_memory(start, 2 * width).tobytes()
            entry = int.from_bytes(words[:width], "little")
            arg = int.from_bytes(words[width:], "little")
            gdb.write("task %s (%s) has not run yet: it will start in %s (arg %#x)\n" %
                      (name, state[1:].lower(), symbol_at(entry & ~1) or "%#x" % entry, arg))
            return
        gdb.write("task %s (%s), from its saved context:\n" % (name, state[1:].lower()))
        gdb.invalidate_cached_frames()
        real = gdb.newest_frame()
        while real.type() == gdb.INLINE_FRAME:
            real = real.older()
        UNWINDER.level = real.level()
        UNWINDER.registers = registers
        gdb.invalidate_cached_frames()
        try:
            frame = gdb.newest_frame()
            for _ in range(UNWINDER.level + 1):
                frame = frame.older()
            level = 0
            while frame is not None and level < 64:
                pc = frame.pc()
                fn = frame.function()
                sal = frame.find_sal()
                where = ""
                if sal.symtab is not None:
                    where = " at %s:%d" % (sal.symtab.filename, sal.line)
                what = fn.print_name if fn is not None else (frame.name() or "??")
                gdb.write("#%-2d %#x in %s%s\n" % (level, pc, what, where))
                level += 1
                frame = frame.older()
        finally:
            UNWINDER.registers = None
            gdb.invalidate_cached_frames()


class PetrelHeap(gdb.Command):
    """The kernel heap: its region, free bytes and low-water mark, the largest free block,
allocation counts, and a walk of every block checked against them."""

    def __init__(self):
        super().__init__("petrel heap", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        require_guest_cpu()
        heap = global_value(HEAP)
        require_fields(heap.type, ("first", "end", "free_head", "stats"), "the heap")
        stats = heap["stats"]
        require_fields(stats.type, ("total", "free", "min_free", "free_blocks", "allocations",
                                    "frees", "failures"), "HeapStats")
        first = int(heap["first"])
        end = int(heap["end"])
        if first == 0:
            gdb.write("petrel: the heap has no region (heap_init not called, or no room)\n")
            return
        inferior = gdb.selected_inferior()
        used = free = free_bytes = largest = 0
        a = first
        while a != end:
            if used + free >= MAX_HEAP_BLOCKS or not first <= a < end:
                fail("the heap walk left the region at %#x: a corrupted header" % a)
            units, _prev, state, _check = (int.from_bytes(inferior.read_memory(a + 4 * i, 4)
                                                          .tobytes(), "little")
                                           for i in range(4))
            if state not in (HEAP_USED, HEAP_FREE) or units < 2:
                fail("the block at %#x has a corrupted header (units %d, state %#x)" %
                     (a, units, state))
            if state == HEAP_FREE:
                free += 1
                free_bytes += (units - 1) * HEAP_UNIT
                largest = max(largest, (units - 1) * HEAP_UNIT)
            else:
                used += 1
            a += units * HEAP_UNIT
        total = int(stats["total"])
        allocations = int(stats["allocations"])
        frees = int(stats["frees"])
        rows = [
            ("region", "%#x-%#x, %d bytes (headers included)" % (first, end + HEAP_UNIT, total)),
            ("free", "%d bytes (%.1f%%)" % (int(stats["free"]), 100.0 * int(stats["free"]) /
                                            max(total, 1))),
            ("low-water mark", "%d bytes free" % int(stats["min_free"])),
            ("largest free block", "%d bytes" % largest),
            ("blocks", "%d used, %d free" % (used, free)),
            ("allocations", "%d, frees %d, live %d, failed %d" %
             (allocations, frees, allocations - frees, int(stats["failures"]))),
        ]
        for label, value in rows:
            gdb.write("%-19s %s\n" % (label + ":", value))
        if free_bytes != int(stats["free"]) or free != int(stats["free_blocks"]):
            fail("the walk found %d free blocks of %d bytes, the statistics say %d of %d: "
                 "a corrupted heap" % (free, free_bytes, int(stats["free_blocks"]),
                                       int(stats["free"])))
        gdb.write("walk: every header intact, free bytes and blocks agree with the statistics\n")


PetrelPrefix()
PetrelTasks()
PetrelBacktrace()
PetrelHeap()


# --- the session (tools/petrel/debug.cc) ----------------------------------------


def petrel_connect(socket, wait_s=20):
    """Connects to QEMU's gdbstub (or the AArch32 proxy) at `socket`, once QEMU
    has made it."""
    deadline = time.monotonic() + wait_s
    while not os.path.exists(socket):
        if time.monotonic() > deadline:
            raise gdb.GdbError("petrel: QEMU's gdbstub %s did not appear" % socket)
        time.sleep(0.05)
    gdb.execute("target remote " + socket)


def petrel_batch(path):
    """Runs a batch file. A command that fails ends gdb at once with status 1,
    leaving the guest stopped (a plain gdb would detach, and the guest would
    run on as if nothing had failed). The connection closing during a command
    is the guest's exit: the tool ended QEMU."""
    try:
        gdb.execute("source " + path)
    except gdb.error as e:
        if "Remote connection closed" in str(e) or "Remote communication error" in str(e):
            gdb.write("petrel: the guest ended (QEMU closed the connection)\n")
            return
        gdb.write("petrel: %s failed: %s\n" % (path, e), gdb.STDERR)
        gdb.flush()
        os._exit(1)
