// AArch64 exception vectors.
//
// Synchronous exceptions, FIQs and SErrors save the full register frame
// (arch/frame.h) on SP_EL1, the exception stack, and call
// petrel_exception(frame, kind): a fault report on an intact stack, even
// when a task's stack overflowed into its guard page.
//
// IRQs from task context (EL1 with SP_EL0) move to SP_EL0 first and save the
// interrupted state on the task's own stack, then call petrel_irq(). The
// kernel may switch tasks at interrupt exit (inside petrel_irq): the saved
// state simply stays on the old task's stack until it is resumed, and every
// task can be interrupted without sharing the exception stack.
#include "arch/frame.h"

// x2-x29 into the frame at sp (x0, x1 are saved by the vector entry).
.macro SAVE_X2_X29
        stp     x2, x3, [sp, #PETREL_FRAME_X(2)]
        stp     x4, x5, [sp, #PETREL_FRAME_X(4)]
        stp     x6, x7, [sp, #PETREL_FRAME_X(6)]
        stp     x8, x9, [sp, #PETREL_FRAME_X(8)]
        stp     x10, x11, [sp, #PETREL_FRAME_X(10)]
        stp     x12, x13, [sp, #PETREL_FRAME_X(12)]
        stp     x14, x15, [sp, #PETREL_FRAME_X(14)]
        stp     x16, x17, [sp, #PETREL_FRAME_X(16)]
        stp     x18, x19, [sp, #PETREL_FRAME_X(18)]
        stp     x20, x21, [sp, #PETREL_FRAME_X(20)]
        stp     x22, x23, [sp, #PETREL_FRAME_X(22)]
        stp     x24, x25, [sp, #PETREL_FRAME_X(24)]
        stp     x26, x27, [sp, #PETREL_FRAME_X(26)]
        stp     x28, x29, [sp, #PETREL_FRAME_X(28)]
.endm

// x0-x29 back from the frame at sp.
.macro RESTORE_X0_X29
        ldp     x0, x1, [sp, #PETREL_FRAME_X(0)]
        ldp     x2, x3, [sp, #PETREL_FRAME_X(2)]
        ldp     x4, x5, [sp, #PETREL_FRAME_X(4)]
        ldp     x6, x7, [sp, #PETREL_FRAME_X(6)]
        ldp     x8, x9, [sp, #PETREL_FRAME_X(8)]
        ldp     x10, x11, [sp, #PETREL_FRAME_X(10)]
        ldp     x12, x13, [sp, #PETREL_FRAME_X(12)]
        ldp     x14, x15, [sp, #PETREL_FRAME_X(14)]
        ldp     x16, x17, [sp, #PETREL_FRAME_X(16)]
        ldp     x18, x19, [sp, #PETREL_FRAME_X(18)]
        ldp     x20, x21, [sp, #PETREL_FRAME_X(20)]
        ldp     x22, x23, [sp, #PETREL_FRAME_X(22)]
        ldp     x24, x25, [sp, #PETREL_FRAME_X(24)]
        ldp     x26, x27, [sp, #PETREL_FRAME_X(26)]
        ldp     x28, x29, [sp, #PETREL_FRAME_X(28)]
.endm

// Each entry starts at its slot (.org: a slot that outgrew its 128 bytes
// is an assembly error, not a shifted table).
.macro VENTRY kind
        .org    petrel_vectors + 0x80 * \kind
        sub     sp, sp, #PETREL_FRAME_SIZE
        stp     x0, x1, [sp, #PETREL_FRAME_X(0)]
        mov     x0, #\kind
        b       petrel_exception_save
.endm

        // The table in a section of its own, which guest.ld places last in
        // .text (see there). An entry needs a few of its slot's 32
        // instructions: the register saves of both paths live in the slots
        // of the IRQ and of the synchronous exception from task context, the
        // slots taken most, instead of beside the table.
        .section .vectors, "ax"
        .balign 0x800
        .global petrel_vectors
petrel_vectors:
        // current EL, SP_EL0: sync (faults and traps in tasks and the kernel)
        sub     sp, sp, #PETREL_FRAME_SIZE
        stp     x0, x1, [sp, #PETREL_FRAME_X(0)]
        mov     x0, #0
petrel_exception_save:                  // x0 = kind; x0, x1 saved
        SAVE_X2_X29
        mrs     x1, sp_el0
        stp     x30, x1, [sp, #PETREL_FRAME_X(30)]
        mrs     x2, elr_el1
        mrs     x3, spsr_el1
        stp     x2, x3, [sp, #PETREL_FRAME_ELR]
        mrs     x2, esr_el1
        mrs     x3, far_el1
        stp     x2, x3, [sp, #PETREL_FRAME_ESR]
        mov     x1, x0                  // kind
        mov     x0, sp                  // frame
        mov     x29, xzr                // end of the frame-pointer chain
        bl      petrel_exception
        b       petrel_exception_return

        // current EL, SP_EL0: IRQ, on the task's stack. SP_EL0 must not be
        // read or written with mrs/msr while it is the current stack
        // pointer, so it is not part of this frame.
        .org    petrel_vectors + 0x80
        msr     spsel, #0
        sub     sp, sp, #PETREL_FRAME_SIZE
        stp     x0, x1, [sp, #PETREL_FRAME_X(0)]
        SAVE_X2_X29
        str     x30, [sp, #PETREL_FRAME_X(30)]
        mrs     x2, elr_el1
        mrs     x3, spsr_el1
        stp     x2, x3, [sp, #PETREL_FRAME_ELR]
        mov     x29, xzr
        bl      petrel_irq
        b       petrel_irq_return

        VENTRY  2       //                     FIQ
        VENTRY  3       //                     SError
        VENTRY  4       // current EL, SP_ELx: sync (fault inside a handler)
        VENTRY  5
        VENTRY  6
        VENTRY  7
        VENTRY  8       // lower EL, AArch64 (unused: no EL0 yet)
        VENTRY  9
        VENTRY  10
        VENTRY  11
        VENTRY  12      // lower EL, AArch32 (unused)
        VENTRY  13
        VENTRY  14
        VENTRY  15

        .text
        .balign 4
        // Both paths return here; an exception's frame also holds SP_EL0
        // (the return runs on SP_EL1 then), an IRQ's does not.
        .type   petrel_exception_return, %function
petrel_exception_return:
        ldr     x1, [sp, #PETREL_FRAME_SP_EL0]
        msr     sp_el0, x1              // x1 itself comes back below
        .size   petrel_exception_return, . - petrel_exception_return
        .type   petrel_irq_return, %function
petrel_irq_return:
        ldp     x2, x3, [sp, #PETREL_FRAME_ELR]
        msr     elr_el1, x2
        msr     spsr_el1, x3
        ldr     x30, [sp, #PETREL_FRAME_X(30)]
        RESTORE_X0_X29
        add     sp, sp, #PETREL_FRAME_SIZE
        eret
        .size   petrel_irq_return, . - petrel_irq_return
