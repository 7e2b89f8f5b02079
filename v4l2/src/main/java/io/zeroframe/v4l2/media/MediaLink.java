package io.zeroframe.v4l2.media;

import java.util.Set;

/**
 * A link of a media graph ({@code struct media_v2_link}). A {@link LinkKind#DATA} link joins a source pad to a sink
 * pad; an {@link LinkKind#INTERFACE} link joins an interface (device node) to its entity; an
 * {@link LinkKind#ANCILLARY} link joins an entity to one serving it. The ends are the kernel's object ids, typed by
 * the accessors that fit the kind. Immutable.
 *
 * @param id           its id in the graph
 * @param kind         what it joins
 * @param sourceId     the id of its source: a pad, an interface or an entity by {@code kind}
 * @param sinkId       the id of its sink: a pad or an entity by {@code kind}
 * @param flags        {@code MEDIA_LNK_FL_ENABLED}, {@code _IMMUTABLE}, {@code _DYNAMIC}
 * @param unknownFlags flag bits (below the link type) no {@link LinkFlag} names
 */
public record MediaLink(LinkId id, LinkKind kind, int sourceId, int sinkId, Set<LinkFlag> flags, int unknownFlags) {
    public MediaLink {
        flags = Set.copyOf(flags);
    }

    /** Whether data flows over it (an interface link is always enabled). */
    public boolean isEnabled() {
        return flags.contains(LinkFlag.ENABLED);
    }

    /** Whether {@code MEDIA_IOC_SETUP_LINK} cannot change it. */
    public boolean isImmutable() {
        return flags.contains(LinkFlag.IMMUTABLE);
    }

    /**
     * The source pad of a data link.
     *
     * @throws IllegalStateException for another kind of link
     */
    public PadId sourcePad() {
        requireData();
        return new PadId(sourceId);
    }

    /**
     * The sink pad of a data link.
     *
     * @throws IllegalStateException for another kind of link
     */
    public PadId sinkPad() {
        requireData();
        return new PadId(sinkId);
    }

    /**
     * The interface of an interface link.
     *
     * @throws IllegalStateException for another kind of link
     */
    public InterfaceId sourceInterface() {
        if (kind != LinkKind.INTERFACE) {
            throw new IllegalStateException("link " + id + " is a " + kind + " link, not an interface link");
        }
        return new InterfaceId(sourceId);
    }

    /**
     * The entity an interface link controls.
     *
     * @throws IllegalStateException for another kind of link
     */
    public EntityId sinkEntity() {
        if (kind == LinkKind.DATA) {
            throw new IllegalStateException("link " + id + " is a data link: its sink is a pad");
        }
        return new EntityId(sinkId);
    }

    private void requireData() {
        if (kind != LinkKind.DATA) {
            throw new IllegalStateException("link " + id + " is a " + kind + " link, not a data link between pads");
        }
    }
}
