package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.PixelFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a caller overrides the {@link Planner}'s default order of candidates: force one allocator (e.g. "the camera
 * allocates": the camera endpoint's name), put some allocators or formats first. {@link #DEFAULT} keeps the
 * planner's documented order. Immutable; each method returns a new value.
 *
 * @param forcedAllocator only candidates from the allocator (or exporting endpoint) with this name
 * @param allocatorsFirst allocators (by name) tried before the others, in this order
 * @param formatsFirst    formats tried before the producer's others, in this order
 */
public record Preference(Optional<String> forcedAllocator, List<String> allocatorsFirst,
                         List<PixelFormat> formatsFirst) {
    /** The planner's own order. */
    public static final Preference DEFAULT = new Preference(Optional.empty(), List.of(), List.of());

    public Preference {
        Objects.requireNonNull(forcedAllocator, "forcedAllocator");
        allocatorsFirst = List.copyOf(allocatorsFirst);
        formatsFirst = List.copyOf(formatsFirst);
    }

    /** Only the allocator named {@code name}: a heap's name, "udmabuf", or an exporting endpoint's name. */
    public Preference forceAllocator(String name) {
        return new Preference(Optional.of(name), allocatorsFirst, formatsFirst);
    }

    /** These allocators (by name) first, in this order, then the others in the default order. */
    public Preference allocatorsFirst(String... names) {
        return new Preference(forcedAllocator, List.of(names), formatsFirst);
    }

    /** These formats first, in this order, then the producer's others in its order. */
    public Preference formatsFirst(PixelFormat... formats) {
        return new Preference(forcedAllocator, allocatorsFirst, List.of(formats));
    }

    /** Where {@code name} ranks among the allocators put first; after all of them if it is not one. */
    int allocatorRank(String name) {
        return rank(allocatorsFirst.indexOf(name), allocatorsFirst.size());
    }

    /** Where {@code format} ranks among the formats put first; after all of them if it is not one. */
    int formatRank(PixelFormat format) {
        return rank(formatsFirst.indexOf(format), formatsFirst.size());
    }

    private static int rank(int index, int size) {
        return index < 0 ? size : index;
    }
}
