// Guest entry for AArch64: the Linux arm64 Image header Xen (and `xl create`)
// look for, then the first instructions.
//
// Xen enters at the first byte at EL1h with the MMU and caches off, DAIF
// masked and x0 = guest-physical address of the device tree. We:
//   1. point VBAR_EL1 at our vectors, so even early faults get a report;
//   2. allow FP/SIMD at EL1 and EL0 (CPACR_EL1.FPEN = 0b11);
//   3. zero .bss (page tables and stacks live there);
//   4. keep SP_EL1 for exceptions only (the exception stack) and run
//      everything else on SP_EL0 (EL1t), starting with the boot stack;
//   5. call petrel_boot(dtb), which brings the platform up, then main(),
//      then petrel_exit(main's result). None of them returns.
#include "arch/frame.h"

        .section .text.head, "ax"
        .global _head
_head:
        b       _start                  // code0
        .long   0                       // code1
        .quad   __text_offset           // text_offset from the RAM base
        .quad   __image_size            // image_size, .bss included
        .quad   0x2                     // flags: little endian, 4 KiB pages, near RAM base
        .quad   0                       // res2
        .quad   0                       // res3
        .quad   0                       // res4
        .ascii  "ARM\x64"               // magic
        .long   0                       // res5 (PE header offset: none)
        // 0x40: Petrel's image record (tools/petrel/image_check.h). The
        // header's image_size counts .bss, which the .bin leaves out; the
        // record gives the .bin's own length, so the host tool can refuse a
        // truncated image before Xen loads it and hangs.
        .ascii  "PETRELIM"              // 0x40: magic
        .long   1                       // 0x48: record version
        .long   0                       // 0x4c: reserved
        .quad   __file_size             // 0x50: bytes in the .bin

        .data
        .balign 8
        .global petrel_entry_counter
petrel_entry_counter:                   // CNTVCT at the first instruction
        .quad   0

        .text
        .global _start
        .type   _start, %function
_start:
        mrs     x20, cntvct_el0         // when we got the CPU (boot-time benchmark)
        mov     x19, x0                 // keep the device tree address

        adr     x1, petrel_vectors
        msr     vbar_el1, x1

        mov     x1, #(3 << 20)          // CPACR_EL1.FPEN: no FP/SIMD traps
        msr     cpacr_el1, x1
        isb

        adrp    x1, __bss_start
        add     x1, x1, :lo12:__bss_start
        adrp    x2, __bss_end
        add     x2, x2, :lo12:__bss_end
        // .bss is 16-byte aligned and sized: 64 bytes a turn, then the
        // 16-byte rest. (No DC ZVA: with the MMU off memory is Device.)
        sub     x3, x2, x1
        and     x3, x3, #~63
        add     x3, x1, x3              // end of the 64-byte turns
1:      cmp     x1, x3
        b.hs    2f
        stp     xzr, xzr, [x1]
        stp     xzr, xzr, [x1, #16]
        stp     xzr, xzr, [x1, #32]
        stp     xzr, xzr, [x1, #48]
        add     x1, x1, #64
        b       1b
2:      cmp     x1, x2
        b.hs    3f
        stp     xzr, xzr, [x1], #16
        b       2b
3:
        adrp    x1, __exception_stack_top
        add     x1, x1, :lo12:__exception_stack_top
        mov     sp, x1                  // SP_EL1: exceptions only
        msr     spsel, #0
        adrp    x1, __boot_stack_top
        add     x1, x1, :lo12:__boot_stack_top
        mov     sp, x1                  // SP_EL0: the boot "thread"
        mov     x29, xzr
        mov     x30, xzr

        adrp    x1, petrel_entry_counter
        str     x20, [x1, :lo12:petrel_entry_counter]
        mov     x0, x19
        bl      petrel_boot
        bl      main
        bl      petrel_exit
3:      wfi
        b       3b
        .size   _start, . - _start
