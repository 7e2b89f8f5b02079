package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.v4l2_subdev.v4l2_mbus_framefmt;
import io.zeroframe.v4l2.Field;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The format on a sub-device pad ({@code struct v4l2_mbus_framefmt}): image size, media-bus code, field order and
 * colorimetry. What {@link SubDevice#format} reads and {@link SubDevice#setFormat} asks for (the driver may answer
 * with another).
 *
 * @param code             the media-bus code
 * @param width            image width in pixels
 * @param height           image height in lines
 * @param field            the field order ({@code V4L2_FIELD_*})
 * @param colorspace       {@code V4L2_COLORSPACE_*} (0 = default)
 * @param ycbcrEncoding    {@code V4L2_YCBCR_ENC_*} (or the HSV encoding for HSV codes; 0 = default)
 * @param quantization     {@code V4L2_QUANTIZATION_*} (0 = default)
 * @param transferFunction {@code V4L2_XFER_FUNC_*} (0 = default)
 * @param flags            {@code V4L2_MBUS_FRAMEFMT_*}
 */
public record MediaBusFormat(MediaBusCode code, int width, int height, Field field, int colorspace, int ycbcrEncoding,
                             int quantization, int transferFunction, int flags) {
    public MediaBusFormat {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(field, "field");
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("negative size " + width + "x" + height);
        }
        fitsU16("ycbcr_enc", ycbcrEncoding);
        fitsU16("quantization", quantization);
        fitsU16("xfer_func", transferFunction);
        fitsU16("flags", flags);
    }

    /** The kernel's field is a {@code __u16}: a value that does not fit is refused, never cut. */
    private static void fitsU16(String field, int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException("v4l2_mbus_framefmt." + field + " is 16 bits; " + value + " does not fit");
        }
    }

    /** A request for {@code code} at {@code width x height}, progressive, default colorimetry. */
    public static MediaBusFormat of(MediaBusCode code, int width, int height) {
        return new MediaBusFormat(code, width, height, Field.NONE, 0, 0, 0, 0, 0);
    }

    /** Whether {@code other} has the same code and size (what a link between two pads must agree on). */
    public boolean sameCodeAndSize(MediaBusFormat other) {
        return code.equals(other.code) && width == other.width && height == other.height;
    }

    static MediaBusFormat decode(MemorySegment f) {
        return new MediaBusFormat(new MediaBusCode(v4l2_mbus_framefmt.code(f)), v4l2_mbus_framefmt.width(f),
                v4l2_mbus_framefmt.height(f), Field.of(v4l2_mbus_framefmt.field(f)), v4l2_mbus_framefmt.colorspace(f),
                Short.toUnsignedInt(v4l2_mbus_framefmt.ycbcr_enc(f)),
                Short.toUnsignedInt(v4l2_mbus_framefmt.quantization(f)),
                Short.toUnsignedInt(v4l2_mbus_framefmt.xfer_func(f)), Short.toUnsignedInt(v4l2_mbus_framefmt.flags(f)));
    }

    void encode(MemorySegment f) {
        v4l2_mbus_framefmt.code(f, code.value());
        v4l2_mbus_framefmt.width(f, width);
        v4l2_mbus_framefmt.height(f, height);
        v4l2_mbus_framefmt.field(f, field.value());
        v4l2_mbus_framefmt.colorspace(f, colorspace);
        v4l2_mbus_framefmt.ycbcr_enc(f, (short) ycbcrEncoding);
        v4l2_mbus_framefmt.quantization(f, (short) quantization);
        v4l2_mbus_framefmt.xfer_func(f, (short) transferFunction);
        v4l2_mbus_framefmt.flags(f, (short) flags);
    }

    @Override
    public String toString() {
        return code + "/" + width + "x" + height + " field:" + field.name().toLowerCase();
    }
}
