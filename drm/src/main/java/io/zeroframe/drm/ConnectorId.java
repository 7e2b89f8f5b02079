package io.zeroframe.drm;

/**
 * The id of a connector (a KMS object id, unique on its device; the kernel never reuses a live one).
 *
 * @param value the kernel's object id, never 0
 */
public record ConnectorId(int value) implements ObjectId {
    public ConnectorId {
        if (value == 0) {
            throw new IllegalArgumentException("connector id 0 is not an object");
        }
    }

    @Override
    public ObjectType type() {
        return ObjectType.CONNECTOR;
    }

    @Override
    public String toString() {
        return "connector " + Integer.toUnsignedString(value);
    }
}
