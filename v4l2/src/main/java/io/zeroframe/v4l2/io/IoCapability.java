package io.zeroframe.v4l2.io;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/**
 * What an input or output supports ({@code V4L2_IN_CAP_*} of {@code v4l2_input.capabilities},
 * {@code V4L2_OUT_CAP_*} of {@code v4l2_output.capabilities}: the same bits).
 */
public enum IoCapability {
    /** {@code V4L2_IN_CAP_DV_TIMINGS}: digital video timings ({@code VIDIOC_S_DV_TIMINGS}), e.g. HDMI. */
    DV_TIMINGS(videodev2_h.V4L2_IN_CAP_DV_TIMINGS()),
    /** {@code V4L2_IN_CAP_STD}: analog video standards ({@code VIDIOC_S_STD}), e.g. PAL, NTSC. */
    STD(videodev2_h.V4L2_IN_CAP_STD()),
    /** {@code V4L2_IN_CAP_NATIVE_SIZE}: the native size can be set ({@code V4L2_SEL_TGT_NATIVE_SIZE}). */
    NATIVE_SIZE(videodev2_h.V4L2_IN_CAP_NATIVE_SIZE());

    private final int bit;

    IoCapability(int bit) {
        this.bit = bit;
    }

    /** The kernel's bit. */
    public int bit() {
        return bit;
    }

    /** The flags set in {@code bits}. */
    public static Set<IoCapability> decode(int bits) {
        return Bits.decode(IoCapability.class, bits, IoCapability::bit);
    }

    /** The bits of {@code bits} no constant names. */
    public static int unknownBits(int bits) {
        return (int) Bits.unknown(IoCapability.class, Integer.toUnsignedLong(bits), IoCapability::bit);
    }
}
