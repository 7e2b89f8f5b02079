/* The in-VM half of io.zeroframe.bench.V4l2Queue: on vivid's capture node (found by its sysfs name
 * "vivid-000-vid-cap"), 4 MMAP buffers of 320x180 XR24, streaming; one operation = poll for the next frame +
 * VIDIOC_DQBUF + VIDIOC_QBUF of the same buffer. Usage: v4l2_queue [ROUNDS [SECONDS_PER_ROUND]] */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "timing.h"
#include "devices.h"

static int cycle(void *ctx) {
    int fd = *(int *) ctx;
    struct v4l2_buffer buffer;
    for (;;) {
        memset(&buffer, 0, sizeof buffer);
        buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        buffer.memory = V4L2_MEMORY_MMAP;
        if (ioctl(fd, VIDIOC_DQBUF, &buffer) == 0) break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, -1) < 0) return 1;
    }
    return ioctl(fd, VIDIOC_QBUF, &buffer) != 0;
}

int main(int argc, char **argv) {
    zf_options(argc, argv);
    int fd = open_vivid_capture();
    if (fd < 0) { perror("vivid-000-vid-cap"); return 1; }
    struct v4l2_format format = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    format.fmt.pix.width = 320;
    format.fmt.pix.height = 180;
    format.fmt.pix.pixelformat = V4L2_PIX_FMT_XBGR32;
    format.fmt.pix.field = V4L2_FIELD_NONE;
    if (ioctl(fd, VIDIOC_S_FMT, &format)) { perror("VIDIOC_S_FMT"); return 1; }
    struct v4l2_requestbuffers request = {.count = 4, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
                                          .memory = V4L2_MEMORY_MMAP};
    if (ioctl(fd, VIDIOC_REQBUFS, &request)) { perror("VIDIOC_REQBUFS"); return 1; }
    void *maps[4];
    size_t lengths[4];
    for (unsigned i = 0; i < request.count && i < 4; i++) {
        struct v4l2_buffer buffer = {.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
        if (ioctl(fd, VIDIOC_QUERYBUF, &buffer)) { perror("VIDIOC_QUERYBUF"); return 1; }
        lengths[i] = buffer.length;
        maps[i] = mmap(NULL, buffer.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, buffer.m.offset);
        if (maps[i] == MAP_FAILED) { perror("mmap"); return 1; }
        if (ioctl(fd, VIDIOC_QBUF, &buffer)) { perror("VIDIOC_QBUF"); return 1; }
    }
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (ioctl(fd, VIDIOC_STREAMON, &type)) { perror("VIDIOC_STREAMON"); return 1; }
    zf_measure("v4l2.dequeueEnqueue", "vivid-320x180-XR24", cycle, &fd);
    ioctl(fd, VIDIOC_STREAMOFF, &type);
    for (unsigned i = 0; i < request.count && i < 4; i++) munmap(maps[i], lengths[i]);
    request.count = 0;
    ioctl(fd, VIDIOC_REQBUFS, &request);
    close(fd);
    return 0;
}
