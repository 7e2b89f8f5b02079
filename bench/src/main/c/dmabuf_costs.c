/* The in-VM half of io.zeroframe.bench.DmaBufCosts: CPU-access bracket (DMA_BUF_IOCTL_SYNC start+end),
 * mmap+munmap of the whole buffer, and allocate+close, for system dma-heap buffers and udmabuf buffers of
 * 4 KiB .. 16 MiB. Usage: dmabuf_costs [ROUNDS [SECONDS_PER_ROUND]] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "timing.h"

static const long sizes[] = {4096, 65536, 1048576, 16777216};

struct buffer {
    int source;   /* the heap, or the memfd behind a udmabuf */
    int device;   /* /dev/udmabuf, or -1 */
    long size;
    int fd;       /* the dma-buf */
};

static int heap_allocate(struct buffer *b) {
    struct dma_heap_allocation_data data = {.len = b->size, .fd_flags = O_RDWR | O_CLOEXEC};
    if (ioctl(b->source, DMA_HEAP_IOCTL_ALLOC, &data) < 0) return -1;
    return data.fd;
}

static int udmabuf_allocate(struct buffer *b) {
    struct udmabuf_create create = {.memfd = b->source, .flags = UDMABUF_FLAGS_CLOEXEC, .offset = 0,
                                    .size = b->size};
    return ioctl(b->device, UDMABUF_CREATE, &create);
}

static int allocate(struct buffer *b) {
    return b->device < 0 ? heap_allocate(b) : udmabuf_allocate(b);
}

static int sync_bracket(void *ctx) {
    struct buffer *b = ctx;
    struct dma_buf_sync sync = {.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW};
    if (ioctl(b->fd, DMA_BUF_IOCTL_SYNC, &sync) < 0) return 1;
    sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
    return ioctl(b->fd, DMA_BUF_IOCTL_SYNC, &sync) < 0;
}

static int map_unmap(void *ctx) {
    struct buffer *b = ctx;
    void *address = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
    if (address == MAP_FAILED) return 1;
    return munmap(address, b->size) != 0;
}

static int allocate_close(void *ctx) {
    int fd = allocate(ctx);
    return fd < 0 || close(fd) != 0;
}

static void measure_all(const char *kind, struct buffer *b) {
    char name[64], param[32];
    snprintf(param, sizeof param, "%ld", b->size);
    b->fd = allocate(b);
    if (b->fd < 0) { perror(kind); exit(1); }
    snprintf(name, sizeof name, "%s.cpuAccess", kind);
    zf_measure(name, param, sync_bracket, b);
    snprintf(name, sizeof name, "%s.mapUnmap", kind);
    zf_measure(name, param, map_unmap, b);
    snprintf(name, sizeof name, "%s.allocateClose", kind);
    zf_measure(name, param, allocate_close, b);
    close(b->fd);
}

int main(int argc, char **argv) {
    zf_options(argc, argv);
    int heap = open("/dev/dma_heap/system", O_RDWR | O_CLOEXEC);
    if (heap < 0) { perror("/dev/dma_heap/system"); return 1; }
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        struct buffer b = {.source = heap, .device = -1, .size = sizes[i]};
        measure_all("heap", &b);
    }
    close(heap);

    int udmabuf = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
    if (udmabuf < 0) { perror("/dev/udmabuf"); return 1; }
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        int memfd = memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (memfd < 0 || ftruncate(memfd, sizes[i]) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
            perror("memfd");
            return 1;
        }
        struct buffer b = {.source = memfd, .device = udmabuf, .size = sizes[i]};
        measure_all("udmabuf", &b);
        close(memfd);
    }
    close(udmabuf);
    return 0;
}
