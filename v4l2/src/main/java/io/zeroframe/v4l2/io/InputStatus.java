package io.zeroframe.v4l2.io;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/** The state of an input's signal ({@code V4L2_IN_ST_*} of {@code v4l2_input.status}); no flag means "ok". */
public enum InputStatus {
    NO_POWER(videodev2_h.V4L2_IN_ST_NO_POWER()),
    NO_SIGNAL(videodev2_h.V4L2_IN_ST_NO_SIGNAL()),
    NO_COLOR(videodev2_h.V4L2_IN_ST_NO_COLOR()),
    HFLIP(videodev2_h.V4L2_IN_ST_HFLIP()),
    VFLIP(videodev2_h.V4L2_IN_ST_VFLIP()),
    NO_H_LOCK(videodev2_h.V4L2_IN_ST_NO_H_LOCK()),
    COLOR_KILL(videodev2_h.V4L2_IN_ST_COLOR_KILL()),
    NO_V_LOCK(videodev2_h.V4L2_IN_ST_NO_V_LOCK()),
    NO_STD_LOCK(videodev2_h.V4L2_IN_ST_NO_STD_LOCK()),
    NO_SYNC(videodev2_h.V4L2_IN_ST_NO_SYNC()),
    NO_EQU(videodev2_h.V4L2_IN_ST_NO_EQU()),
    NO_CARRIER(videodev2_h.V4L2_IN_ST_NO_CARRIER()),
    MACROVISION(videodev2_h.V4L2_IN_ST_MACROVISION()),
    NO_ACCESS(videodev2_h.V4L2_IN_ST_NO_ACCESS()),
    VTR(videodev2_h.V4L2_IN_ST_VTR());

    private final int bit;

    InputStatus(int bit) {
        this.bit = bit;
    }

    /** The kernel's bit. */
    public int bit() {
        return bit;
    }

    /** The flags set in {@code bits}. */
    public static Set<InputStatus> decode(int bits) {
        return Bits.decode(InputStatus.class, bits, InputStatus::bit);
    }

    /** The bits of {@code bits} no constant names. */
    public static int unknownBits(int bits) {
        return (int) Bits.unknown(InputStatus.class, Integer.toUnsignedLong(bits), InputStatus::bit);
    }
}
