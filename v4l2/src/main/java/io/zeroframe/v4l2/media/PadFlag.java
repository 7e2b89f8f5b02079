package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.media.media_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/** Pad flags ({@code media_v2_pad.flags}, {@code MEDIA_PAD_FL_*}). */
public enum PadFlag {
    /** {@code MEDIA_PAD_FL_SINK}: data flows into the entity here. */
    SINK(media_h.MEDIA_PAD_FL_SINK()),
    /** {@code MEDIA_PAD_FL_SOURCE}: data flows out of the entity here. */
    SOURCE(media_h.MEDIA_PAD_FL_SOURCE()),
    /** {@code MEDIA_PAD_FL_MUST_CONNECT}: streaming needs an enabled link on this pad. */
    MUST_CONNECT(media_h.MEDIA_PAD_FL_MUST_CONNECT());

    private final int bit;

    PadFlag(int bit) {
        this.bit = bit;
    }

    /** The kernel's {@code MEDIA_PAD_FL_*} bit. */
    public int bit() {
        return bit;
    }

    /** The flags {@code bits} names; {@link #unknown} keeps the rest. */
    static Set<PadFlag> decode(int bits) {
        return Bits.decode(PadFlag.class, bits, PadFlag::bit);
    }

    /** The bits of {@code bits} that no constant names (a newer kernel's), kept visible rather than dropped. */
    static int unknown(int bits) {
        return (int) Bits.unknown(PadFlag.class, bits, PadFlag::bit);
    }
}
