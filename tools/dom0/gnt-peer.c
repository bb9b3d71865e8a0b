/* gnt-peer: dom0's side of Petrel's grant-table test, through Linux's
 * /dev/xen/gntdev (mapping a guest's grant) and /dev/xen/gntalloc
 * (granting a dom0 page to a guest).
 *
 *   gnt-peer map DOMID REF SECONDS
 *     maps the guest's page, prints the string at its start, writes
 *     "dom0 was here" at offset 2048, prints "mapped", keeps the mapping
 *     until its standard input ends (the dom0 script holds a FIFO open
 *     while the guest has work to do) or SECONDS seconds passed, unmaps and
 *     prints "unmapped".
 *   gnt-peer grant DOMID SECONDS
 *     grants the guest a new page holding "from dom0 via gntalloc", prints
 *     "gref N", waits the same way and prints what the guest wrote at
 *     offset 2048, then frees the page.
 *
 * Built for arm64 Linux (static) by the host build, run only inside dom0. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
/* Linux's uapi headers use the hypervisor's domid_t and grant_ref_t
 * without defining them. */
typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;
#include <xen/gntalloc.h>
#include <xen/gntdev.h>

static int fail(const char* what) {
  fprintf(stderr, "gnt-peer: %s: %s\n", what, strerror(errno));
  return 1;
}

/* Waits until standard input ends (or has a line), at most `seconds`. */
static void hold(unsigned seconds) {
  struct pollfd in = {.fd = 0, .events = POLLIN};
  (void)poll(&in, 1, (int)(seconds * 1000));
}

static int map_guest_page(unsigned domid, unsigned ref, unsigned seconds) {
  int fd = open("/dev/xen/gntdev", O_RDWR);
  if (fd < 0) return fail("/dev/xen/gntdev");
  struct ioctl_gntdev_map_grant_ref map = {.count = 1};
  map.refs[0].domid = domid;
  map.refs[0].ref = ref;
  if (ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, &map) < 0) return fail("map grant");
  char* page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map.index);
  if (page == MAP_FAILED) return fail("mmap");
  printf("gnt-peer: the guest's page says \"%.64s\"\n", page);
  strcpy(page + 2048, "dom0 was here");
  printf("gnt-peer: mapped\n");
  fflush(stdout);
  hold(seconds);
  munmap(page, 4096);
  struct ioctl_gntdev_unmap_grant_ref unmap = {.index = map.index, .count = 1};
  if (ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap) < 0) return fail("unmap grant");
  close(fd);
  printf("gnt-peer: unmapped\n");
  return 0;
}

static int grant_page(unsigned domid, unsigned seconds) {
  int fd = open("/dev/xen/gntalloc", O_RDWR);
  if (fd < 0) return fail("/dev/xen/gntalloc");
  struct ioctl_gntalloc_alloc_gref alloc = {
      .domid = (uint16_t)domid, .flags = GNTALLOC_FLAG_WRITABLE, .count = 1};
  if (ioctl(fd, IOCTL_GNTALLOC_ALLOC_GREF, &alloc) < 0) return fail("alloc gref");
  char* page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)alloc.index);
  if (page == MAP_FAILED) return fail("mmap");
  memset(page, 0, 4096);
  strcpy(page, "from dom0 via gntalloc");
  printf("gnt-peer: gref %u\n", alloc.gref_ids[0]);
  fflush(stdout);
  hold(seconds);
  printf("gnt-peer: the guest wrote \"%.64s\"\n", page + 2048);
  munmap(page, 4096);
  close(fd);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 5 && strcmp(argv[1], "map") == 0)
    return map_guest_page((unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]),
                          (unsigned)atoi(argv[4]));
  if (argc == 4 && strcmp(argv[1], "grant") == 0)
    return grant_page((unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]));
  fprintf(stderr, "usage: gnt-peer map DOMID REF SECONDS | gnt-peer grant DOMID SECONDS\n");
  return 2;
}
