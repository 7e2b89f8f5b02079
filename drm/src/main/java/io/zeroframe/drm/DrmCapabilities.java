package io.zeroframe.drm;

import io.zeroframe.bindings.drm.drm_h;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What {@code DRM_IOCTL_GET_CAP} answered for every {@link Capability}, read once when the device was opened.
 * A capability the kernel refused to report (EINVAL for an unknown one; EOPNOTSUPP for the mode-setting ones on a
 * driver without KMS, such as vgem, even where it supports dumb buffers) is absent and reads as 0.
 *
 * @param values the answers, by capability; immutable
 */
public record DrmCapabilities(Map<Capability, Long> values) {
    public DrmCapabilities {
        values = Collections.unmodifiableMap(new EnumMap<>(values.isEmpty() ? new EnumMap<>(Capability.class) : values));
    }

    /** The raw value, 0 when absent. */
    public long value(Capability capability) {
        return values.getOrDefault(capability, 0L);
    }

    /** Whether the kernel reported {@code capability} at all. */
    public boolean reported(Capability capability) {
        return values.containsKey(capability);
    }

    /** {@code DRM_CAP_DUMB_BUFFER}. */
    public boolean dumbBuffers() {
        return value(Capability.DUMB_BUFFER) != 0;
    }

    /** {@code DRM_PRIME_CAP_IMPORT} in {@code DRM_CAP_PRIME} (a driver may still refuse a given buffer). */
    public boolean primeImport() {
        return (value(Capability.PRIME) & drm_h.DRM_PRIME_CAP_IMPORT()) != 0;
    }

    /** {@code DRM_PRIME_CAP_EXPORT} in {@code DRM_CAP_PRIME}. */
    public boolean primeExport() {
        return (value(Capability.PRIME) & drm_h.DRM_PRIME_CAP_EXPORT()) != 0;
    }

    /** {@code DRM_CAP_ADDFB2_MODIFIERS}. */
    public boolean addFb2Modifiers() {
        return value(Capability.ADDFB2_MODIFIERS) != 0;
    }

    /** {@code DRM_CAP_ASYNC_PAGE_FLIP}. */
    public boolean asyncPageFlip() {
        return value(Capability.ASYNC_PAGE_FLIP) != 0;
    }

    /** {@code DRM_CAP_SYNCOBJ}. */
    public boolean syncobj() {
        return value(Capability.SYNCOBJ) != 0;
    }

    /** {@code DRM_CAP_TIMESTAMP_MONOTONIC}. */
    public boolean timestampMonotonic() {
        return value(Capability.TIMESTAMP_MONOTONIC) != 0;
    }

    /** {@code DRM_CAP_CRTC_IN_VBLANK_EVENT}. */
    public boolean crtcInVblankEvent() {
        return value(Capability.CRTC_IN_VBLANK_EVENT) != 0;
    }
}
