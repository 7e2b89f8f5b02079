package io.zeroframe.v4l2.media;

import io.zeroframe.bindings.media.media_h;

/** What a link joins ({@code MEDIA_LNK_FL_LINK_TYPE} bits of {@code media_v2_link.flags}). */
public enum LinkKind {
    /** {@code MEDIA_LNK_FL_DATA_LINK}: a source pad to a sink pad; data flows over it when enabled. */
    DATA(media_h.MEDIA_LNK_FL_DATA_LINK()),
    /** {@code MEDIA_LNK_FL_INTERFACE_LINK}: an interface (a device node) to the entity it controls. */
    INTERFACE(media_h.MEDIA_LNK_FL_INTERFACE_LINK()),
    /** {@code MEDIA_LNK_FL_ANCILLARY_LINK}: an entity to one that serves it (a lens or flash to its sensor). */
    ANCILLARY(media_h.MEDIA_LNK_FL_ANCILLARY_LINK()),
    /** A link type this enum does not know. */
    OTHER(-1);

    static final int MASK = media_h.MEDIA_LNK_FL_LINK_TYPE();

    private final int value;

    LinkKind(int value) {
        this.value = value;
    }

    /** The kind of a link with flags {@code flags}. */
    static LinkKind of(int flags) {
        int type = flags & MASK;
        for (LinkKind kind : values()) {
            if (kind.value == type) {
                return kind;
            }
        }
        return OTHER;
    }
}
