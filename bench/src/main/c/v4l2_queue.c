/* The in-VM half of io.zeroframe.bench.V4l2Queue: what the streaming cycle costs without vivid's frame clock in it.
 * On vivid's capture node (found by its sysfs name "vivid-000-vid-cap") at 320x180 XR24 and 1/120 s per frame
 * (VIDIOC_S_FMT, VIDIOC_S_PARM; vivid's smallest webcam size and fastest rate), 4 MMAP buffers, streaming.
 * One operation = VIDIOC_DQBUF (non-blocking) of a buffer vivid has already filled + VIDIOC_QBUF of it. Before each
 * cycle, untimed, the program waits in poll(POLLIN) until a buffer is done, as the Java side does in VideoQueue.await;
 * a dequeue that then finds none stops the program. Each cycle is timed with CLOCK_MONOTONIC (as JMH times each
 * invocation); CYCLES cycles warm up, then ROUNDS rounds of CYCLES cycles. Prints the line of timing.h: name,
 * parameter, median and best ns per cycle of the rounds, rounds x cycles. Usage: v4l2_queue [ROUNDS [CYCLES]] */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "timing.h"
#include "devices.h"

#define BUFFERS 4
#define WIDTH 320
#define HEIGHT 180
#define RATE 120

/* One cycle: poll until a buffer is done (untimed), then DQBUF + QBUF of it; returns their wall time in ns. */
static double cycle(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (poll(&p, 1, -1) < 0) {
        if (errno != EINTR) { perror("poll"); exit(1); }
    }
    struct v4l2_buffer buffer;
    double start = zf_now();
    memset(&buffer, 0, sizeof buffer);
    buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buffer.memory = V4L2_MEMORY_MMAP;
    if (ioctl(fd, VIDIOC_DQBUF, &buffer)) { perror("VIDIOC_DQBUF after poll reported a buffer done"); exit(1); }
    if (ioctl(fd, VIDIOC_QBUF, &buffer)) { perror("VIDIOC_QBUF"); exit(1); }
    return zf_now() - start;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 7;
    int cycles = argc > 2 ? atoi(argv[2]) : 120;
    if (rounds < 1 || rounds > 1000 || cycles < 1 || cycles > 100000) {
        fprintf(stderr, "usage: %s [ROUNDS [CYCLES]]\n", argv[0]);
        return 2;
    }
    int fd = open_vivid_capture();
    struct v4l2_format format = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    format.fmt.pix.width = WIDTH;
    format.fmt.pix.height = HEIGHT;
    format.fmt.pix.pixelformat = V4L2_PIX_FMT_XBGR32;
    format.fmt.pix.field = V4L2_FIELD_NONE;
    if (ioctl(fd, VIDIOC_S_FMT, &format)) { perror("VIDIOC_S_FMT"); return 1; }
    struct v4l2_streamparm parm = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    parm.parm.capture.timeperframe = (struct v4l2_fract) {1, RATE};
    if (ioctl(fd, VIDIOC_S_PARM, &parm)) { perror("VIDIOC_S_PARM"); return 1; }
    struct v4l2_fract got = parm.parm.capture.timeperframe;
    if (format.fmt.pix.width != WIDTH || format.fmt.pix.height != HEIGHT || got.numerator != 1
            || got.denominator != RATE) {
        fprintf(stderr, "vivid gave %ux%u at %u/%u s per frame, not %dx%d at 1/%d\n", format.fmt.pix.width,
                format.fmt.pix.height, got.numerator, got.denominator, WIDTH, HEIGHT, RATE);
        return 1;
    }
    struct v4l2_requestbuffers request = {.count = BUFFERS, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
                                          .memory = V4L2_MEMORY_MMAP};
    if (ioctl(fd, VIDIOC_REQBUFS, &request)) { perror("VIDIOC_REQBUFS"); return 1; }
    if (request.count != BUFFERS) {
        fprintf(stderr, "vivid gave %u buffers, not %d\n", request.count, BUFFERS);
        return 1;
    }
    void *maps[BUFFERS];
    size_t lengths[BUFFERS];
    for (unsigned i = 0; i < BUFFERS; i++) {
        struct v4l2_buffer buffer = {.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
        if (ioctl(fd, VIDIOC_QUERYBUF, &buffer)) { perror("VIDIOC_QUERYBUF"); return 1; }
        lengths[i] = buffer.length;
        maps[i] = mmap(NULL, buffer.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, buffer.m.offset);
        if (maps[i] == MAP_FAILED) { perror("mmap"); return 1; }
        if (ioctl(fd, VIDIOC_QBUF, &buffer)) { perror("VIDIOC_QBUF"); return 1; }
    }
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (ioctl(fd, VIDIOC_STREAMON, &type)) { perror("VIDIOC_STREAMON"); return 1; }
    for (int c = 0; c < cycles; c++) cycle(fd);
    double *ns = calloc(rounds, sizeof *ns);
    for (int r = 0; r < rounds; r++) {
        double elapsed = 0;
        for (int c = 0; c < cycles; c++) elapsed += cycle(fd);
        ns[r] = elapsed / cycles;
    }
    qsort(ns, rounds, sizeof *ns, zf_compare);
    printf("v4l2.dequeueEnqueue\tvivid-%dx%d-XR24-%dfps-ready\t%.1f\t%.1f\t%dx%d\n", WIDTH, HEIGHT, RATE,
           ns[rounds / 2], ns[0], rounds, cycles);
    fflush(stdout);
    free(ns);

    ioctl(fd, VIDIOC_STREAMOFF, &type);
    for (unsigned i = 0; i < BUFFERS; i++) munmap(maps[i], lengths[i]);
    request.count = 0;
    ioctl(fd, VIDIOC_REQBUFS, &request);
    close(fd);
    return 0;
}
