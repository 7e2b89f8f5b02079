package io.zeroframe.drm;

import java.util.Objects;

/**
 * A property of one object with its value when the object was read.
 *
 * @param property the definition
 * @param value    the raw 64-bit value (an id for blob and object properties)
 */
public record PropertyValue(Property property, long value) {
    public PropertyValue {
        Objects.requireNonNull(property, "property");
    }

    /** For an enum property, the name of the current value, else the number. */
    public String display() {
        if (property.kind() == PropertyKind.ENUM) {
            for (Property.EnumValue e : property.enums()) {
                if (e.value() == value) {
                    return e.name();
                }
            }
        }
        return Long.toUnsignedString(value);
    }
}
