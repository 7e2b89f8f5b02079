package io.zeroframe.v4l2.io;

import io.zeroframe.v4l2.VideoCapability;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.ToLongFunction;

/** Decoding kernel bit fields into enum sets (what {@link VideoCapability#decode} does, for the smaller enums). */
final class Bits {
    private Bits() {}

    static <E extends Enum<E>> Set<E> decode(Class<E> type, long bits, ToLongFunction<E> bit) {
        EnumSet<E> set = EnumSet.noneOf(type);
        for (E e : type.getEnumConstants()) {
            if ((bits & bit.applyAsLong(e)) != 0) {
                set.add(e);
            }
        }
        return Collections.unmodifiableSet(set);
    }

    static <E extends Enum<E>> long unknown(Class<E> type, long bits, ToLongFunction<E> bit) {
        long known = 0;
        for (E e : type.getEnumConstants()) {
            known |= bit.applyAsLong(e);
        }
        return bits & ~known;
    }

    static <E extends Enum<E>> Set<E> copy(Class<E> type, Set<E> set) {
        return set.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(set));
    }
}
