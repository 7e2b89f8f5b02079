package io.zeroframe.dmabuf.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Fixed-size, NUL-terminated kernel name fields ({@code DMA_BUF_NAME_LEN}, {@code sync_merge_data.name}). */
public final class Names {
    private Names() {}

    /**
     * The UTF-8 bytes of {@code name}, checked to fit a {@code capacity}-byte field with its terminating NUL.
     *
     * @param what names the field in the message, e.g. {@code "dma-buf name (DMA_BUF_NAME_LEN 32)"}
     * @throws IllegalArgumentException if {@code name} is too long or contains a NUL
     */
    public static byte[] encode(String name, int capacity, String what) {
        Objects.requireNonNull(name, "name");
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > capacity - 1) {
            throw new IllegalArgumentException(what + ": \"" + name + "\" is " + bytes.length
                    + " bytes in UTF-8, at most " + (capacity - 1) + " fit");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + ": must not contain NUL: \"" + name + "\"");
        }
        return bytes;
    }

    /** The NUL-terminated string at the start of a fixed-size field. */
    public static String decode(MemorySegment field) {
        long length = 0;
        while (length < field.byteSize() && field.get(JAVA_BYTE, length) != 0) {
            length++;
        }
        return new String(field.asSlice(0, length).toArray(JAVA_BYTE),
                StandardCharsets.UTF_8);
    }
}
