// Saving and loading the VFP/NEON register file (d0-d31, FPSCR).
// void petrel_fp_save(FpState* to); void petrel_fp_load(const FpState* from)
        .syntax unified
        .arm
        .fpu    neon-vfpv4
        .text
        .global petrel_fp_save
        .type   petrel_fp_save, %function
petrel_fp_save:
        vstmia  r0!, {d0-d15}
        vstmia  r0!, {d16-d31}
        vmrs    r1, fpscr
        str     r1, [r0]
        bx      lr
        .size   petrel_fp_save, . - petrel_fp_save

        .global petrel_fp_load
        .type   petrel_fp_load, %function
petrel_fp_load:
        vldmia  r0!, {d0-d15}
        vldmia  r0!, {d16-d31}
        ldr     r1, [r0]
        vmsr    fpscr, r1
        bx      lr
        .size   petrel_fp_load, . - petrel_fp_load

        .section .note.GNU-stack, "", %progbits
