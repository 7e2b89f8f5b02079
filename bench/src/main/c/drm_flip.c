/* The C half of io.zeroframe.bench.DrmFlip: an atomic page flip on virtio-gpu between two 640x480 XRGB8888
 * dumb-buffer framebuffers (DRM_IOCTL_MODE_ATOMIC with NONBLOCK | PAGE_FLIP_EVENT, then poll + read of the
 * flip-complete event), with raw ioctls (the kernel uAPI headers libdrm-dev installs, not libdrm itself).
 * Usage: drm_flip [ROUNDS [SECONDS_PER_ROUND]] */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <drm.h>
#include <drm_mode.h>

#include "timing.h"
#include "devices.h"

#define WIDTH 640
#define HEIGHT 480

struct flip {
    int fd;
    uint32_t objects[1], counts[1], props[1];
    uint64_t values[1];
    uint32_t fb[2];
    uint64_t n;
};

static int flip_once(void *ctx) {
    struct flip *f = ctx;
    f->n++;
    f->values[0] = f->fb[f->n & 1];
    struct drm_mode_atomic atomic = {
        .flags = DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT, .count_objs = 1,
        .objs_ptr = (uintptr_t) f->objects, .count_props_ptr = (uintptr_t) f->counts,
        .props_ptr = (uintptr_t) f->props, .prop_values_ptr = (uintptr_t) f->values, .user_data = f->n};
    if (ioctl(f->fd, DRM_IOCTL_MODE_ATOMIC, &atomic) < 0) return 1;
    struct pollfd pfd = {.fd = f->fd, .events = POLLIN};
    if (poll(&pfd, 1, 5000) != 1) return 1;
    struct drm_event_vblank event;
    if (read(f->fd, &event, sizeof event) != sizeof event) return 1;
    return event.base.type != DRM_EVENT_FLIP_COMPLETE || event.user_data != f->n;
}

int main(int argc, char **argv) {
    zf_options(argc, argv);
    int fd = open_atomic_card("virtio_gpu");

    uint32_t crtcs[4], connectors[4];
    struct drm_mode_card_res res = {.crtc_id_ptr = (uintptr_t) crtcs, .count_crtcs = 4,
                                    .connector_id_ptr = (uintptr_t) connectors, .count_connectors = 4};
    xioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES");
    uint32_t crtc = crtcs[0], connector = connectors[0];
    struct drm_mode_modeinfo modes[64];
    struct drm_mode_get_connector conn = {.connector_id = connector, .count_modes = 64,
                                          .modes_ptr = (uintptr_t) modes};
    xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn, "GETCONNECTOR");
    struct drm_mode_modeinfo *mode = NULL;
    for (uint32_t i = 0; i < conn.count_modes && i < 64; i++) {
        if (modes[i].hdisplay == WIDTH && modes[i].vdisplay == HEIGHT) { mode = &modes[i]; break; }
    }
    if (!mode) { fprintf(stderr, "no %dx%d mode\n", WIDTH, HEIGHT); return 1; }

    uint32_t planes[16];
    struct drm_mode_get_plane_res plane_res = {.plane_id_ptr = (uintptr_t) planes, .count_planes = 16};
    xioctl(fd, DRM_IOCTL_MODE_GETPLANERESOURCES, &plane_res, "GETPLANERESOURCES");
    uint32_t primary = 0;
    for (uint32_t i = 0; i < plane_res.count_planes && i < 16 && !primary; i++) {
        uint64_t type;
        property(fd, planes[i], DRM_MODE_OBJECT_PLANE, "type", &type);
        if (type == 1) primary = planes[i];
    }

    struct flip f = {.fd = fd};
    for (int i = 0; i < 2; i++) {
        struct drm_mode_create_dumb dumb = {.width = WIDTH, .height = HEIGHT, .bpp = 32};
        xioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb, "CREATE_DUMB");
        struct drm_mode_fb_cmd2 fb = {.width = WIDTH, .height = HEIGHT, .pixel_format = 0x34325258 /* XR24 */,
                                      .handles = {dumb.handle}, .pitches = {dumb.pitch}};
        xioctl(fd, DRM_IOCTL_MODE_ADDFB2, &fb, "ADDFB2");
        f.fb[i] = fb.fb_id;
    }
    struct drm_mode_create_blob blob = {.data = (uintptr_t) mode, .length = sizeof *mode};
    xioctl(fd, DRM_IOCTL_MODE_CREATEPROPBLOB, &blob, "CREATEPROPBLOB");

    uint32_t objects[] = {crtc, connector, primary};
    uint32_t counts[] = {2, 1, 10};
    uint32_t props[13];
    uint64_t values[13];
    const char *plane_props[] = {"FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W", "SRC_H", "CRTC_X", "CRTC_Y",
                                 "CRTC_W", "CRTC_H"};
    uint64_t plane_values[] = {f.fb[0], crtc, 0, 0, (uint64_t) WIDTH << 16, (uint64_t) HEIGHT << 16, 0, 0, WIDTH,
                               HEIGHT};
    props[0] = property(fd, crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", NULL); values[0] = blob.blob_id;
    props[1] = property(fd, crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", NULL); values[1] = 1;
    props[2] = property(fd, connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", NULL); values[2] = crtc;
    for (int i = 0; i < 10; i++) {
        props[3 + i] = property(fd, primary, DRM_MODE_OBJECT_PLANE, plane_props[i], NULL);
        values[3 + i] = plane_values[i];
    }
    struct drm_mode_atomic modeset = {
        .flags = DRM_MODE_ATOMIC_ALLOW_MODESET, .count_objs = 3, .objs_ptr = (uintptr_t) objects,
        .count_props_ptr = (uintptr_t) counts, .props_ptr = (uintptr_t) props, .prop_values_ptr = (uintptr_t) values};
    xioctl(fd, DRM_IOCTL_MODE_ATOMIC, &modeset, "ATOMIC (modeset)");

    f.objects[0] = primary;
    f.counts[0] = 1;
    f.props[0] = props[3];
    zf_measure("drm.atomicFlip", "virtio_gpu", flip_once, &f);
    close(fd);
    return 0;
}
