package io.zeroframe.heaps;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Bytes a test writes into every row of every plane of a frame, pitch padding included, through CPU mappings of
 * its dma-bufs (bracketed by {@code DMA_BUF_IOCTL_SYNC}), and reads back: a byte at the wrong offset, pitch or
 * plane shows up as a mismatch. Mappings live in a confined arena closed before returning.
 */
final class FramePattern {
    private FramePattern() {}

    /** Writes the pattern of {@code seed} into every plane of {@code frame}. */
    static void write(Frame frame, int seed) throws KernelException {
        visit(frame, Access.WRITE, (plane, row, column, pixels, at) -> {
            pixels.set(JAVA_BYTE, at, expected(seed, plane, row, column));
            return true;
        });
    }

    /** The first byte that is not the pattern of {@code seed}, named by plane, row and column; empty if none. */
    static Optional<String> mismatch(Frame frame, int seed) throws KernelException {
        String[] first = new String[1];
        visit(frame, Access.READ, (plane, row, column, pixels, at) -> {
            byte want = expected(seed, plane, row, column);
            byte got = pixels.get(JAVA_BYTE, at);
            if (got != want) {
                first[0] = "plane " + plane + " row " + row + " byte " + column + ": " + got + " instead of " + want;
                return false;
            }
            return true;
        });
        return Optional.ofNullable(first[0]);
    }

    /** Whether {@code frame}'s planes sit exactly where {@code layout} puts them; the difference if not. */
    static Optional<String> layoutMismatch(Frame frame, FrameLayout layout) {
        for (int i = 0; i < layout.planes().size(); i++) {
            FrameLayout.Plane want = layout.plane(i);
            Frame.Plane got = frame.plane(i);
            if (got.offset() != want.offset() || got.pitch() != want.pitch() || got.length() != want.size()
                    || got.buffer() != frame.buffers().get(want.buffer())) {
                return Optional.of("plane " + i + ": " + got + " where the layout says " + want);
            }
        }
        return Optional.empty();
    }

    private static byte expected(int seed, int plane, long row, long column) {
        return (byte) (seed + plane * 89 + row * 7 + column * 13);
    }

    @FunctionalInterface
    private interface ByteVisitor {
        boolean visit(int plane, long row, long column, MemorySegment pixels, long at);
    }

    private static void visit(Frame frame, Access access, ByteVisitor visitor) throws KernelException {
        Map<DmaBuf, MemorySegment> mapped = new IdentityHashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            for (DmaBuf buffer : frame.buffers()) {
                mapped.put(buffer, buffer.map(arena, access));
            }
            for (int p = 0; p < frame.planes().size(); p++) {
                Frame.Plane plane = frame.plane(p);
                MemorySegment pixels = mapped.get(plane.buffer());
                try (CpuAccess bracket = plane.buffer().cpuAccess(access)) {
                    for (long row = 0; row < plane.length() / plane.pitch(); row++) {
                        for (long column = 0; column < plane.pitch(); column++) {
                            if (!visitor.visit(p, row, column, pixels, plane.offset() + row * plane.pitch() + column)) {
                                return;
                            }
                        }
                    }
                }
            }
        }
    }
}
