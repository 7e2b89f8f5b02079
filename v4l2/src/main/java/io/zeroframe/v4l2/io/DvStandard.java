package io.zeroframe.v4l2.io;

import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/** The standards a set of DV timings belongs to ({@code V4L2_DV_BT_STD_*}). */
public enum DvStandard {
    CEA861(videodev2_h.V4L2_DV_BT_STD_CEA861()),
    DMT(videodev2_h.V4L2_DV_BT_STD_DMT()),
    CVT(videodev2_h.V4L2_DV_BT_STD_CVT()),
    GTF(videodev2_h.V4L2_DV_BT_STD_GTF()),
    SDI(videodev2_h.V4L2_DV_BT_STD_SDI());

    private final int bit;

    DvStandard(int bit) {
        this.bit = bit;
    }

    /** The kernel's bit. */
    public int bit() {
        return bit;
    }

    /** The flags set in {@code bits}. */
    public static Set<DvStandard> decode(int bits) {
        return Bits.decode(DvStandard.class, bits, DvStandard::bit);
    }

    /** The bits of the flags in {@code set}. */
    public static int encode(Set<DvStandard> set) {
        int bits = 0;
        for (DvStandard s : set) {
            bits |= s.bit;
        }
        return bits;
    }
}
