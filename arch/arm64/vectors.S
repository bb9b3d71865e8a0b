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

.macro VENTRY kind
        .balign 0x80
        sub     sp, sp, #PETREL_FRAME_SIZE
        stp     x0, x1, [sp, #PETREL_FRAME_X(0)]
        mov     x0, #\kind
        b       petrel_exception_common
.endm

        .text
        .balign 0x800
        .global petrel_vectors
petrel_vectors:
        VENTRY  0       // current EL, SP_EL0: sync
        .balign 0x80    //                     IRQ: on the task's stack
        msr     spsel, #0
        sub     sp, sp, #PETREL_FRAME_SIZE
        stp     x0, x1, [sp, #PETREL_FRAME_X(0)]
        b       petrel_irq_common
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

        .type   petrel_exception_common, %function
petrel_exception_common:
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

        ldp     x2, x3, [sp, #PETREL_FRAME_ELR]
        msr     elr_el1, x2
        msr     spsr_el1, x3
        ldp     x30, x1, [sp, #PETREL_FRAME_X(30)]
        msr     sp_el0, x1
        RESTORE_X0_X29
        add     sp, sp, #PETREL_FRAME_SIZE
        eret
        .size   petrel_exception_common, . - petrel_exception_common

// The IRQ path, on SP_EL0. SP_EL0 must not be read or written with mrs/msr
// while it is the current stack pointer, so it is not part of this frame.
        .type   petrel_irq_common, %function
petrel_irq_common:
        SAVE_X2_X29
        str     x30, [sp, #PETREL_FRAME_X(30)]
        mrs     x2, elr_el1
        mrs     x3, spsr_el1
        stp     x2, x3, [sp, #PETREL_FRAME_ELR]

        mov     x29, xzr
        bl      petrel_irq

        ldp     x2, x3, [sp, #PETREL_FRAME_ELR]
        msr     elr_el1, x2
        msr     spsr_el1, x3
        ldr     x30, [sp, #PETREL_FRAME_X(30)]
        RESTORE_X0_X29
        add     sp, sp, #PETREL_FRAME_SIZE
        eret
        .size   petrel_irq_common, . - petrel_irq_common
