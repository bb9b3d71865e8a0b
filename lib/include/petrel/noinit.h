// Static storage that its owner fully initializes before first use (a task
// stack, filled when its task is created; a page zeroed right before Xen is
// given it): placed in .noinit instead of .bss, so the boot does not spend
// time zeroing it (arch/*/guest.ld). On the host it is ordinary static
// storage.
#pragma once

#define PETREL_NOINIT(name) [[gnu::section(".noinit." #name)]]
