package io.zeroframe.drm;

/**
 * What {@code DRM_IOCTL_VERSION} says about a DRM driver.
 *
 * @param name        the driver's name, e.g. {@code virtio_gpu}, {@code vgem}, {@code i915}
 * @param description the driver's description, e.g. {@code "Virtual GEM provider"}
 * @param date        the driver's date string (often {@code "0"} in current kernels)
 * @param major       driver version
 * @param minor       driver version
 * @param patch       driver version
 */
public record DrmVersion(String name, String description, String date, int major, int minor, int patch) {
    /** {@code major.minor.patch}. */
    public String number() {
        return major + "." + minor + "." + patch;
    }
}
