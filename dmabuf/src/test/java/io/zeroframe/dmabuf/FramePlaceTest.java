package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@link Frame}'s check of a plane's place in its buffer, without buffers (the whole {@code Frame.of} with real
 * dma-bufs is {@code FrameDeviceTest}).
 */
class FramePlaceTest {
    private static final Modifier X_TILED = Modifier.of(0x0100000000000001L);
    private static final long BIG = 1L << 40;

    @Test
    void aOneRowPlaneMustHoldItsRow() {
        // NV12 at height 2: one chroma row of 640 bytes
        PixelFormat.Plane chroma = PixelFormat.NV12.plane(1);
        Frame.checkPlace("", chroma, 640, 2, Modifier.LINEAR, 0, 640, 640, BIG);
        Frame.checkPlace("", chroma, 640, 2, Modifier.LINEAR, 0, 704, 640, BIG); // the last row needs no padding
        assertEquals("plane 1: length 100 is less than 1 row of pitch 640 (640 bytes)", refused("plane 1: ", chroma,
                640, 2, Modifier.LINEAR, 0, 640, 100));
        assertEquals("length 639 is less than 1 row of pitch 704 (640 bytes)", refused("", chroma, 640, 1,
                Modifier.LINEAR, 0, 704, 639));
        // and on more rows the last one still counts whole
        assertEquals("length 1343 is less than 2 rows of pitch 704 (1344 bytes)", refused("", chroma, 640, 4,
                Modifier.LINEAR, 0, 704, 1343));
        Frame.checkPlace("", chroma, 640, 4, Modifier.LINEAR, 0, 704, 1344, BIG);
    }

    @Test
    void pitchOffsetAndLengthMustFitTheKernels32BitFieldsWhateverTheModifier() {
        PixelFormat.Plane xrgb = PixelFormat.XRGB8888.plane(0);
        long pitch = (1L << 32) + 4096; // an (int) cast would make it 4096
        for (Modifier modifier : new Modifier[] {Modifier.LINEAR, X_TILED}) {
            assertEquals("pitch 4294971392 does not fit the kernel's 32-bit pitch field (at most 4294967295)",
                    refused("", xrgb, 1024, 1, modifier, 0, pitch, 4096));
            assertEquals("offset 4294967296 does not fit the kernel's 32-bit offset field (at most 4294967295)",
                    refused("", xrgb, 1024, 1, modifier, 1L << 32, 4096, 4096));
            assertEquals("length 4294967296 does not fit the kernel's 32-bit length field (at most 4294967295)",
                    refused("", xrgb, 1024, 1, modifier, 0, 4096, 1L << 32));
        }
        Frame.checkPlace("", xrgb, 1024, 1, X_TILED, 0xffff_ffffL, 0xffff_ffffL, 4096, BIG);
        Frame.checkPlace("", xrgb, 16, 16, X_TILED, 0, 128, 4096, 4096); // tiled: only the bounds
    }

    @Test
    void theOtherRefusalsKeepTheirOrderAndWords() {
        PixelFormat.Plane xrgb = PixelFormat.XRGB8888.plane(0);
        assertEquals("offset -1, pitch 256, length 4096: the offset must not be negative, the others positive",
                refused("", xrgb, 64, 16, Modifier.LINEAR, -1, 256, 4096));
        assertEquals("offset 4096 + length 2048 is beyond the end of the 4096-byte buffer",
                refused("", xrgb, 16, 2, Modifier.LINEAR, 4096, 64, 2048));
        assertEquals("pitch 128 is less than a row of 256 bytes", refused("", xrgb, 64, 16, Modifier.LINEAR, 0, 128,
                4096));
    }

    private static String refused(String at, PixelFormat.Plane layout, int width, int height, Modifier modifier,
                                  long offset, long pitch, long length) {
        return refused(at, layout, width, height, modifier, offset, pitch, length, 4096);
    }

    private static String refused(String at, PixelFormat.Plane layout, int width, int height, Modifier modifier,
                                  long offset, long pitch, long length, long bufferSize) {
        return assertThrows(IllegalArgumentException.class, () -> Frame.checkPlace(at, layout, width, height,
                modifier, offset, pitch, length, bufferSize)).getMessage();
    }
}
