// AArch64 context switch. Tasks run at EL1 on SP_EL0, so `sp` here is the
// task's own stack pointer, also when called from the interrupt-exit path
// (the IRQ vector moves to SP_EL0 before saving the interrupted state).
//
// void petrel_context_switch(ArchContext* from, ArchContext* to)
//   Saves x19-x30 (AAPCS64 callee-saved registers plus fp/lr) on the current
//   stack and the stack pointer in from->sp; loads to's stack pointer and
//   its thread pointer (TPIDR_EL0) from to->tp and returns into whatever
//   `to` was doing: a previous call of this function, or petrel_task_start
//   for a new task. A context's thread pointer never changes after
//   context_init (boot_context_init for the boot context), so it is only loaded.
#define SWITCH_FRAME 96

        .text
        .global petrel_context_switch
        .type   petrel_context_switch, %function
petrel_context_switch:
        sub     sp, sp, #SWITCH_FRAME
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        mov     x2, sp
        str     x2, [x0]                // from->sp
        ldp     x2, x3, [x1]            // to->sp, to->tp
        mov     sp, x2
        msr     tpidr_el0, x3
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        add     sp, sp, #SWITCH_FRAME
        ret
        .size   petrel_context_switch, . - petrel_context_switch

// A new task's first "return" lands here with x19 = entry, x20 = arg
// (placed by context_init). The entry never returns.
        .global petrel_task_start
        .type   petrel_task_start, %function
petrel_task_start:
        mov     x0, x20
        blr     x19
1:      wfi
        b       1b
        .size   petrel_task_start, . - petrel_task_start
