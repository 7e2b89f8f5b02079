package io.zeroframe.drm;

import java.nio.file.Path;

/**
 * What {@code DRM_IOCTL_VERSION} says about a DRM device.
 *
 * @param path         the node, e.g. {@code /dev/dri/card0}
 * @param driver       the driver's name, e.g. {@code virtio_gpu}, {@code vgem}, {@code i915}
 * @param description  the driver's description
 * @param date         the driver's date string (often {@code "0"} in current kernels)
 * @param versionMajor driver version
 * @param versionMinor driver version
 * @param versionPatch driver version
 */
public record DrmDeviceInfo(Path path, String driver, String description, String date,
                            int versionMajor, int versionMinor, int versionPatch) {}
