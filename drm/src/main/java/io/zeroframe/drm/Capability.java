package io.zeroframe.drm;

import io.zeroframe.bindings.drm.drm_h;

/** Device capabilities as {@code DRM_IOCTL_GET_CAP} reports them ({@code DRM_CAP_*} in drm.h). */
public enum Capability {
    /** {@code DRM_CAP_DUMB_BUFFER}: dumb buffers can be created (1). */
    DUMB_BUFFER(drm_h.DRM_CAP_DUMB_BUFFER()),
    /** {@code DRM_CAP_DUMB_PREFERRED_DEPTH}: the depth dumb buffers should have. */
    DUMB_PREFERRED_DEPTH(drm_h.DRM_CAP_DUMB_PREFERRED_DEPTH()),
    /** {@code DRM_CAP_DUMB_PREFER_SHADOW}: draw into a shadow buffer and copy, rather than into a dumb buffer. */
    DUMB_PREFER_SHADOW(drm_h.DRM_CAP_DUMB_PREFER_SHADOW()),
    /** {@code DRM_CAP_PRIME}: bits {@code DRM_PRIME_CAP_IMPORT} (1) and {@code DRM_PRIME_CAP_EXPORT} (2). */
    PRIME(drm_h.DRM_CAP_PRIME()),
    /** {@code DRM_CAP_TIMESTAMP_MONOTONIC}: event timestamps are CLOCK_MONOTONIC. */
    TIMESTAMP_MONOTONIC(drm_h.DRM_CAP_TIMESTAMP_MONOTONIC()),
    /** {@code DRM_CAP_ASYNC_PAGE_FLIP}: legacy page flips may be asynchronous (tearing). */
    ASYNC_PAGE_FLIP(drm_h.DRM_CAP_ASYNC_PAGE_FLIP()),
    /** {@code DRM_CAP_CURSOR_WIDTH}: the cursor plane's width. */
    CURSOR_WIDTH(drm_h.DRM_CAP_CURSOR_WIDTH()),
    /** {@code DRM_CAP_CURSOR_HEIGHT}: the cursor plane's height. */
    CURSOR_HEIGHT(drm_h.DRM_CAP_CURSOR_HEIGHT()),
    /** {@code DRM_CAP_ADDFB2_MODIFIERS}: {@code DRM_IOCTL_MODE_ADDFB2} takes {@code DRM_MODE_FB_MODIFIERS}. */
    ADDFB2_MODIFIERS(drm_h.DRM_CAP_ADDFB2_MODIFIERS()),
    /** {@code DRM_CAP_PAGE_FLIP_TARGET}: page flips may name their target vblank. */
    PAGE_FLIP_TARGET(drm_h.DRM_CAP_PAGE_FLIP_TARGET()),
    /** {@code DRM_CAP_CRTC_IN_VBLANK_EVENT}: vblank and flip events carry the CRTC id. */
    CRTC_IN_VBLANK_EVENT(drm_h.DRM_CAP_CRTC_IN_VBLANK_EVENT()),
    /** {@code DRM_CAP_SYNCOBJ}: DRM sync objects. */
    SYNCOBJ(drm_h.DRM_CAP_SYNCOBJ()),
    /** {@code DRM_CAP_SYNCOBJ_TIMELINE}: timeline sync objects. */
    SYNCOBJ_TIMELINE(drm_h.DRM_CAP_SYNCOBJ_TIMELINE());

    private final int code;

    Capability(int code) {
        this.code = code;
    }

    /** The kernel's {@code DRM_CAP_*} value. */
    public int code() {
        return code;
    }
}
