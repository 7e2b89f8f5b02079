/* Device helpers shared by the C baselines: an ioctl that retries EINTR and exits naming the call on failure, vivid's
 * capture node found by its sysfs name, and, when the DRM uAPI headers were included first (drm.h), a card found by
 * its driver's name and an object's property by name. Header-only, like timing.h. */
#ifndef ZF_DEVICES_H
#define ZF_DEVICES_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static inline int xioctl(int fd, unsigned long request, void *arg, const char *name) {
    int result;
    do {
        result = ioctl(fd, request, arg);
    } while (result < 0 && errno == EINTR);
    if (result < 0) { perror(name); exit(1); }
    return result;
}

/* vivid's first capture node ("vivid-000-vid-cap"), opened non-blocking; exits when there is none. */
static inline int open_vivid_capture(void) {
    DIR *dir = opendir("/sys/class/video4linux");
    if (!dir) { perror("/sys/class/video4linux"); exit(1); }
    struct dirent *entry;
    int fd = -1;
    while (fd < 0 && (entry = readdir(dir))) {
        char path[300], name[64] = "";
        snprintf(path, sizeof path, "/sys/class/video4linux/%s/name", entry->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        if (fgets(name, sizeof name, f) && strcmp(name, "vivid-000-vid-cap\n") == 0) {
            snprintf(path, sizeof path, "/dev/%s", entry->d_name);
            fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) { perror(path); exit(1); }
        }
        fclose(f);
    }
    closedir(dir);
    if (fd < 0) { fprintf(stderr, "no vivid-000-vid-cap node\n"); exit(1); }
    return fd;
}

#ifdef DRM_IOCTL_BASE
/* The primary node of the card whose driver is called driver, opened non-blocking; exits when there is none. */
static inline int open_card(const char *driver) {
    for (int i = 0; i < 16; i++) {
        char path[32], name[64] = {0};
        snprintf(path, sizeof path, "/dev/dri/card%d", i);
        int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) continue;
        struct drm_version version = {.name = name, .name_len = sizeof name - 1};
        if (ioctl(fd, DRM_IOCTL_VERSION, &version) == 0 && strcmp(name, driver) == 0) return fd;
        close(fd);
    }
    fprintf(stderr, "no %s card\n", driver);
    exit(1);
}

/* The card of driver with universal planes and atomic modesetting turned on (DRM_IOCTL_SET_CLIENT_CAP). */
static inline int open_atomic_card(const char *driver) {
    int fd = open_card(driver);
    struct drm_set_client_cap cap = {.capability = DRM_CLIENT_CAP_UNIVERSAL_PLANES, .value = 1};
    xioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, &cap, "DRM_CLIENT_CAP_UNIVERSAL_PLANES");
    cap.capability = DRM_CLIENT_CAP_ATOMIC;
    xioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, &cap, "DRM_CLIENT_CAP_ATOMIC");
    return fd;
}

/* The id of the property called name on an object, and its current value; exits when it has none. */
static inline uint32_t property(int fd, uint32_t object, uint32_t type, const char *name, uint64_t *value) {
    uint32_t ids[64];
    uint64_t values[64];
    struct drm_mode_obj_get_properties get = {.obj_id = object, .obj_type = type, .count_props = 64,
                                              .props_ptr = (uintptr_t) ids, .prop_values_ptr = (uintptr_t) values};
    xioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &get, "DRM_IOCTL_MODE_OBJ_GETPROPERTIES");
    for (uint32_t i = 0; i < get.count_props && i < 64; i++) {
        struct drm_mode_get_property prop = {.prop_id = ids[i]};
        xioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, &prop, "DRM_IOCTL_MODE_GETPROPERTY");
        if (strcmp(prop.name, name) == 0) {
            if (value) *value = values[i];
            return ids[i];
        }
    }
    fprintf(stderr, "object %u has no property %s\n", object, name);
    exit(1);
}
#endif

#endif
