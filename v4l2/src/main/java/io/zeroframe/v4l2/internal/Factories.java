package io.zeroframe.v4l2.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Constructors the module's packages keep from its users, handed across packages (the JDK's "shared secrets"
 * idiom): a feature class registers its factory when it is initialised, {@code VideoDevice} asks for an instance.
 * The package is not exported, so nothing outside the module reaches them.
 */
public final class Factories {
    private static final Map<Class<?>, Function<VideoNode, ?>> FACTORIES = new ConcurrentHashMap<>();

    private Factories() {}

    /** Called from {@code type}'s static initialiser. */
    public static <T> void register(Class<T> type, Function<VideoNode, T> factory) {
        FACTORIES.put(type, factory);
    }

    /** A new {@code type} for {@code node}, initialising {@code type} (and so registering its factory) first. */
    public static <T> T create(Class<T> type, VideoNode node) {
        Function<VideoNode, ?> factory = FACTORIES.get(type);
        if (factory == null) {
            try {
                Class.forName(type.getName(), true, type.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            factory = FACTORIES.get(type);
            if (factory == null) {
                throw new IllegalStateException(type.getName() + " registers no factory in its static initialiser");
            }
        }
        return type.cast(factory.apply(node));
    }
}
