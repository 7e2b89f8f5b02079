/* The host half of the binding-overhead comparison (io.zeroframe.bench.BindingOverhead): the same three calls,
 * made from C. Usage: binding_overhead [ROUNDS [SECONDS_PER_ROUND]] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "timing.h"

static int pipe_fds[2];
static int memfd;
static long page;

static int ioctl_fionread(void *ctx) {
    int *available = ctx;
    return ioctl(pipe_fds[0], FIONREAD, available) < 0;
}

static int mmap_munmap(void *ctx) {
    (void) ctx;
    void *address = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (address == MAP_FAILED) return 1;
    return munmap(address, page) != 0;
}

static int poll_zero(void *ctx) {
    struct pollfd *fds = ctx;
    return poll(fds, 1, 0) < 0;
}

int main(int argc, char **argv) {
    zf_options(argc, argv);
    page = sysconf(_SC_PAGESIZE);
    if (pipe2(pipe_fds, O_CLOEXEC) || (memfd = memfd_create("bench", MFD_CLOEXEC)) < 0
            || ftruncate(memfd, page)) {
        perror("setup");
        return 1;
    }
    int available;
    struct pollfd fds = {.fd = pipe_fds[0], .events = POLLIN};
    zf_measure("ioctl", "FIONREAD", ioctl_fionread, &available);
    zf_measure("mmap", "4096", mmap_munmap, NULL);
    zf_measure("poll", "0", poll_zero, &fds);
    return 0;
}
