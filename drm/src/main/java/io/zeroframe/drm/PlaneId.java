package io.zeroframe.drm;

/**
 * The id of a plane (a KMS object id, unique on its device; the kernel never reuses a live one).
 *
 * @param value the kernel's object id, never 0
 */
public record PlaneId(int value) implements ObjectId {
    public PlaneId {
        if (value == 0) {
            throw new IllegalArgumentException("plane id 0 is not an object");
        }
    }

    @Override
    public ObjectType type() {
        return ObjectType.PLANE;
    }

    @Override
    public String toString() {
        return "plane " + Integer.toUnsignedString(value);
    }
}
