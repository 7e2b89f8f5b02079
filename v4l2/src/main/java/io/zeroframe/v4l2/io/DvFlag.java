package io.zeroframe.v4l2.io;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/** Flags of DV timings ({@code V4L2_DV_FL_*} of {@code v4l2_bt_timings.flags}). */
public enum DvFlag {
    REDUCED_BLANKING(videodev2_h.V4L2_DV_FL_REDUCED_BLANKING()),
    CAN_REDUCE_FPS(videodev2_h.V4L2_DV_FL_CAN_REDUCE_FPS()),
    REDUCED_FPS(videodev2_h.V4L2_DV_FL_REDUCED_FPS()),
    HALF_LINE(videodev2_h.V4L2_DV_FL_HALF_LINE()),
    IS_CE_VIDEO(videodev2_h.V4L2_DV_FL_IS_CE_VIDEO()),
    FIRST_FIELD_EXTRA_LINE(videodev2_h.V4L2_DV_FL_FIRST_FIELD_EXTRA_LINE()),
    HAS_PICTURE_ASPECT(videodev2_h.V4L2_DV_FL_HAS_PICTURE_ASPECT()),
    HAS_CEA861_VIC(videodev2_h.V4L2_DV_FL_HAS_CEA861_VIC()),
    HAS_HDMI_VIC(videodev2_h.V4L2_DV_FL_HAS_HDMI_VIC()),
    CAN_DETECT_REDUCED_FPS(videodev2_h.V4L2_DV_FL_CAN_DETECT_REDUCED_FPS());

    private final int bit;

    DvFlag(int bit) {
        this.bit = bit;
    }

    /** The kernel's bit. */
    public int bit() {
        return bit;
    }

    /** The flags set in {@code bits}. */
    public static Set<DvFlag> decode(int bits) {
        return Bits.decode(DvFlag.class, bits, DvFlag::bit);
    }

    /** The bits of {@code bits} no constant names. */
    public static int unknownBits(int bits) {
        return (int) Bits.unknown(DvFlag.class, Integer.toUnsignedLong(bits), DvFlag::bit);
    }

    /** The bits of the flags in {@code set}. */
    public static int encode(Set<DvFlag> set) {
        int bits = 0;
        for (DvFlag f : set) {
            bits |= f.bit;
        }
        return bits;
    }
}
