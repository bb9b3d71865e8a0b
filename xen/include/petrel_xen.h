/* Petrel's Xen services for C programs (FreeRTOS applications among them):
 * thin wrappers over the C++ API in petrel/xen/ (docs/xen.md). Every
 * function returns 0 (or a count) on success and a negative PETREL_XEN_E*
 * code on failure; petrel_xen_strerror() gives the error's text, with Xen's
 * or xenstored's name ("xenstore: ENOENT"). Task context unless noted. */
#ifndef PETREL_XEN_H
#define PETREL_XEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes: the negated Errc of the C++ API. */
#define PETREL_XEN_EINVAL (-1)    /* malformed input */
#define PETREL_XEN_ERANGE (-2)    /* out of range, buffer too small */
#define PETREL_XEN_ENOENT (-3)    /* not found / not available */
#define PETREL_XEN_ENOMEM (-4)    /* out of resources */
#define PETREL_XEN_ENOTSUP (-5)   /* not supported here */
#define PETREL_XEN_EBUSY (-6)     /* busy, try again */
#define PETREL_XEN_ETIMEDOUT (-7) /* no answer in time */
#define PETREL_XEN_EPERM (-8)     /* refused */
#define PETREL_XEN_EIO (-9)       /* the peer failed or misbehaved */

/* A timeout (in ms) that never ends. */
#define PETREL_XEN_FOREVER 0xffffffffu

/* The class of an error code ("not found"), and the full text of the last
 * error any call returned ("xenstore: ENOENT"); static strings, never NULL. */
const char* petrel_xen_strerror(int code);
const char* petrel_xen_last_error(void);

/* xenstore (paths relative to the domain's home, or absolute). */
int petrel_xenstore_available(void);
/* Returns the value's length; the value is NUL-terminated in buf. */
int petrel_xenstore_read(const char* path, char* buf, size_t size);
int petrel_xenstore_write(const char* path, const char* value);
int petrel_xenstore_mkdir(const char* path);
int petrel_xenstore_rm(const char* path);
/* fn(changed_path, ctx) runs in the xenstore task; must not call xenstore.
 * Returns a watch id (> 0). */
typedef void (*petrel_xenstore_watch_fn)(const char* changed_path, void* ctx);
int petrel_xenstore_watch(const char* path, petrel_xenstore_watch_fn fn, void* ctx);
int petrel_xenstore_unwatch(int watch_id);

/* Event channels. Handlers run in interrupt context. */
typedef void (*petrel_evtchn_handler)(uint32_t port, void* ctx);
int petrel_evtchn_alloc_unbound(uint16_t remote_domid); /* returns the port */
int petrel_evtchn_bind_interdomain(uint16_t remote_domid, uint32_t remote_port);
int petrel_evtchn_bind(uint32_t port, petrel_evtchn_handler handler, void* ctx);
int petrel_evtchn_send(uint32_t port); /* also from interrupt handlers */
int petrel_evtchn_close(uint32_t port);

/* Grants: returns the grant reference. */
int petrel_grant_access(uint16_t domid, const void* page, int readonly);
int petrel_grant_end_access(uint32_t ref);

/* PV console input (xl create guests): up to size bytes, waiting at most
 * timeout_ms for the first; returns the count (0: nothing came). */
int petrel_console_read(char* buf, size_t size, uint32_t timeout_ms);

/* Static channels between dom0less guests (docs/static-ipc.md), declared in
 * the app's CMakeLists.txt with petrel_static_channel(). A channel is a byte
 * stream over a shared region (Xen with static shared memory: petrel run
 * --xen rt); a doorbell is its event channel alone (any Xen). */
typedef struct petrel_channel petrel_channel;
typedef struct petrel_doorbell petrel_doorbell;

/* Opens channel `name`: the owner lays the region out, the borrower waits
 * up to timeout_ms for that. NULL on failure, with *error (if not NULL) the
 * code and petrel_xen_last_error() the reason; PETREL_XEN_ENOENT when the
 * app declares no such channel or Xen gave no region for it. */
petrel_channel* petrel_channel_open(const char* name, uint32_t timeout_ms, int* error);
/* The owner: waits until the borrower connected. */
int petrel_channel_wait_connected(petrel_channel* ch, uint32_t timeout_ms);
/* At least one byte (up to size), or 0 when timeout_ms passed first;
 * PETREL_XEN_ENOENT once the peer closed and everything was read,
 * PETREL_XEN_EIO (then always) once the peer corrupted the ring. */
int petrel_channel_read(petrel_channel* ch, void* buf, size_t size, uint32_t timeout_ms);
int petrel_channel_write(petrel_channel* ch, const void* data, size_t len, uint32_t timeout_ms);
/* Exactly len bytes, or an error (PETREL_XEN_ETIMEDOUT among them). */
int petrel_channel_read_all(petrel_channel* ch, void* buf, size_t len, uint32_t timeout_ms);
int petrel_channel_write_all(petrel_channel* ch, const void* data, size_t len, uint32_t timeout_ms);
/* Tells the peer and frees the channel (the region stays mapped). */
void petrel_channel_close(petrel_channel* ch);

/* The doorbell of channel `name` (any declared channel). NULL on failure,
 * as petrel_channel_open. */
petrel_doorbell* petrel_doorbell_open(const char* name, int* error);
int petrel_doorbell_ring(petrel_doorbell* d); /* also from interrupt handlers */
/* 0 once the peer rang, PETREL_XEN_ETIMEDOUT otherwise. Rings are not
 * counted, and the first wait may return at once (Xen marks a static port
 * pending when it binds it). */
int petrel_doorbell_wait(petrel_doorbell* d, uint32_t timeout_ms);
void petrel_doorbell_close(petrel_doorbell* d);

#ifdef __cplusplus
}
#endif

#endif
