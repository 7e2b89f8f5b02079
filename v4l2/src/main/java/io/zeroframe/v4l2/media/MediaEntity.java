package io.zeroframe.v4l2.media;

import java.util.Set;

/**
 * An entity of a media graph ({@code struct media_v2_entity}): a sensor, a processing block, a DMA engine behind a
 * video node. Immutable; part of a {@link MediaTopology} snapshot.
 *
 * @param id           its id in the graph
 * @param name         its name, unique within the device (e.g. "Sensor A")
 * @param function     its main function, {@link EntityFunction#OTHER} for one this library does not know
 * @param functionCode the kernel's {@code MEDIA_ENT_F_*} value, kept whatever {@code function} is
 * @param flags        the {@code MEDIA_ENT_FL_*} flags
 * @param unknownFlags flag bits no {@link EntityFlag} names
 */
public record MediaEntity(EntityId id, String name, EntityFunction function, int functionCode, Set<EntityFlag> flags,
                          int unknownFlags) {
    public MediaEntity {
        flags = Set.copyOf(flags);
    }

    @Override
    public String toString() {
        return "entity " + id + " \"" + name + "\"";
    }
}
