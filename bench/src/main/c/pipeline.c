/* The C contender of the pipeline benchmark: what io.zeroframe.samples.pipeline.CaptureToScanout does, written as
 * a C programmer would with raw ioctls (the kernel uAPI headers libdrm-dev installs, not libdrm itself).
 *
 * vivid's capture node ("vivid-000-vid-cap") streams COUNT buffers of WIDTHxHEIGHT V4L2 XR24 (DRM XRGB8888) onto
 * the primary plane of the first CRTC of the card of DRIVER, in a mode of the same size, without copying. The
 * buffers come from ALLOCATOR:
 *   camera   VIDIOC_REQBUFS MMAP + VIDIOC_EXPBUF, imported into DRM with DRM_IOCTL_PRIME_FD_TO_HANDLE + ADDFB2
 *   display  DRM_IOCTL_MODE_CREATE_DUMB + DRM_IOCTL_PRIME_HANDLE_TO_FD + ADDFB2, imported into V4L2 as
 *            V4L2_MEMORY_DMABUF (the camera's bytesperline set to the dumb buffer's pitch)
 * The loop: every buffer queued, STREAMON, then one poll() over the video fd (only while the camera holds a
 * buffer), the DRM fd and an eventfd (the Java pipeline's wake-up; never signalled here). The first captured frame
 * is committed with a blocking modeset (ALLOW_MODESET | PAGE_FLIP_EVENT: MODE_ID, ACTIVE, the connector's
 * CRTC_ID, the plane), every later one as a flip of FB_ID only (NONBLOCK | PAGE_FLIP_EVENT). One flip in flight;
 * a frame captured meanwhile waits, a newer one replaces it (the older is requeued at once, counted as skipped);
 * a buffer goes back to the camera only once the flip that replaced it on screen completed. At the end: the flip
 * in flight is awaited (500 ms), the CRTC, connector and plane are restored as found in one ALLOW_MODESET commit,
 * STREAMOFF.
 *
 * Latency: V4L2 buffer timestamp to flip-event timestamp (both CLOCK_MONOTONIC), the modeset's event untimed,
 * percentiles as the upper edge of 50 us buckets (as the Java pipeline's statistics). The runner sets vivid's
 * format, frame rate and "Timestamp Source" (Start of Exposure) before each run, the same for every contender.
 *
 * Usage: pipeline DRIVER camera|display WIDTH HEIGHT FRAMES COUNT
 * Prints one line of key=value fields (see the printf at the end); CPU from getrusage(RUSAGE_SELF).
 * pipeline modes DRIVER: prints the modes (WIDTHxHEIGHT, one a line) of the card's connected connectors, for the
 * runner to choose sizes the display shows; fails without a card of that driver. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <drm.h>
#include <drm_fourcc.h>
#include <drm_mode.h>

#include "devices.h"

#define MAX_BUFFERS 32
#define BUCKET_NANOS 50000LL
#define BUCKETS 20000
#define LAST_FLIP_MILLIS 500

static void die(const char *what) {
    perror(what);
    exit(1);
}

/* An atomic request of up to three objects, its properties in object order. */
struct request {
    uint32_t objects[3], counts[3], props[16];
    uint64_t values[16];
    uint32_t nobjects, nprops;
};

static void add(struct request *r, uint32_t object, uint32_t prop, uint64_t value) {
    if (r->nobjects == 0 || r->objects[r->nobjects - 1] != object) {
        r->objects[r->nobjects] = object;
        r->counts[r->nobjects++] = 0;
    }
    r->counts[r->nobjects - 1]++;
    r->props[r->nprops] = prop;
    r->values[r->nprops++] = value;
}

static int commit(int fd, struct request *r, uint32_t flags, uint64_t user_data) {
    struct drm_mode_atomic atomic = {
        .flags = flags, .count_objs = r->nobjects, .objs_ptr = (uintptr_t) r->objects,
        .count_props_ptr = (uintptr_t) r->counts, .props_ptr = (uintptr_t) r->props,
        .prop_values_ptr = (uintptr_t) r->values, .user_data = user_data};
    int result;
    do {
        result = ioctl(fd, DRM_IOCTL_MODE_ATOMIC, &atomic);
    } while (result < 0 && errno == EINTR);
    return result;
}

static const char *PLANE_PROPS[] = {"FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W", "SRC_H",
                                    "CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H"};

static long long micros(struct timeval tv) {
    return tv.tv_sec * 1000000LL + tv.tv_usec;
}

/* The loop's state, as CaptureToScanout keeps it. */
static int video, card, count, with_camera, waiting = -1, flipping = -1, on_screen = -1, mode_set, timed;
static enum v4l2_memory memory;
static int dmabufs[MAX_BUFFERS];
static uint32_t lengths[MAX_BUFFERS], fbs[MAX_BUFFERS];
static long long capture_nanos[MAX_BUFFERS];
static long long captured, shown, skipped, dropped, unshown, timed_count, latency_max, first_flip, last_flip;
static long long last_sequence = -1;
static int histogram[BUCKETS];
static struct request modeset, flip;
static uint32_t plane_fb_prop;

static void to_camera(int index) {
    struct v4l2_buffer buffer = {.index = index, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = memory};
    if (memory == V4L2_MEMORY_DMABUF) {
        buffer.m.fd = dmabufs[index];
        buffer.length = lengths[index];
    }
    xioctl(video, VIDIOC_QBUF, &buffer, "VIDIOC_QBUF");
    with_camera++;
}

static void take_frames(void) {
    while (with_camera > 0) {
        struct v4l2_buffer buffer = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = memory};
        if (ioctl(video, VIDIOC_DQBUF, &buffer) < 0) {
            if (errno == EAGAIN) return;
            if (errno == EINTR) continue;
            die("VIDIOC_DQBUF");
        }
        with_camera--;
        long long sequence = buffer.sequence;
        if (last_sequence >= 0 && sequence > last_sequence + 1) dropped += sequence - last_sequence - 1;
        last_sequence = sequence;
        capture_nanos[buffer.index] = micros(buffer.timestamp) * 1000;
        if (waiting >= 0) {
            to_camera(waiting);
            skipped++;
        }
        waiting = buffer.index;
        captured++;
    }
}

static void flipped(const struct drm_event_vblank *event) {
    if (event->base.type != DRM_EVENT_FLIP_COMPLETE || flipping < 0 || event->user_data != (uint64_t) flipping) {
        return;
    }
    long long at = (event->tv_sec * 1000000LL + event->tv_usec) * 1000;
    int now_shown = flipping;
    flipping = -1;
    shown++;
    if (timed) {
        long long latency = at - capture_nanos[now_shown];
        if (++timed_count == 1) first_flip = at;
        last_flip = at;
        if (latency > latency_max) latency_max = latency;
        long long bucket = latency / BUCKET_NANOS;
        histogram[bucket < 0 ? 0 : bucket >= BUCKETS ? BUCKETS - 1 : bucket]++;
    } else {
        timed = 1; /* the modeset's event: a CRTC just enabled has no scan-out time */
    }
    int freed = on_screen;
    on_screen = now_shown;
    if (freed >= 0) to_camera(freed);
}

/* One read of whatever events are pending (as libdrm's drmHandleEvent does). */
static void take_flip_events(void) {
    char buffer[1024];
    ssize_t length = read(card, buffer, sizeof buffer);
    if (length < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        die("read (DRM events)");
    }
    for (ssize_t i = 0; i + (ssize_t) sizeof(struct drm_event) <= length;) {
        const struct drm_event *e = (const struct drm_event *) (buffer + i);
        if (e->type == DRM_EVENT_FLIP_COMPLETE) flipped((const struct drm_event_vblank *) e);
        i += e->length;
    }
}

static void commit_frame(int index) {
    if (!mode_set) {
        modeset.values[3] = fbs[index]; /* the plane's FB_ID: after MODE_ID, ACTIVE and the connector's CRTC_ID */
        if (commit(card, &modeset, DRM_MODE_ATOMIC_ALLOW_MODESET | DRM_MODE_PAGE_FLIP_EVENT, index)) {
            die("DRM_IOCTL_MODE_ATOMIC (modeset)");
        }
        mode_set = 1;
    } else {
        flip.values[0] = fbs[index];
        if (commit(card, &flip, DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT, index)) {
            die("DRM_IOCTL_MODE_ATOMIC (flip)");
        }
    }
    waiting = -1;
    flipping = index;
}

static long long percentile(double p) {
    if (timed_count == 0) return 0;
    long long rank = (long long) (p * timed_count + 0.999999), seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
        seen += histogram[i];
        if (seen >= rank) return (i + 1) * BUCKET_NANOS < latency_max ? (i + 1) * BUCKET_NANOS : latency_max;
    }
    return latency_max;
}

static int list_modes(const char *driver) {
    int fd = open_card(driver);
    uint32_t connectors[8];
    struct drm_mode_card_res res = {.connector_id_ptr = (uintptr_t) connectors, .count_connectors = 8};
    xioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res, "DRM_IOCTL_MODE_GETRESOURCES");
    for (uint32_t c = 0; c < res.count_connectors && c < 8; c++) {
        struct drm_mode_modeinfo modes[128];
        struct drm_mode_get_connector conn = {.connector_id = connectors[c], .count_modes = 128,
                                              .modes_ptr = (uintptr_t) modes};
        xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn, "DRM_IOCTL_MODE_GETCONNECTOR");
        for (uint32_t i = 0; conn.connection == 1 && i < conn.count_modes && i < 128; i++) {
            printf("%ux%u\n", modes[i].hdisplay, modes[i].vdisplay);
        }
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "modes") == 0) return list_modes(argv[2]);
    if (argc != 7 || (strcmp(argv[2], "camera") && strcmp(argv[2], "display"))) {
        fprintf(stderr, "usage: %s DRIVER camera|display WIDTH HEIGHT FRAMES COUNT\n", argv[0]);
        return 2;
    }
    const char *driver = argv[1];
    int from_camera = strcmp(argv[2], "camera") == 0;
    uint32_t width = atoi(argv[3]), height = atoi(argv[4]);
    long long frames = atoll(argv[5]);
    count = atoi(argv[6]);
    if (width == 0 || height == 0 || frames <= 0 || count < 2 || count > MAX_BUFFERS) {
        fprintf(stderr, "bad size, frame count or buffer count (2..%d)\n", MAX_BUFFERS);
        return 2;
    }
    memory = from_camera ? V4L2_MEMORY_MMAP : V4L2_MEMORY_DMABUF;

    video = open_vivid_capture();
    card = open_atomic_card(driver);

    /* The display: the first CRTC, a connected connector with a WIDTHxHEIGHT mode, a primary plane for the CRTC. */
    uint32_t crtcs[8], connectors[8];
    struct drm_mode_card_res res = {.crtc_id_ptr = (uintptr_t) crtcs, .count_crtcs = 8,
                                    .connector_id_ptr = (uintptr_t) connectors, .count_connectors = 8};
    xioctl(card, DRM_IOCTL_MODE_GETRESOURCES, &res, "DRM_IOCTL_MODE_GETRESOURCES");
    uint32_t crtc = crtcs[0], connector = 0;
    struct drm_mode_modeinfo modes[128], mode;
    for (uint32_t c = 0; c < res.count_connectors && c < 8 && !connector; c++) {
        struct drm_mode_get_connector conn = {.connector_id = connectors[c], .count_modes = 128,
                                              .modes_ptr = (uintptr_t) modes};
        xioctl(card, DRM_IOCTL_MODE_GETCONNECTOR, &conn, "DRM_IOCTL_MODE_GETCONNECTOR");
        if (conn.connection != 1) continue;
        for (uint32_t i = 0; i < conn.count_modes && i < 128; i++) {
            if (modes[i].hdisplay == width && modes[i].vdisplay == height) {
                mode = modes[i];
                connector = connectors[c];
                break;
            }
        }
    }
    if (!connector) { fprintf(stderr, "no connected connector with a %ux%u mode\n", width, height); return 1; }
    uint32_t planes[32], plane = 0;
    struct drm_mode_get_plane_res plane_res = {.plane_id_ptr = (uintptr_t) planes, .count_planes = 32};
    xioctl(card, DRM_IOCTL_MODE_GETPLANERESOURCES, &plane_res, "DRM_IOCTL_MODE_GETPLANERESOURCES");
    for (uint32_t i = 0; i < plane_res.count_planes && i < 32 && !plane; i++) {
        struct drm_mode_get_plane get = {.plane_id = planes[i]};
        xioctl(card, DRM_IOCTL_MODE_GETPLANE, &get, "DRM_IOCTL_MODE_GETPLANE");
        uint64_t type;
        property(card, planes[i], DRM_MODE_OBJECT_PLANE, "type", &type);
        if (type == 1 /* DRM_PLANE_TYPE_PRIMARY */ && (get.possible_crtcs & 1)) plane = planes[i];
    }
    if (!plane) { fprintf(stderr, "no primary plane for CRTC %u\n", crtc); return 1; }

    /* What the display shows now, restored at the end. */
    struct drm_mode_crtc saved_crtc = {.crtc_id = crtc};
    xioctl(card, DRM_IOCTL_MODE_GETCRTC, &saved_crtc, "DRM_IOCTL_MODE_GETCRTC");
    uint64_t saved_active, saved_connector_crtc, saved_plane[10];
    uint32_t mode_prop = property(card, crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", NULL);
    uint32_t active_prop = property(card, crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", &saved_active);
    uint32_t connector_crtc_prop = property(card, connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID",
                                            &saved_connector_crtc);
    uint32_t plane_props[10];
    for (int i = 0; i < 10; i++) {
        plane_props[i] = property(card, plane, DRM_MODE_OBJECT_PLANE, PLANE_PROPS[i], &saved_plane[i]);
    }
    plane_fb_prop = plane_props[0];

    /* The camera's format, then the buffers from the chosen allocator, each with its framebuffer. */
    uint32_t handles[MAX_BUFFERS], pitch = 0;
    if (!from_camera) {
        for (int i = 0; i < count; i++) {
            struct drm_mode_create_dumb dumb = {.width = width, .height = height, .bpp = 32};
            xioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &dumb, "DRM_IOCTL_MODE_CREATE_DUMB");
            struct drm_prime_handle prime = {.handle = dumb.handle, .flags = DRM_CLOEXEC | DRM_RDWR};
            xioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime, "DRM_IOCTL_PRIME_HANDLE_TO_FD");
            handles[i] = dumb.handle;
            dmabufs[i] = prime.fd;
            lengths[i] = dumb.size;
            pitch = dumb.pitch;
        }
    }
    struct v4l2_format format = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    format.fmt.pix.width = width;
    format.fmt.pix.height = height;
    format.fmt.pix.pixelformat = V4L2_PIX_FMT_XBGR32; /* V4L2 XR24 = DRM XRGB8888 */
    format.fmt.pix.field = V4L2_FIELD_NONE;
    format.fmt.pix.bytesperline = pitch;
    xioctl(video, VIDIOC_S_FMT, &format, "VIDIOC_S_FMT");
    if (format.fmt.pix.width != width || format.fmt.pix.height != height
        || format.fmt.pix.pixelformat != V4L2_PIX_FMT_XBGR32 || (pitch && format.fmt.pix.bytesperline != pitch)) {
        fprintf(stderr, "vivid answered %ux%u pitch %u to %ux%u XR24 pitch %u\n", format.fmt.pix.width,
                format.fmt.pix.height, format.fmt.pix.bytesperline, width, height, pitch);
        return 1;
    }
    pitch = format.fmt.pix.bytesperline;
    struct v4l2_requestbuffers request = {.count = count, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = memory};
    xioctl(video, VIDIOC_REQBUFS, &request, "VIDIOC_REQBUFS");
    if ((int) request.count != count) { fprintf(stderr, "vivid gave %u buffers of %d\n", request.count, count); return 1; }
    for (int i = 0; i < count; i++) {
        if (from_camera) {
            struct v4l2_exportbuffer exp = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .index = i,
                                            .flags = O_RDWR | O_CLOEXEC};
            xioctl(video, VIDIOC_EXPBUF, &exp, "VIDIOC_EXPBUF");
            dmabufs[i] = exp.fd;
            struct drm_prime_handle prime = {.fd = exp.fd};
            xioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime, "DRM_IOCTL_PRIME_FD_TO_HANDLE");
            handles[i] = prime.handle;
        }
        struct drm_mode_fb_cmd2 fb = {.width = width, .height = height, .pixel_format = DRM_FORMAT_XRGB8888,
                                      .handles = {handles[i]}, .pitches = {pitch}};
        xioctl(card, DRM_IOCTL_MODE_ADDFB2, &fb, "DRM_IOCTL_MODE_ADDFB2");
        fbs[i] = fb.fb_id;
    }

    /* The two requests, built once: the modeset (its FB_ID set per run) and the flip of FB_ID only. */
    struct drm_mode_create_blob blob = {.data = (uintptr_t) &mode, .length = sizeof mode};
    xioctl(card, DRM_IOCTL_MODE_CREATEPROPBLOB, &blob, "DRM_IOCTL_MODE_CREATEPROPBLOB");
    add(&modeset, crtc, mode_prop, blob.blob_id);
    add(&modeset, crtc, active_prop, 1);
    add(&modeset, connector, connector_crtc_prop, crtc);
    uint64_t place[10] = {0, crtc, 0, 0, (uint64_t) width << 16, (uint64_t) height << 16, 0, 0, width, height};
    for (int i = 0; i < 10; i++) add(&modeset, plane, plane_props[i], place[i]);
    add(&flip, plane, plane_fb_prop, 0);
    int wakeup = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeup < 0) die("eventfd");
    struct v4l2_streamparm parm = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    xioctl(video, VIDIOC_G_PARM, &parm, "VIDIOC_G_PARM");
    double camera_fps = (double) parm.parm.capture.timeperframe.denominator
                        / (parm.parm.capture.timeperframe.numerator ? parm.parm.capture.timeperframe.numerator : 1);

    /* The run. */
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    for (int i = 0; i < count; i++) to_camera(i);
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    xioctl(video, VIDIOC_STREAMON, &type, "VIDIOC_STREAMON");
    while (shown < frames) {
        struct pollfd fds[3] = {{.fd = with_camera > 0 ? video : -1, .events = POLLIN},
                                {.fd = card, .events = POLLIN},
                                {.fd = wakeup, .events = POLLIN}};
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        if (fds[1].revents & POLLIN) take_flip_events();
        if (fds[0].revents & (POLLIN | POLLERR)) take_frames();
        if (flipping < 0 && waiting >= 0 && shown < frames) commit_frame(waiting);
    }

    /* The end: the flip in flight, the waiting frame back unshown, the display restored, the stream stopped. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long until = now.tv_sec * 1000LL + now.tv_nsec / 1000000 + LAST_FLIP_MILLIS;
    while (flipping >= 0) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long left = until - (now.tv_sec * 1000LL + now.tv_nsec / 1000000);
        struct pollfd fd = {.fd = card, .events = POLLIN};
        if (left <= 0 || poll(&fd, 1, (int) left) <= 0) break;
        take_flip_events();
    }
    if (waiting >= 0) unshown++;
    if (flipping >= 0) unshown++;
    struct request restore = {0};
    uint32_t restore_blob = 0;
    if (saved_crtc.mode_valid) {
        struct drm_mode_create_blob saved = {.data = (uintptr_t) &saved_crtc.mode, .length = sizeof saved_crtc.mode};
        xioctl(card, DRM_IOCTL_MODE_CREATEPROPBLOB, &saved, "DRM_IOCTL_MODE_CREATEPROPBLOB");
        restore_blob = saved.blob_id;
        add(&restore, crtc, mode_prop, restore_blob);
        add(&restore, crtc, active_prop, saved_active);
        add(&restore, connector, connector_crtc_prop, saved_connector_crtc);
        for (int i = 0; i < 10; i++) add(&restore, plane, plane_props[i], saved_plane[i]);
    } else {
        add(&restore, crtc, active_prop, 0);
        add(&restore, crtc, mode_prop, 0);
        add(&restore, connector, connector_crtc_prop, 0);
        add(&restore, plane, plane_props[0], 0);
        add(&restore, plane, plane_props[1], 0);
    }
    if (commit(card, &restore, DRM_MODE_ATOMIC_ALLOW_MODESET, 0)) die("DRM_IOCTL_MODE_ATOMIC (restore)");
    if (restore_blob) {
        struct drm_mode_destroy_blob destroy = {.blob_id = restore_blob};
        xioctl(card, DRM_IOCTL_MODE_DESTROYPROPBLOB, &destroy, "DRM_IOCTL_MODE_DESTROYPROPBLOB");
    }
    xioctl(video, VIDIOC_STREAMOFF, &type, "VIDIOC_STREAMOFF");
    getrusage(RUSAGE_SELF, &after);

    /* Teardown, outside the measured run. */
    struct drm_mode_destroy_blob destroy = {.blob_id = blob.blob_id};
    xioctl(card, DRM_IOCTL_MODE_DESTROYPROPBLOB, &destroy, "DRM_IOCTL_MODE_DESTROYPROPBLOB");
    for (int i = 0; i < count; i++) {
        xioctl(card, DRM_IOCTL_MODE_RMFB, &fbs[i], "DRM_IOCTL_MODE_RMFB");
        close(dmabufs[i]);
    }
    request.count = 0;
    xioctl(video, VIDIOC_REQBUFS, &request, "VIDIOC_REQBUFS 0");
    for (int i = 0; i < count; i++) {
        if (from_camera) {
            struct drm_gem_close gem = {.handle = handles[i]};
            xioctl(card, DRM_IOCTL_GEM_CLOSE, &gem, "DRM_IOCTL_GEM_CLOSE");
        } else {
            struct drm_mode_destroy_dumb dumb = {.handle = handles[i]};
            xioctl(card, DRM_IOCTL_MODE_DESTROY_DUMB, &dumb, "DRM_IOCTL_MODE_DESTROY_DUMB");
        }
    }
    close(wakeup);
    close(card);
    close(video);

    struct rusage total;
    getrusage(RUSAGE_SELF, &total);
    double fps = timed_count < 2 || last_flip == first_flip ? 0 : (timed_count - 1) * 1e9 / (last_flip - first_flip);
    printf("pipeline contender=c driver=%s allocator=%s size=%ux%u buffers=%d camera_fps=%.2f frames=%lld"
           " captured=%lld shown=%lld skipped=%lld dropped=%lld inflight=%lld fps=%.2f"
           " latency_p50_us=%lld latency_p99_us=%lld latency_max_us=%lld"
           " run_user_us=%lld run_sys_us=%lld total_user_us=%lld total_sys_us=%lld maxrss_kb=%ld\n",
           driver, argv[2], width, height, count, camera_fps, frames, captured, shown, skipped, dropped, unshown,
           fps, percentile(0.50) / 1000, percentile(0.99) / 1000, latency_max / 1000,
           micros(after.ru_utime) - micros(before.ru_utime), micros(after.ru_stime) - micros(before.ru_stime),
           micros(total.ru_utime), micros(total.ru_stime), total.ru_maxrss);
    return 0;
}
