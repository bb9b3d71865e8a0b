/* Offsets inside Xen's shared_info page and vcpu_info for ARM guests, for C++
 * code, which cannot use Xen's own structures for these two (their empty
 * arch_* members have a different size in C++; see abi_check.c, which checks
 * every value here against Xen's headers compiled as C). Plain C so that
 * abi_check.c can include it. */
#ifndef PETREL_XEN_LAYOUT_H
#define PETREL_XEN_LAYOUT_H

#define PETREL_VCPU_INFO_UPCALL_PENDING 0 /* uint8_t */
#define PETREL_VCPU_INFO_PENDING_SEL 8    /* xen_ulong_t */
#define PETREL_VCPU_INFO_SIZE 48
#define PETREL_SHINFO_EVTCHN_PENDING 48 /* xen_ulong_t[64] */
#define PETREL_SHINFO_EVTCHN_MASK 560   /* xen_ulong_t[64] */
#define PETREL_SHINFO_SIZE 1088
#define PETREL_EVTCHN_2L_WORDS 64 /* 64 words of 64 bits: 4096 ports */

#endif
