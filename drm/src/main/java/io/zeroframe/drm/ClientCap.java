package io.zeroframe.drm;

import io.zeroframe.bindings.drm.drm_h;

/**
 * Client capabilities a DRM file asks for once, when it is opened ({@code DRM_IOCTL_SET_CLIENT_CAP}); they change
 * what the device shows that file.
 */
public enum ClientCap {
    /** {@code DRM_CLIENT_CAP_UNIVERSAL_PLANES}: primary and cursor planes are listed with the overlays. */
    UNIVERSAL_PLANES(drm_h.DRM_CLIENT_CAP_UNIVERSAL_PLANES()),
    /** {@code DRM_CLIENT_CAP_ATOMIC}: atomic commits and the atomic-only properties; EOPNOTSUPP without driver support. */
    ATOMIC(drm_h.DRM_CLIENT_CAP_ATOMIC()),
    /** {@code DRM_CLIENT_CAP_WRITEBACK_CONNECTORS}: writeback connectors are listed; needs {@link #ATOMIC}. */
    WRITEBACK_CONNECTORS(drm_h.DRM_CLIENT_CAP_WRITEBACK_CONNECTORS()),
    /** {@code DRM_CLIENT_CAP_ASPECT_RATIO}: modes carry their picture aspect ratio. */
    ASPECT_RATIO(drm_h.DRM_CLIENT_CAP_ASPECT_RATIO());

    private final int code;

    ClientCap(int code) {
        this.code = code;
    }

    /** The kernel's {@code DRM_CLIENT_CAP_*} value. */
    public int code() {
        return code;
    }
}
