package io.zeroframe.drm;

import io.zeroframe.dmabuf.Modifier;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a plane's {@code IN_FORMATS} blob: {@code struct drm_format_modifier_blob} (version 1: flags,
 * count_formats, formats_offset, count_modifiers, modifiers_offset), then the fourcc array and the
 * {@code struct drm_format_modifier} array (a 64-bit mask of formats starting at {@code offset}, and the modifier).
 *
 * <p>The kernel extends this blob compatibly (a newer version keeps version 1's fields where they are and finds its
 * arrays by their offsets), so a newer version is read as far as version 1 describes it: its formats and modifiers.
 * Whatever else it holds stays readable: the plane's {@code IN_FORMATS} property names the blob, and
 * {@link DrmDevice#blob} reads all of it.
 */
final class InFormatsBlob {
    static final int FORMAT_BLOB_CURRENT = 1;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final int HEADER = 24;
    private static final int MODIFIER_SIZE = 24;

    private InFormatsBlob() {}

    /**
     * Format to modifiers, formats in the blob's order and each format's modifiers in the blob's order.
     *
     * @throws IllegalArgumentException for a blob that is too short, of version 0, or whose arrays lie outside it
     *         (the message says which)
     */
    static Map<DrmFormat, List<Modifier>> parse(byte[] blob) {
        MemorySegment data = MemorySegment.ofArray(blob);
        if (blob.length < HEADER) {
            throw new IllegalArgumentException("IN_FORMATS blob of " + blob.length + " bytes: shorter than its "
                    + HEADER + "-byte header");
        }
        int version = data.get(U32, 0);
        if (version < FORMAT_BLOB_CURRENT) { // unsigned: 0 and above 2^31 alike are no version the kernel wrote
            throw new IllegalArgumentException("IN_FORMATS blob version " + Integer.toUnsignedString(version)
                    + ": versions start at " + FORMAT_BLOB_CURRENT);
        }
        long formatCount = Integer.toUnsignedLong(data.get(U32, 8));
        long formatsOffset = Integer.toUnsignedLong(data.get(U32, 12));
        long modifierCount = Integer.toUnsignedLong(data.get(U32, 16));
        long modifiersOffset = Integer.toUnsignedLong(data.get(U32, 20));
        if (formatsOffset + 4 * formatCount > blob.length || modifiersOffset + MODIFIER_SIZE * modifierCount > blob.length) {
            throw new IllegalArgumentException("IN_FORMATS blob of " + blob.length + " bytes: " + formatCount
                    + " formats at " + formatsOffset + " and " + modifierCount + " modifiers at " + modifiersOffset
                    + " do not fit");
        }
        List<DrmFormat> formats = new ArrayList<>();
        Map<DrmFormat, List<Modifier>> result = new LinkedHashMap<>();
        for (int i = 0; i < formatCount; i++) {
            DrmFormat format = new DrmFormat(data.get(U32, formatsOffset + 4L * i));
            formats.add(format);
            result.putIfAbsent(format, new ArrayList<>());
        }
        for (int m = 0; m < modifierCount; m++) {
            long at = modifiersOffset + (long) MODIFIER_SIZE * m;
            long mask = data.get(U64, at);
            long offset = Integer.toUnsignedLong(data.get(U32, at + 8));
            Modifier modifier = Modifier.of(data.get(U64, at + 16));
            for (int bit = 0; bit < 64; bit++) {
                long index = offset + bit;
                if ((mask & (1L << bit)) != 0 && index < formatCount) {
                    List<Modifier> list = result.get(formats.get((int) index));
                    if (!list.contains(modifier)) {
                        list.add(modifier);
                    }
                }
            }
        }
        return result;
    }
}
