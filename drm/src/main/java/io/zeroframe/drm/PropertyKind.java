package io.zeroframe.drm;

/**
 * What values a property takes ({@code DRM_MODE_PROP_RANGE}, {@code _SIGNED_RANGE}, {@code _ENUM},
 * {@code _BITMASK}, {@code _BLOB}, {@code _OBJECT} in drm_mode.h).
 */
public enum PropertyKind {
    /** An unsigned value between {@link Property#min()} and {@link Property#max()}. */
    RANGE,
    /** A signed value between {@link Property#min()} and {@link Property#max()}. */
    SIGNED_RANGE,
    /** One of {@link Property#enums()}' values. */
    ENUM,
    /** A set of {@link Property#enums()}' bits (each enum's value is a bit position). */
    BITMASK,
    /** The id of a property blob, 0 for none. */
    BLOB,
    /** The id of a KMS object (a CRTC, a framebuffer), 0 for none. */
    OBJECT
}
