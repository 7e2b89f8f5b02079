package io.zeroframe.drm;

/**
 * The id of a encoder (a KMS object id, unique on its device; the kernel never reuses a live one).
 *
 * @param value the kernel's object id, never 0
 */
public record EncoderId(int value) implements ObjectId {
    public EncoderId {
        if (value == 0) {
            throw new IllegalArgumentException("encoder id 0 is not an object");
        }
    }

    @Override
    public ObjectType type() {
        return ObjectType.ENCODER;
    }

    @Override
    public String toString() {
        return "encoder " + Integer.toUnsignedString(value);
    }
}
