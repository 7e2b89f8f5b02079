package io.zeroframe.drm;

/**
 * The id of a CRTC (a KMS object id, unique on its device; the kernel never reuses a live one).
 *
 * @param value the kernel's object id, never 0
 */
public record CrtcId(int value) implements ObjectId {
    public CrtcId {
        if (value == 0) {
            throw new IllegalArgumentException("CRTC id 0 is not an object");
        }
    }

    @Override
    public ObjectType type() {
        return ObjectType.CRTC;
    }

    @Override
    public String toString() {
        return "CRTC " + Integer.toUnsignedString(value);
    }
}
