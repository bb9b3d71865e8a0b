# Petrel's gdb extension (petrel.py): reading the kernel's own structures.
#
# Everything is read through the guest's debug information; a structure that
# is not what this file expects is an error that says so, never a guess.

import gdb

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
