package io.zeroframe.drm;

/** A plane's role, the value of its immutable {@code "type"} enum property ({@code enum drm_plane_type}). */
public enum PlaneType {
    /** {@code DRM_PLANE_TYPE_OVERLAY} (0). */
    OVERLAY,
    /** {@code DRM_PLANE_TYPE_PRIMARY} (1): the CRTC's main plane. */
    PRIMARY,
    /** {@code DRM_PLANE_TYPE_CURSOR} (2). */
    CURSOR;

    static PlaneType of(long value) {
        return value == 1 ? PRIMARY : value == 2 ? CURSOR : OVERLAY;
    }
}
