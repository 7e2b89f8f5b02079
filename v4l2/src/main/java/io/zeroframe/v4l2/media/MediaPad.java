package io.zeroframe.v4l2.media;

import java.util.Set;

/**
 * A pad of an entity ({@code struct media_v2_pad}): where data enters ({@link PadFlag#SINK}) or leaves
 * ({@link PadFlag#SOURCE}) it. Sub-device calls address a pad by its {@code index} on its entity. Immutable.
 *
 * @param id           its id in the graph
 * @param entity       the entity it belongs to
 * @param index        its index on that entity (the {@code pad} of sub-device ioctls)
 * @param flags        the {@code MEDIA_PAD_FL_*} flags
 * @param unknownFlags flag bits no {@link PadFlag} names
 */
public record MediaPad(PadId id, EntityId entity, int index, Set<PadFlag> flags, int unknownFlags) {
    public MediaPad {
        flags = Set.copyOf(flags);
    }

    /** Whether data leaves the entity here. */
    public boolean isSource() {
        return flags.contains(PadFlag.SOURCE);
    }

    /** Whether data enters the entity here. */
    public boolean isSink() {
        return flags.contains(PadFlag.SINK);
    }
}
