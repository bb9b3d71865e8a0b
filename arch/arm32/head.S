// Guest entry for AArch32: the zImage header Xen (and `xl create`) look for,
// then the first instructions.
//
// The image is linked for one fixed address, 0x40008000 (RAM base + 32 KiB)
// and says so in the header's `start` field. Xen's dom0less loader places it
// exactly there; the toolstack's (libxc, `xl create`) ignores `start` and
// always uses RAM base + 0x8000, which is why that is the address. (A zero
// `start` would mean "position independent, put me anywhere".) `end` is the
// end of the file (the end of .data): what a loader copies. .bss, .noinit and
// the stacks follow it in memory and are not carried as zeros; both loaders
// put the device tree at or above the 2 MiB boundary after `end`, and the
// linker script checks that the image ends below it.
//
// Xen enters at the first byte in SVC mode, ARM state, with the MMU and
// caches off, IRQs/FIQs/aborts masked and r2 = guest-physical address of the
// device tree. We:
//   1. point VBAR at our vectors (SCTLR.V = 0), exceptions in ARM state, so
//      even early faults get a report; select the long-descriptor (LPAE)
//      format, which also fixes the fault-status encoding the report reads;
//   2. allow VFP/NEON (CPACR cp10/cp11, FPEXC.EN);
//   3. zero .bss;
//   4. give the abort, undefined, IRQ and FIQ modes the exception stack and
//      run everything else in SVC mode, starting on the boot stack;
//   5. call petrel_boot(dtb), then main(), then petrel_exit(main's result).
        .syntax unified
        .arm

        .section .text.head, "ax"
        .global _head
_head:
        b       _start                  // 0x00: entry
        .rept   8
        .word   0                       // 0x04-0x20
        .endr
        .word   0x016f2818              // 0x24: zImage magic
        .word   __image_start           // 0x28: start (load address)
        .word   __data_end              // 0x2c: end (of the file)

        .data
        .balign 8
        .global petrel_entry_counter
petrel_entry_counter:                   // CNTVCT at the first instruction
        .quad   0

        .text
        .global _start
        .type   _start, %function
_start:
        isb
        mrrc    p15, 1, r4, r5, c14     // CNTVCT: when we got the CPU (boot-time benchmark)
        mov     r6, r2                  // keep the device tree address

        ldr     r0, =petrel_vectors
        mcr     p15, 0, r0, c12, c0, 0  // VBAR
        mrc     p15, 0, r0, c1, c0, 0   // SCTLR
        bic     r0, r0, #(1 << 13)      // V: vectors at VBAR
        bic     r0, r0, #(1 << 30)      // TE: take exceptions in ARM state
        mcr     p15, 0, r0, c1, c0, 0
        mov     r0, #0x80000000         // TTBCR.EAE: long-descriptor format
        mcr     p15, 0, r0, c2, c0, 2
        isb

        mrc     p15, 0, r0, c1, c0, 2   // CPACR: cp10 and cp11 full access
        orr     r0, r0, #(0xf << 20)
        mcr     p15, 0, r0, c1, c0, 2
        isb
        mov     r0, #(1 << 30)          // FPEXC.EN
        vmsr    fpexc, r0

        ldr     r0, =__bss_start
        ldr     r1, =__bss_end
        mov     r2, #0
        mov     r3, #0
        mov     r7, #0
        mov     r8, #0
        // .bss is 16-byte aligned and sized: 16 bytes a store (r4-r6 are kept)
1:      cmp     r0, r1
        stmialo r0!, {r2, r3, r7, r8}
        blo     1b

        ldr     r0, =__exception_stack_top
        cps     #0x17                   // abort mode
        mov     sp, r0
        cps     #0x1b                   // undefined mode
        mov     sp, r0
        cps     #0x12                   // IRQ mode (the IRQ path moves to SVC at once)
        mov     sp, r0
        cps     #0x11                   // FIQ mode
        mov     sp, r0
        cps     #0x13                   // SVC mode: the boot thread and every task
        ldr     sp, =__boot_stack_top
        mov     fp, #0
        mov     lr, #0

        ldr     r0, =petrel_entry_counter
        strd    r4, r5, [r0]
        mov     r0, r6
        bl      petrel_boot
        bl      main
        bl      petrel_exit
2:      wfi
        b       2b
        .size   _start, . - _start
        .ltorg

        .section .note.GNU-stack, "", %progbits
