package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.media.media_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/** Entity flags ({@code media_v2_entity.flags}, {@code MEDIA_ENT_FL_*}; reported since media API 4.19). */
public enum EntityFlag {
    /** {@code MEDIA_ENT_FL_DEFAULT}: the default entity of its kind (e.g. the default video node). */
    DEFAULT(media_h.MEDIA_ENT_FL_DEFAULT()),
    /** {@code MEDIA_ENT_FL_CONNECTOR}: a physical connector. */
    CONNECTOR(media_h.MEDIA_ENT_FL_CONNECTOR());

    private final int bit;

    EntityFlag(int bit) {
        this.bit = bit;
    }

    /** The kernel's {@code MEDIA_ENT_FL_*} bit. */
    public int bit() {
        return bit;
    }

    /** The flags {@code bits} names; {@link #unknown} keeps the rest. */
    static Set<EntityFlag> decode(int bits) {
        return Bits.decode(EntityFlag.class, bits, EntityFlag::bit);
    }

    /** The bits of {@code bits} that no constant names (a newer kernel's), kept visible rather than dropped. */
    static int unknown(int bits) {
        return (int) Bits.unknown(EntityFlag.class, bits, EntityFlag::bit);
    }
}
