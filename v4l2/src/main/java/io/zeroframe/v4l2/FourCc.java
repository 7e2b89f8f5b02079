package io.zeroframe.v4l2;

import io.zeroframe.dmabuf.PixelFormat;
import java.util.Optional;

/**
 * A V4L2 pixel format code ({@code V4L2_PIX_FMT_*}, {@code V4L2_META_FMT_*}, {@code V4L2_SDR_FMT_*}) as the
 * kernel packs it: four characters, the first in the lowest byte, and bit 31 set for the big-endian variant
 * ({@code v4l2_fourcc_be}). Keeps codes the frame model does not know visible: {@link #toString()} prints the
 * characters ("YUYV", "Y16 -BE" like {@code v4l2-ctl}), {@link #pixelFormat()} maps known codes to the frame model.
 *
 * {@snippet :
 * FourCc yuyv = FourCc.of("YUYV");
 * PixelFormat format = yuyv.pixelFormat().orElseThrow(); // PixelFormat.YUYV
 * }
 *
 * @param value the code as the kernel's {@code pixelformat} fields hold it
 */
public record FourCc(int value) {
    private static final int BIG_ENDIAN = 1 << 31;

    /** The code for four printable ASCII characters, like the kernel's {@code v4l2_fourcc(a, b, c, d)}. */
    public static FourCc of(String name) {
        return new FourCc(io.zeroframe.dmabuf.internal.FourCc.of(name));
    }

    /** The V4L2 code of a frame-model format ({@link PixelFormat#v4l2Fourcc()}). */
    public static FourCc of(PixelFormat format) {
        return new FourCc(format.v4l2Fourcc());
    }

    /** Whether bit 31 marks this as the big-endian variant of the code in the low 31 bits. */
    public boolean isBigEndian() {
        return (value & BIG_ENDIAN) != 0;
    }

    /** The frame model's format for this code, if it knows it ({@link PixelFormat#fromV4l2(int)}). */
    public Optional<PixelFormat> pixelFormat() {
        return PixelFormat.fromV4l2(value);
    }

    /** The four characters (non-printable bytes as {@code \xNN}), with "-BE" for the big-endian variant. */
    @Override
    public String toString() {
        String name = io.zeroframe.dmabuf.internal.FourCc.name(value & ~BIG_ENDIAN);
        return isBigEndian() ? name + "-BE" : name;
    }
}
