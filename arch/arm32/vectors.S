// AArch32 exception vectors (VBAR, ARM state).
//
// IRQs: the interrupted state is saved on the interrupted task's own SVC
// stack (SRS to SVC mode, then CPS), petrel_irq() runs there, and RFE
// returns. The kernel may switch tasks at interrupt exit (inside
// petrel_irq): the saved state simply stays on the old task's stack until it
// is resumed, as on AArch64.
//
// Undefined instructions, aborts and FIQs save the full register frame
// (arch/frame.h) on the exception stack of their own mode and call
// petrel_exception(frame): a fault report on an intact stack, even when a
// task's stack overflowed into its guard page. It returns only to retry an
// instruction (the lazy VFP/NEON trap) or to resume a task the fault
// stopped in the kernel's ending for it: from the PC, CPSR and SP_svc it
// left in the frame.
// An SVC instruction (unused by Petrel) is reported from the SVC stack.
#include "arch/frame.h"

        .syntax unified
        .arm
        .arch_extension virt            // banked-register MRS (ARMv7 virtualization extensions)

        .text
        .balign 32
        .global petrel_vectors
petrel_vectors:
        b       vec_reset
        b       vec_undef
        b       vec_svc
        b       vec_pabt
        b       vec_dabt
        b       vec_hyp
        b       vec_irq
        b       vec_fiq

.macro FAULT_ENTRY name, kind
\name:
        sub     sp, sp, #PETREL_FRAME_SIZE
        stmia   sp, {r0-r12}
        mov     r0, #\kind
        b       fault_common
.endm

        FAULT_ENTRY vec_reset, PETREL_VEC_RESET
        FAULT_ENTRY vec_undef, PETREL_VEC_UNDEF
        FAULT_ENTRY vec_pabt, PETREL_VEC_PABT
        FAULT_ENTRY vec_dabt, PETREL_VEC_DABT
        FAULT_ENTRY vec_hyp, PETREL_VEC_HYP
        FAULT_ENTRY vec_fiq, PETREL_VEC_FIQ

// In the exception's mode (abort, undefined, FIQ), on the exception stack:
// r0 = kind, r0-r12 of the interrupted code saved.
        .type   fault_common, %function
fault_common:
        str     r0, [sp, #PETREL_FRAME_KIND]
        str     lr, [sp, #PETREL_FRAME_PC]
        mrs     r1, spsr
        str     r1, [sp, #PETREL_FRAME_CPSR]
        mrs     r2, SP_svc              // tasks run in SVC mode
        mrs     r3, LR_svc
        str     r2, [sp, #PETREL_FRAME_SP]
        str     r3, [sp, #PETREL_FRAME_LR]
        mov     r0, sp
        mov     fp, #0                  // end of the frame-pointer chain
        bl      petrel_exception

        ldr     lr, [sp, #PETREL_FRAME_PC]
        ldr     r1, [sp, #PETREL_FRAME_CPSR]
        msr     spsr_cxsf, r1
        ldr     r2, [sp, #PETREL_FRAME_SP]
        msr     SP_svc, r2              // unchanged, or a stopped task's new stack
        ldr     r3, [sp, #PETREL_FRAME_LR]
        msr     LR_svc, r3
        ldmia   sp, {r0-r12}
        add     sp, sp, #PETREL_FRAME_SIZE
        movs    pc, lr                  // back to frame.pc in the interrupted mode and state
        .size   fault_common, . - fault_common

        .type   vec_svc, %function
vec_svc:
        sub     sp, sp, #PETREL_FRAME_SIZE
        stmia   sp, {r0-r12}
        add     r0, sp, #PETREL_FRAME_SIZE
        str     r0, [sp, #PETREL_FRAME_SP]
        str     lr, [sp, #PETREL_FRAME_LR]
        str     lr, [sp, #PETREL_FRAME_PC]
        mrs     r1, spsr
        str     r1, [sp, #PETREL_FRAME_CPSR]
        mov     r0, #PETREL_VEC_SVC
        str     r0, [sp, #PETREL_FRAME_KIND]
        mov     r0, sp
        mov     fp, #0
        bl      petrel_exception        // does not return for an SVC
1:      b       1b
        .size   vec_svc, . - vec_svc

        .type   vec_irq, %function
vec_irq:
        sub     lr, lr, #4              // the interrupted instruction
        srsdb   sp!, #0x13              // its address and CPSR onto the SVC stack
        cps     #0x13                   // SVC mode, IRQs still masked
        push    {r0-r3, r12, lr}        // caller-saved registers and LR_svc
        and     r1, sp, #4              // AAPCS: 8-byte aligned stack for C
        sub     sp, sp, r1
        push    {r1, r2}                // the adjustment (r2: padding)
        bl      petrel_irq
        pop     {r1, r2}
        add     sp, sp, r1
        pop     {r0-r3, r12, lr}
        rfeia   sp!
        .size   vec_irq, . - vec_irq

        .section .note.GNU-stack, "", %progbits
