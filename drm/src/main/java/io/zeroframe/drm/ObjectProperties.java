package io.zeroframe.drm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The properties of one KMS object by name, with their values as {@code DRM_IOCTL_MODE_OBJ_GETPROPERTIES} read
 * them: an immutable snapshot.
 *
 * @param object the object they belong to
 * @param byName in the kernel's order; immutable
 */
public record ObjectProperties(ObjectId object, Map<String, PropertyValue> byName) {
    public ObjectProperties {
        byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    }

    /** The property called {@code name}, with its value. */
    public Optional<PropertyValue> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The value of the property called {@code name}. */
    public OptionalLong value(String name) {
        PropertyValue value = byName.get(name);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value.value());
    }

    /**
     * The property called {@code name}.
     *
     * @throws IllegalArgumentException naming the object, the property and the names it has
     */
    public PropertyValue require(String name) {
        PropertyValue value = byName.get(name);
        if (value == null) {
            throw new IllegalArgumentException(object + " has no property \"" + name + "\"; it has "
                    + byName.keySet());
        }
        return value;
    }
}
