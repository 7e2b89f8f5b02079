package io.zeroframe.drm;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A DRM device as discovery sees it: found through sysfs and asked through its render node, never through its
 * primary node (see {@link DrmDevices}).
 *
 * @param path        the primary node, e.g. {@code /dev/dri/card0} (not opened by discovery)
 * @param renderNode  the device's render node, e.g. {@code /dev/dri/renderD128}; empty for drivers without one
 *                    (display-only drivers such as vkms)
 * @param driver      the driver's name: {@code DRM_IOCTL_VERSION}'s on the render node when there is one; else
 *                    from sysfs: the driver bound to the parent device, or the name of a platform device that
 *                    has no bound driver (vgem and vkms register one named after themselves)
 * @param version     what {@code DRM_IOCTL_VERSION} says on the render node; empty when the device has no render
 *                    node (asking would mean opening the primary node, so the version is unknown)
 * @param sysfsDevice the device's directory in sysfs, e.g. {@code /sys/devices/platform/vkms}
 */
public record DrmDeviceInfo(Path path, Optional<Path> renderNode, String driver, Optional<DrmVersion> version,
                            Path sysfsDevice) {
    public DrmDeviceInfo {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(renderNode, "renderNode");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(sysfsDevice, "sysfsDevice");
    }
}
