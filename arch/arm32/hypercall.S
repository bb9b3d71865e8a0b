// Xen hypercalls on AArch32: `hvc #0xEA1` with the hypercall number in r12
// and up to five arguments in r0-r4; the result comes back in r0. Xen may
// clobber r0-r4 and r12, so this is a real call that keeps r4 for its caller.
//
// long petrel_hypercall(a0, a1, a2, a3, a4, op)   (a4 and op on the stack)
        .syntax unified
        .arm
        .arch_extension virt
        .text
        .global petrel_hypercall
        .type   petrel_hypercall, %function
petrel_hypercall:
        push    {r4, lr}
        ldr     r4, [sp, #8]
        ldr     r12, [sp, #12]
        hvc     #0xEA1
        pop     {r4, pc}
        .size   petrel_hypercall, . - petrel_hypercall

        .section .note.GNU-stack, "", %progbits
