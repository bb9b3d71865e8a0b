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

import os
import time

import gdb
import gdb.unwinder

# --- the kernel's layout this file relies on ---------------------------------

KERNEL = "petrel::kernel::g_kernel"
HEAP = "petrel::kernel::(anonymous namespace)::g_heap"
TASK_TYPE = "petrel::kernel::Task"
TASK_FIELDS = ("context", "state", "priority", "base_priority", "delayed", "wake_tick", "wait",
               "stack_base", "stack_size", "name", "id", "notify_state")
WAIT_FIELDS = ("queue", "call_object", "mutex")
TASK_STATES = ("kRunning", "kReady", "kBlocked", "kSuspended", "kDeleted")
STACK_FILL = 0xa5  # kernel/src/task.cc: every byte of a new stack
MAX_TASKS = 1024  # a longer list is a corrupted one
HEAP_UNIT = 16  # kernel/src/heap.cc: header size, block granularity
HEAP_USED = 0x55534544  # "USED"
HEAP_FREE = 0x46524545  # "FREE"
MAX_HEAP_BLOCKS = 1 << 20

# The objects a task can block on: their wait queues, by field.
WAIT_OBJECTS = (
    ("semaphore", "petrel::kernel::Semaphore", ("takers",)),
    ("queue", "petrel::kernel::Queue", ("senders", "receivers")),
    ("mutex", "petrel::kernel::Mutex", ("waiters",)),
    ("event group", "petrel::kernel::EventGroup", ("waiters",)),
    ("stream buffer", "petrel::kernel::StreamBuffer", ("readers", "writers")),
)

# The frame petrel_context_switch leaves on a task's stack (context.S of each
# architecture), and the first instructions that build it, checked before
# the frame is read: another frame would give a backtrace of garbage.
SWITCH_FRAMES = {
    "aarch64": {
        "prologue": (0xd10183ff, ),  # sub sp, sp, #96
        "size": 96,
        # x19-x30 from the lowest address, 8 bytes each.
        "slots": [("x%d" % (19 + i), 8 * i) for i in range(12)],
        "pc": "x30",
    },
    "arm": {
        "prologue": (0xe92d4ff0, 0xe24dd004),  # push {r4-r11, lr}; sub sp, sp, #4
        "size": 40,
        # pad, r4-r11, lr from the lowest address, 4 bytes each.
        "slots": [("r%d" % (4 + i), 4 + 4 * i) for i in range(8)] + [("lr", 36)],
        "pc": "lr",
    },
}


class PetrelError(gdb.GdbError):
    pass


def fail(message):
    raise PetrelError("petrel: " + message)


def arch_name():
    name = gdb.selected_frame().architecture().name()
    if name.startswith("aarch64"):
        return "aarch64"
    if name.startswith("arm"):
        return "arm"
    fail("the guest's architecture is %s, neither AArch64 nor ARM" % name)


def require_guest_cpu():
    """The CPU must be in the guest: memory reads go through the translation
    of whatever the CPU runs, and in Xen a guest address means Xen's memory."""
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        fail("no frame: is gdb connected to QEMU, and the CPU stopped?")
    cpsr = int(frame.read_register("cpsr")) & 0xffffffff
    pc = int(frame.read_register("pc"))
    if arch_name() == "aarch64":
        level = (cpsr >> 2) & 3
        in_guest = level <= 1 and (cpsr & 0x10) == 0
    else:
        # AArch32 modes have M[4] set; an AArch64 PSTATE (the proxy shows
        # Xen's registers as they are) has it clear.
        in_guest = (cpsr & 0x10) != 0 and (cpsr & 0x1f) != 0x1a
    if not in_guest:
        fail("the CPU is not in the guest but at EL2 (pc %#x, cpsr %#x): in Xen, or in the "
             "boot code before it, where a guest address would be read through Xen's page "
             "tables or none. Stop in the guest first (a breakpoint in a task, then "
             "continue)." % (pc, cpsr))


def lookup_type(name):
    try:
        return gdb.lookup_type(name)
    except gdb.error:
        fail("the guest has no type %s: is this a Petrel image built with -g, and does "
             "tools/gdb/petrel.py match its kernel?" % name)


def field_names(gdb_type):
    return {f.name for f in gdb_type.strip_typedefs().fields()}


def require_fields(gdb_type, wanted, what):
    have = field_names(gdb_type)
    missing = [f for f in wanted if f not in have]
    if missing:
        fail("%s has no field %s: the kernel changed, and tools/gdb/petrel.py does not "
             "match it" % (what, ", ".join(missing)))


def global_value(name):
    # Through its address: with link-time optimization the variable's own
    # debug entry may say "optimized out", but its storage is there.
    try:
        return gdb.parse_and_eval("&'%s'" % name).dereference()
    except gdb.error:
        fail("the guest has no %s: is this a Petrel image with its symbols?" % name)


def base_offset(derived, tag):
    """Byte offset of the ListNode<tag> base class inside `derived`."""
    for f in derived.strip_typedefs().fields():
        if f.is_base_class and tag in str(f.type):
            return f.bitpos // 8
    fail("%s has no ListNode<%s> base: the kernel's lists changed" % (derived, tag))


def enum_name(value, names):
    n = int(value)
    if 0 <= n < len(names):
        return names[n]
    fail("a task's state is %d, not a TaskState (0-%d): a corrupted Task" % (n, len(names) - 1))


def check_task_states():
    t = lookup_type("petrel::kernel::TaskState")
    have = [f.name.split("::")[-1] for f in t.fields()]
    if tuple(have) != TASK_STATES:
        fail("TaskState is %s, not %s: tools/gdb/petrel.py does not match the kernel" %
             (have, list(TASK_STATES)))


class Kernel:
    """The scheduler's state, read once per command."""

    def __init__(self):
        require_guest_cpu()
        self.task_type = lookup_type(TASK_TYPE)
        require_fields(self.task_type, TASK_FIELDS, TASK_TYPE)
        require_fields(lookup_type("petrel::kernel::WaitRecord"), WAIT_FIELDS,
                       "petrel::kernel::WaitRecord")
        check_task_states()
        self.state = global_value(KERNEL)
        require_fields(self.state.type, ("all", "current", "running"), "KernelState")
        self.all_offset = base_offset(self.task_type, "AllTag")
        self.current = int(self.state["current"])
        self.ptr = self.task_type.pointer()

    def tasks(self):
        """Every live task, in creation order (g_kernel.all)."""
        head = self.state["all"]["head_"]
        head_addr = int(head.address)
        link = int(head["next"])
        if link == 0:
            return []  # constexpr-constructed: no task was ever created
        out = []
        while link != head_addr:
            if len(out) >= MAX_TASKS:
                fail("the task list has more than %d entries: a corrupted list" % MAX_TASKS)
            if link == 0:
                fail("the task list ends in a null link: a corrupted list")
            task = gdb.Value(link - self.all_offset).cast(self.ptr).dereference()
            out.append(task)
            link = int(gdb.Value(link).cast(head.type.pointer()).dereference()["next"])
        return out

    def find(self, spec):
        tasks = self.tasks()
        for t in tasks:
            if task_name(t) == spec:
                return t
        try:
            n = int(spec, 0)  # an id or an address; never evaluated (no side effects)
        except ValueError:
            n = None
        for t in tasks:
            if n is not None and (int(t.address) == n or int(t["id"]) == n):
                return t
        fail("no task %s (tasks: %s)" % (spec, ", ".join(task_name(t) for t in tasks)))


def array_items(value):
    low, high = value.type.strip_typedefs().range()
    return [value[i] for i in range(low, high + 1)]


def task_name(task):
    raw = bytes(int(b) & 0xff for b in array_items(task["name"])).split(b"\0")[0]
    return raw.decode("ascii", "replace") or "(unnamed)"


def stack_unused(task):
    base = int(task["stack_base"])
    size = int(task["stack_size"])
    if base == 0 or size == 0:
        return None
    data = gdb.selected_inferior().read_memory(base, size).tobytes()
    n = 0
    while n < size and data[n] == STACK_FILL:
        n += 1
    return n


def symbol_at(address):
    """The name of the object at `address`, demangled: link-time optimization
    renames file-local objects (_ZN..E.lto_priv.0), which gdb leaves as they
    are."""
    text = gdb.execute("info symbol %#x" % address, to_string=True).strip()
    if text.startswith("No symbol"):
        return None
    name = text.split(" in section ")[0]
    if name.startswith("_Z"):
        base, _, rest = name.partition(".")
        offset = rest[rest.index(" + "):] if " + " in rest else ""
        try:
            name = gdb.execute("demangle " + base, to_string=True).strip() + offset
        except gdb.error:
            pass
    return name


def declared_type(name):
    """The struct type a named object was declared with, or None."""
    try:
        t = gdb.parse_and_eval("&'%s'" % name).type.target().strip_typedefs()
    except gdb.error:
        return None
    return str(t) if t.code == gdb.TYPE_CODE_STRUCT else None


def object_kind(obj, name, queue, mutex):
    """What a blocked task waits on: the kind of object (from its declared
    type when it has a name; otherwise from where its wait queue lies in it)."""
    if mutex != 0:
        return "mutex"
    declared = declared_type(name) if name else None
    matches = []
    for kind, type_name, fields in WAIT_OBJECTS:
        if kind == "mutex" or (declared is not None and declared != type_name):
            continue
        try:
            t = gdb.lookup_type(type_name).strip_typedefs()
        except gdb.error:
            continue  # the image does not use it
        for f in t.fields():
            if f.name in fields and obj + f.bitpos // 8 == queue:
                matches.append("%s (%s)" % (kind, f.name) if len(fields) > 1 else kind)
    return " or ".join(matches) if matches else "object"


def waits_on(kernel, task):
    state = enum_name(task["state"], TASK_STATES)
    if state == "kSuspended":
        return "suspended"
    if state != "kBlocked":
        return ""
    wait = task["wait"]
    queue = int(wait["queue"])
    until = ""
    if bool(task["delayed"]):
        until = " until tick %d" % int(task["wake_tick"]["count"])
    if queue != 0:
        mutex = int(wait["mutex"])
        obj = mutex if mutex != 0 else int(wait["call_object"])
        name = symbol_at(obj) if obj else None
        kind = object_kind(obj, name, queue, mutex)
        where = name if name else ("%#x" % obj if obj else "wait queue %#x" % queue)
        return "%s %s%s" % (kind, where, until or ", no timeout")
    for i, s in enumerate(array_items(task["notify_state"])):
        if str(s).endswith("kWaiting"):
            return "notification %d%s" % (i, until or ", no timeout")
    if until:
        return "delay" + until
    return "?"


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


class SavedContextUnwinder(gdb.unwinder.Unwinder):
    """While `petrel bt` runs: the caller of the innermost real frame (frame
    0, or the function frame 0 is inlined into; gdb's inline frames are never
    offered to unwinders) is the task's saved context, so gdb's own unwinder
    walks the task's stack from there."""

    def __init__(self):
        super().__init__("petrel-saved-context")
        self.registers = None  # [(name, value)] of the task's innermost frame
        self.level = 0  # the level of the frame whose caller they are

    def __call__(self, pending_frame):
        if self.registers is None or pending_frame.level() != self.level:
            return None

        sp = pending_frame.read_register("sp")
        pc = pending_frame.read_register("pc")
        info = pending_frame.create_unwind_info(FrameId(sp, pc))
        for name, value in self.registers:
            reg_type = pending_frame.read_register(name).type
            info.add_saved_register(name, gdb.Value(value).cast(reg_type))
        return info


UNWINDER = SavedContextUnwinder()
gdb.unwinder.register_unwinder(None, UNWINDER, replace=True)


class FrameId:
    def __init__(self, sp, pc):
        self.sp = sp
        self.pc = pc


def symbol_address(name):
    try:
        return int(gdb.parse_and_eval("&%s" % name))
    except gdb.error:
        return None


def word_at(address):
    return int.from_bytes(gdb.selected_inferior().read_memory(address, 4).tobytes(), "little")


def is_bl(insn, arch):
    if arch == "aarch64":
        return insn & 0xfc000000 == 0x94000000
    if insn >> 25 == 0x7d:
        return True  # BLX to Thumb code
    return insn & 0x0f000000 == 0x0b000000  # BL (any condition)


class VectorUnwinder(gdb.unwinder.Unwinder):
    """Walks through the exception vectors to the interrupted code: the
    vectors (arch/*/vectors.S) have no unwind information, and a task that
    an interrupt preempted resumes through them. The frame whose return
    address follows the vector's call into C has the interrupted registers at
    its sp:
      AArch64, every vector: an ExceptionFrame (arch/arm64/include/arch/frame.h);
        the IRQ vector's is on the task's own stack, above it the task's sp;
        the others' on the exception stack, the task's sp in sp_el0 (when it
        ran on SP_EL0).
      AArch32, the IRQ vector (vec_irq): the 8-byte alignment record (the
        adjustment, a pad), r0-r3, r12, lr, then the interrupted pc and cpsr
        (srsdb); r4-r11 are the callee's to keep. Faults run on another
        mode's stack and are not walked."""

    def __init__(self):
        super().__init__("petrel-vectors")

    def __call__(self, pending_frame):
        if pending_frame.level() == 0:
            return None
        try:
            arch = pending_frame.architecture().name()
            pc = int(pending_frame.read_register("pc"))
            if arch.startswith("aarch64"):
                return self.aarch64(pending_frame, pc)
            if arch.startswith("arm"):
                return self.arm(pending_frame, pc)
        except gdb.error:
            return None  # not readable: leave the frame to gdb
        return None

    @staticmethod
    def aarch64(pending_frame, pc):
        table = symbol_address("petrel_vectors")
        if table is None or not table <= pc < table + 0x800 or not is_bl(word_at(pc - 4),
                                                                            "aarch64"):
            return None
        try:
            frame_type = gdb.lookup_type("petrel::arch::ExceptionFrame")
        except gdb.error:
            return None
        sp = int(pending_frame.read_register("sp"))
        frame = gdb.Value(sp).cast(frame_type.pointer()).dereference()
        spsr = int(frame["spsr"])
        if table + 0x80 <= pc < table + 0x100 or spsr & 0xf == 0x5:
            task_sp = sp + frame_type.sizeof  # the IRQ frame is on the task's stack
        else:
            task_sp = int(frame["sp_el0"])
        info = pending_frame.create_unwind_info(
            FrameId(gdb.Value(sp), gdb.Value(table + (pc - table) // 0x80 * 0x80)))
        reg_type = pending_frame.read_register("x0").type
        for i in range(31):
            info.add_saved_register("x%d" % i, frame["x"][i].cast(reg_type))
        info.add_saved_register("pc", frame["elr"].cast(pending_frame.read_register("pc").type))
        info.add_saved_register("sp", gdb.Value(task_sp).cast(pending_frame.read_register("sp")
                                                              .type))
        info.add_saved_register("cpsr", gdb.Value(spsr & 0xffffffff).cast(
            pending_frame.read_register("cpsr").type))
        return info

    @staticmethod
    def arm(pending_frame, pc):
        entry = symbol_address("vec_irq")
        # sub, srsdb, cps, push, and, sub, push: the call is the 8th instruction.
        if entry is None or pc != entry + 32 or not is_bl(word_at(pc - 4), "arm"):
            return None
        sp = int(pending_frame.read_register("sp"))
        adjust = word_at(sp)
        if adjust not in (0, 4):
            return None
        saved = sp + 8 + adjust
        names = ["r0", "r1", "r2", "r3", "r12", "lr"]
        info = pending_frame.create_unwind_info(FrameId(gdb.Value(sp), gdb.Value(entry)))
        reg_type = pending_frame.read_register("r0").type
        for i, name in enumerate(names):
            info.add_saved_register(name, gdb.Value(word_at(saved + 4 * i)).cast(reg_type))
        for i in range(4, 12):
            info.add_saved_register("r%d" % i, pending_frame.read_register("r%d" % i))
        interrupted_pc = word_at(saved + 24)
        cpsr = word_at(saved + 28)
        info.add_saved_register("pc", gdb.Value(interrupted_pc).cast(reg_type))
        info.add_saved_register("cpsr", gdb.Value(cpsr).cast(reg_type))
        info.add_saved_register("sp", gdb.Value(saved + 32).cast(reg_type))
        return info


gdb.unwinder.register_unwinder(None, VectorUnwinder(), replace=True)


def saved_registers(task, arch):
    """The registers a blocked task resumes with, from its ArchContext and the
    frame petrel_context_switch pushed."""
    layout = SWITCH_FRAMES[arch]
    entry = gdb.parse_and_eval("&petrel_context_switch")
    word = gdb.lookup_type("unsigned int")
    for i, expected in enumerate(layout["prologue"]):
        got = int(gdb.parse_and_eval("*(unsigned int *)%d" % (int(entry) + 4 * i)).cast(word))
        if got != expected:
            fail("petrel_context_switch's instruction %d is %#010x, not %#010x: its saved frame "
                 "(arch/*/context.S) changed, and tools/gdb/petrel.py does not match it" %
                 (i, got, expected))
    sp = int(task["context"]["sp"])
    base = int(task["stack_base"])
    size = int(task["stack_size"])
    if not base <= sp < base + size:
        fail("task %s's saved stack pointer %#x is outside its stack %#x-%#x" %
             (task_name(task), sp, base, base + size))
    width = 8 if arch == "aarch64" else 4
    data = gdb.selected_inferior().read_memory(sp, layout["size"]).tobytes()
    regs = {}
    for name, offset in layout["slots"]:
        regs[name] = int.from_bytes(data[offset:offset + width], "little")
    out = [(n, v) for n, v in regs.items()]
    pc = regs[layout["pc"]]
    if arch == "arm":
        cpsr = int(gdb.selected_frame().read_register("cpsr")) & 0xffffffff
        cpsr = (cpsr | 0x20) if pc & 1 else (cpsr & ~0x20)  # T: the caller's state
        out.append(("cpsr", cpsr))
        pc &= ~1
    out.append(("pc", pc))
    out.append(("sp", sp + layout["size"]))
    return out


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
