package io.zeroframe.drm;

/**
 * The id of a framebuffer (a KMS object id, unique on its device; the kernel never reuses a live one).
 *
 * @param value the kernel's object id, never 0
 */
public record FramebufferId(int value) implements ObjectId {
    public FramebufferId {
        if (value == 0) {
            throw new IllegalArgumentException("framebuffer id 0 is not an object");
        }
    }

    @Override
    public ObjectType type() {
        return ObjectType.FRAMEBUFFER;
    }

    @Override
    public String toString() {
        return "framebuffer " + Integer.toUnsignedString(value);
    }
}
