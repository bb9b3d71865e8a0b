// AArch32 context switch. Tasks run in SVC mode, so `sp` here is the task's
// own stack pointer, also when called from the interrupt-exit path (the IRQ
// vector moves to SVC mode before saving the interrupted state).
//
// void petrel_context_switch(ArchContext* from, ArchContext* to)
//   Saves r4-r11 and lr (the AAPCS callee-saved registers) and a padding
//   word (the stack stays 8-byte aligned) on the current stack and the stack
//   pointer in from->sp; loads to's stack pointer and its thread pointer
//   (TPIDRURO) from to->tp and returns into whatever `to` was doing: a
//   previous call of this function, or petrel_task_start for a new task. A
//   context's thread pointer never changes after context_init
//   (boot_context_init for the boot context), so it is only loaded. The frame,
//   from the lowest address: pad, r4-r11, lr (40 bytes).
        .syntax unified
        .arm
        .text
        .global petrel_context_switch
        .type   petrel_context_switch, %function
petrel_context_switch:
        push    {r4-r11, lr}
        sub     sp, sp, #4
        str     sp, [r0]                // from->sp
        ldr     sp, [r1]                // to->sp
        ldr     r2, [r1, #4]            // to->tp
        mcr     p15, 0, r2, c13, c0, 3
        add     sp, sp, #4
        pop     {r4-r11, lr}
        bx      lr
        .size   petrel_context_switch, . - petrel_context_switch

// A new task's first "return" lands here with r4 = entry, r5 = arg (placed
// by context_init). The entry (ARM or Thumb) never returns.
        .global petrel_task_start
        .type   petrel_task_start, %function
petrel_task_start:
        mov     r0, r5
        blx     r4
1:      wfi
        b       1b
        .size   petrel_task_start, . - petrel_task_start

        .section .note.GNU-stack, "", %progbits
