package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.PixelFormat;
import java.util.List;
import java.util.Objects;

/**
 * One format an endpoint takes, with the modifiers it takes it in (in its order of preference; a V4L2 queue or
 * a plane without {@code IN_FORMATS} offers only {@link Modifier#LINEAR}) and its limits for that format.
 *
 * @param format    the pixel format
 * @param modifiers the modifiers, most preferred first; not empty
 * @param limits    what a buffer of this format must meet for this endpoint
 */
public record FormatOffer(PixelFormat format, List<Modifier> modifiers, FormatLimits limits) {
    public FormatOffer {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(limits, "limits");
        modifiers = List.copyOf(modifiers);
        if (modifiers.isEmpty()) {
            throw new IllegalArgumentException(format + ": no modifiers (offer LINEAR for a linear-only endpoint)");
        }
    }

    /** {@code format} in {@link Modifier#LINEAR} only, with {@code limits}. */
    public static FormatOffer linear(PixelFormat format, FormatLimits limits) {
        return new FormatOffer(format, List.of(Modifier.LINEAR), limits);
    }

    /** {@code format} in {@link Modifier#LINEAR} only, without limits. */
    public static FormatOffer linear(PixelFormat format) {
        return linear(format, FormatLimits.NONE);
    }

    /**
     * Whether a buffer laid out as {@code produced} can be read as this offer's format: the same format; the same
     * layout in separate buffers ({@code NV12M} for {@code NV12}) where the limits allow separate planes; or
     * {@code ARGB8888} read as {@code XRGB8888} (the same bytes, alpha ignored: a plane taking XR24 shows an
     * AR24 camera's buffer registered as XR24).
     */
    public boolean reads(PixelFormat produced) {
        if (produced.equals(format)) {
            return true;
        }
        if (produced.isMultiPlanar() && produced.contiguous().equals(format)) {
            return limits.separatePlanes();
        }
        return produced.equals(PixelFormat.ARGB8888) && format.equals(PixelFormat.XRGB8888);
    }

    /** E.g. {@code NV12 [INTEL:Y_TILED, LINEAR]}. */
    @Override
    public String toString() {
        return format + " " + modifiers;
    }

}
