package io.zeroframe.drm;

import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A plane as {@code DRM_IOCTL_MODE_GETPLANE} and its properties described it: what it can scan out, in which
 * layouts, on which CRTCs.
 *
 * <p>{@link #modifiers()} comes from the {@code IN_FORMATS} blob. A plane without {@code IN_FORMATS}
 * ({@link #hasInFormats()} false) accepts its formats linear or with an implicit, driver-chosen layout: each
 * format then maps to {@link Modifier#LINEAR} alone.
 *
 * @param id            its id
 * @param type          primary, overlay or cursor
 * @param possibleCrtcs the CRTCs it can be attached to
 * @param crtc          the CRTC it is on now
 * @param framebuffer   the framebuffer it scans out now
 * @param formats       the formats it accepts, in the kernel's order
 * @param modifiers     format to the modifiers it accepts with that format
 * @param hasInFormats  whether the plane has an {@code IN_FORMATS} property
 * @param properties    its properties by name, with values
 */
public record Plane(PlaneId id, PlaneType type, List<CrtcId> possibleCrtcs, Optional<CrtcId> crtc,
                    Optional<FramebufferId> framebuffer, List<DrmFormat> formats,
                    Map<DrmFormat, List<Modifier>> modifiers, boolean hasInFormats, ObjectProperties properties) {
    public Plane {
        possibleCrtcs = List.copyOf(possibleCrtcs);
        formats = List.copyOf(formats);
        Map<DrmFormat, List<Modifier>> copy = new LinkedHashMap<>();
        modifiers.forEach((format, list) -> copy.put(format, List.copyOf(list)));
        modifiers = Collections.unmodifiableMap(copy);
    }

    /** The modifiers the plane accepts with {@code format}; empty if it does not take the format. */
    public List<Modifier> modifiers(DrmFormat format) {
        return modifiers.getOrDefault(format, List.of());
    }

    /** Whether the plane scans out {@code format} with {@code modifier}. */
    public boolean supports(PixelFormat format, Modifier modifier) {
        return modifiers(DrmFormat.of(format)).contains(modifier);
    }

    /** Whether the plane can be attached to {@code crtc}. */
    public boolean canUse(CrtcId crtc) {
        return possibleCrtcs.contains(crtc);
    }
}
