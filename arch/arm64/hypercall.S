// Xen hypercalls on AArch64: `hvc #0xEA1` with the hypercall number in x16
// and up to five arguments in x0-x4; the result comes back in x0. Xen may
// clobber x0-x4 and x16 (debug builds poison them), so this is a real call.
//
// long petrel_hypercall(a0, a1, a2, a3, a4, op)
        .text
        .global petrel_hypercall
        .type   petrel_hypercall, %function
petrel_hypercall:
        mov     x16, x5
        hvc     #0xEA1
        ret
        .size   petrel_hypercall, . - petrel_hypercall
