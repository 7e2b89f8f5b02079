package io.zeroframe.drm;

/**
 * The id of a property (a KMS object id, unique on its device; the kernel never reuses a live one).
 *
 * @param value the kernel's object id, never 0
 */
public record PropertyId(int value) implements ObjectId {
    public PropertyId {
        if (value == 0) {
            throw new IllegalArgumentException("property id 0 is not an object");
        }
    }

    @Override
    public ObjectType type() {
        return ObjectType.PROPERTY;
    }

    @Override
    public String toString() {
        return "property " + Integer.toUnsignedString(value);
    }
}
