package io.zeroframe.v4l2.internal;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Kernel bit fields as enum sets, for every flag enum of the module: the set a field's bits name (unmodifiable), the
 * bits no constant names (kept visible, never dropped), and a set's bits.
 */
public final class Bits {
    private Bits() {}

    public static <E extends Enum<E>> Set<E> decode(Class<E> type, long bits, ToLongFunction<E> bit) {
        EnumSet<E> set = EnumSet.noneOf(type);
        for (E e : type.getEnumConstants()) {
            if ((bits & bit.applyAsLong(e)) != 0) {
                set.add(e);
            }
        }
        return Collections.unmodifiableSet(set);
    }

    public static <E extends Enum<E>> long unknown(Class<E> type, long bits, ToLongFunction<E> bit) {
        long known = 0;
        for (E e : type.getEnumConstants()) {
            known |= bit.applyAsLong(e);
        }
        return bits & ~known;
    }

    public static <E extends Enum<E>> Set<E> copy(Class<E> type, Set<E> set) {
        return set.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(set));
    }
}
