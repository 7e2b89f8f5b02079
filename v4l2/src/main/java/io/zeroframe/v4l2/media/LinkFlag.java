package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.media.media_h;
import io.zeroframe.v4l2.internal.Bits;
import java.util.Set;

/** Link flags ({@code media_v2_link.flags} below the link type, {@code MEDIA_LNK_FL_*}). */
public enum LinkFlag {
    /** {@code MEDIA_LNK_FL_ENABLED}: data flows over the link. */
    ENABLED(media_h.MEDIA_LNK_FL_ENABLED()),
    /** {@code MEDIA_LNK_FL_IMMUTABLE}: the link is always enabled; {@code MEDIA_IOC_SETUP_LINK} cannot change it. */
    IMMUTABLE(media_h.MEDIA_LNK_FL_IMMUTABLE()),
    /** {@code MEDIA_LNK_FL_DYNAMIC}: the link may change state while streaming. */
    DYNAMIC(media_h.MEDIA_LNK_FL_DYNAMIC());

    private final int bit;

    LinkFlag(int bit) {
        this.bit = bit;
    }

    /** The kernel's {@code MEDIA_LNK_FL_*} bit. */
    public int bit() {
        return bit;
    }

    /** The flags {@code bits} names; {@link #unknown} keeps the rest. */
    static Set<LinkFlag> decode(int bits) {
        return Bits.decode(LinkFlag.class, bits, LinkFlag::bit);
    }

    /** The bits of {@code bits} that no constant names (a newer kernel's), kept visible rather than dropped. */
    static int unknown(int bits) {
        return (int) Bits.unknown(LinkFlag.class, bits, LinkFlag::bit);
    }
}
