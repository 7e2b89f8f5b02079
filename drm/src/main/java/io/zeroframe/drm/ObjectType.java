package io.zeroframe.drm;

import io.zeroframe.bindings.drm_mode.drm_mode_h;

/** The kinds of KMS objects ({@code DRM_MODE_OBJECT_*} in drm_mode.h). */
public enum ObjectType {
    /** {@code DRM_MODE_OBJECT_CRTC}. */
    CRTC(drm_mode_h.DRM_MODE_OBJECT_CRTC()),
    /** {@code DRM_MODE_OBJECT_CONNECTOR}. */
    CONNECTOR(drm_mode_h.DRM_MODE_OBJECT_CONNECTOR()),
    /** {@code DRM_MODE_OBJECT_ENCODER}. */
    ENCODER(drm_mode_h.DRM_MODE_OBJECT_ENCODER()),
    /** {@code DRM_MODE_OBJECT_MODE}. */
    MODE(drm_mode_h.DRM_MODE_OBJECT_MODE()),
    /** {@code DRM_MODE_OBJECT_PROPERTY}. */
    PROPERTY(drm_mode_h.DRM_MODE_OBJECT_PROPERTY()),
    /** {@code DRM_MODE_OBJECT_FB}. */
    FRAMEBUFFER(drm_mode_h.DRM_MODE_OBJECT_FB()),
    /** {@code DRM_MODE_OBJECT_BLOB}. */
    BLOB(drm_mode_h.DRM_MODE_OBJECT_BLOB()),
    /** {@code DRM_MODE_OBJECT_PLANE}. */
    PLANE(drm_mode_h.DRM_MODE_OBJECT_PLANE());

    private final int code;

    ObjectType(int code) {
        this.code = code;
    }

    /** The kernel's {@code DRM_MODE_OBJECT_*} value. */
    public int code() {
        return code;
    }

    /** The type with kernel code {@code code}, or {@code null} (e.g. {@code DRM_MODE_OBJECT_ANY}, 0). */
    static ObjectType ofCode(int code) {
        for (ObjectType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }
}
