package io.zeroframe.drm;

/** Flags of a property besides its kind. */
public enum PropertyFlag {
    /** {@code DRM_MODE_PROP_IMMUTABLE}: the kernel sets it; userspace may not. */
    IMMUTABLE,
    /** {@code DRM_MODE_PROP_ATOMIC}: only visible to atomic clients. */
    ATOMIC,
    /** {@code DRM_MODE_PROP_PENDING}: legacy, unused by current kernels. */
    PENDING
}
