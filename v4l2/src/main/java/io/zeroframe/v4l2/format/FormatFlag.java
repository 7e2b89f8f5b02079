package io.zeroframe.v4l2.format;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/**
 * Flags of a format that {@code VIDIOC_ENUM_FMT} reports ({@code V4L2_FMT_FLAG_*} in {@code v4l2_fmtdesc.flags}).
 * {@link FormatDescription#unknownFlagBits()} keeps bits this enum does not name.
 */
public enum FormatFlag {
    /** {@code V4L2_FMT_FLAG_COMPRESSED}: a compressed bitstream (FWHT, H.264, MJPEG...). */
    COMPRESSED(videodev2_h.V4L2_FMT_FLAG_COMPRESSED()),
    /** {@code V4L2_FMT_FLAG_EMULATED}: converted in software by libv4l, not produced by the hardware. */
    EMULATED(videodev2_h.V4L2_FMT_FLAG_EMULATED()),
    /** {@code V4L2_FMT_FLAG_CONTINUOUS_BYTESTREAM}: a decoder that takes the bitstream in any chunks. */
    CONTINUOUS_BYTESTREAM(videodev2_h.V4L2_FMT_FLAG_CONTINUOUS_BYTESTREAM()),
    /** {@code V4L2_FMT_FLAG_DYN_RESOLUTION}: the stream may change resolution (source-change events). */
    DYN_RESOLUTION(videodev2_h.V4L2_FMT_FLAG_DYN_RESOLUTION()),
    /** {@code V4L2_FMT_FLAG_ENC_CAP_FRAME_INTERVAL}: an encoder whose frame interval is set on its capture queue. */
    ENC_CAP_FRAME_INTERVAL(videodev2_h.V4L2_FMT_FLAG_ENC_CAP_FRAME_INTERVAL()),
    /** {@code V4L2_FMT_FLAG_CSC_COLORSPACE}: the application may choose the colorspace. */
    CSC_COLORSPACE(videodev2_h.V4L2_FMT_FLAG_CSC_COLORSPACE()),
    /** {@code V4L2_FMT_FLAG_CSC_XFER_FUNC}: the transfer function. */
    CSC_XFER_FUNC(videodev2_h.V4L2_FMT_FLAG_CSC_XFER_FUNC()),
    /** {@code V4L2_FMT_FLAG_CSC_YCBCR_ENC} (same bit as {@code CSC_HSV_ENC}): the YCbCr/HSV encoding. */
    CSC_YCBCR_ENC(videodev2_h.V4L2_FMT_FLAG_CSC_YCBCR_ENC()),
    /** {@code V4L2_FMT_FLAG_CSC_QUANTIZATION}: the quantization range. */
    CSC_QUANTIZATION(videodev2_h.V4L2_FMT_FLAG_CSC_QUANTIZATION()),
    /** {@code V4L2_FMT_FLAG_META_LINE_BASED} (Linux 6.10+): line-based metadata. */
    META_LINE_BASED(videodev2_h.V4L2_FMT_FLAG_META_LINE_BASED());

    private final int bit;

    FormatFlag(int bit) {
        this.bit = bit;
    }

    /** The kernel's bit. */
    public int bit() {
        return bit;
    }

    /** The flags set in {@code bits}. */
    public static Set<FormatFlag> decode(int bits) {
        return Bits.decode(FormatFlag.class, bits, FormatFlag::bit);
    }

    /** The bits of {@code bits} no constant names. */
    public static int unknownBits(int bits) {
        return (int) Bits.unknown(FormatFlag.class, Integer.toUnsignedLong(bits), FormatFlag::bit);
    }
}
