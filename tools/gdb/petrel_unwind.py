# Petrel's gdb extension (petrel.py): unwinding what gdb cannot on its own,
# a task's stack from the context its last switch saved (petrel bt) and
# through the exception vectors.

import gdb
import gdb.unwinder

from petrel_kernel import fail, task_name

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
