/* evtchn-echo: a dom0 program for Petrel's event-channel benchmark. It binds
 * to a guest's unbound event-channel port through Linux's /dev/xen/evtchn
 * and sends an event back for every event it receives, `count` times (or
 * until killed with count 0).
 *
 *   evtchn-echo DOMID PORT [COUNT]
 *
 * Built for arm64 Linux (static) by the host build and run only inside
 * dom0 on the emulated board. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
/* Linux's uapi header uses the hypervisor's domid_t without defining it. */
typedef uint16_t domid_t;
#include <xen/evtchn.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: evtchn-echo DOMID PORT [COUNT]\n");
    return 2;
  }
  const unsigned domid = (unsigned)strtoul(argv[1], NULL, 0);
  const unsigned port = (unsigned)strtoul(argv[2], NULL, 0);
  const long count = argc > 3 ? strtol(argv[3], NULL, 0) : 0;
  int fd = open("/dev/xen/evtchn", O_RDWR);
  if (fd < 0) {
    fprintf(stderr, "evtchn-echo: /dev/xen/evtchn: %s\n", strerror(errno));
    return 1;
  }
  struct ioctl_evtchn_bind_interdomain bind = {.remote_domain = domid, .remote_port = port};
  int local = ioctl(fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &bind);
  if (local < 0) {
    fprintf(stderr, "evtchn-echo: bind to domain %u port %u: %s\n", domid, port, strerror(errno));
    return 1;
  }
  printf("evtchn-echo: bound local port %d to domain %u port %u\n", local, domid, port);
  fflush(stdout);
  struct ioctl_evtchn_notify notify = {.port = (unsigned)local};
  for (long n = 0; count == 0 || n < count; ++n) {
    uint32_t fired;
    if (read(fd, &fired, sizeof fired) != sizeof fired) {
      fprintf(stderr, "evtchn-echo: read: %s\n", strerror(errno));
      return 1;
    }
    if (write(fd, &fired, sizeof fired) != sizeof fired) { /* unmask it again */
      fprintf(stderr, "evtchn-echo: unmask: %s\n", strerror(errno));
      return 1;
    }
    if (ioctl(fd, IOCTL_EVTCHN_NOTIFY, &notify) < 0) {
      fprintf(stderr, "evtchn-echo: notify: %s\n", strerror(errno));
      return 1;
    }
  }
  printf("evtchn-echo: echoed %ld events\n", count);
  return 0;
}
