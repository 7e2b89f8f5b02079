package io.zeroframe.drm;

/**
 * The id of a blob (a KMS object id, unique on its device; the kernel never reuses a live one).
 *
 * @param value the kernel's object id, never 0
 */
public record BlobId(int value) implements ObjectId {
    public BlobId {
        if (value == 0) {
            throw new IllegalArgumentException("blob id 0 is not an object");
        }
    }

    @Override
    public ObjectType type() {
        return ObjectType.BLOB;
    }

    @Override
    public String toString() {
        return "blob " + Integer.toUnsignedString(value);
    }
}
