package io.zeroframe.samples.preview;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.samples.preview.FrameImage.PlaneBytes;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameImage}'s conversions on hand-built buffers: known pixels in, known RGB out, with row padding and
 * plane offsets so that a converter ignoring the pitch or the offset fails. The YCbCr values are BT.601 limited
 * range: Y 16 black, Y 235 white, Y 126 mid grey (Cb = Cr = 128); red Y 81 Cb 90 Cr 240; blue Y 41 Cb 240 Cr 110.
 */
class FrameImageTest {
    private static final int RED = 0xff0000;
    private static final int BLUE = 0x0000ff;
    private static final int WHITE = 0xffffff;
    private static final int BLACK = 0x000000;
    private static final int GREY = 0x808080;
    /** Filler for padding and the bytes before a plane: a converter reading them shows it. */
    private static final int PAD = 0x5a;

    @Test
    void xrgb8888AndArgb8888AreBgrxBytesWithTheAlphaDropped() {
        // 2x2, offset 4, pitch 12 (8 bytes of pixels and 4 of padding)
        MemorySegment memory = bytes(PAD, PAD, PAD, PAD,
                0x00, 0x00, 0xff, 0x00, /**/ 0x30, 0x20, 0x10, 0xff, /**/ PAD, PAD, PAD, PAD,
                0xff, 0x00, 0x00, 0x80, /**/ 0xff, 0xff, 0xff, 0x00, /**/ PAD, PAD, PAD, PAD);
        int[] expected = {RED, 0x102030, BLUE, WHITE};
        assertArrayEquals(expected, rgb(PixelFormat.XRGB8888, 2, 2, new PlaneBytes(memory, 4, 12)));
        assertArrayEquals(expected, rgb(PixelFormat.ARGB8888, 2, 2, new PlaneBytes(memory, 4, 12)));
    }

    @Test
    void xbgr8888IsRgbxBytes() {
        MemorySegment memory = bytes(0xff, 0x00, 0x00, 0x00, /**/ 0x10, 0x20, 0x30, 0x00, /**/ PAD, PAD,
                0x00, 0x00, 0xff, 0x00, /**/ 0xff, 0xff, 0xff, 0xff, /**/ PAD, PAD);
        assertArrayEquals(new int[] {RED, 0x102030, BLUE, WHITE},
                rgb(PixelFormat.XBGR8888, 2, 2, new PlaneBytes(memory, 0, 10)));
    }

    @Test
    void rgb565IsALittleEndianWordWidenedByItsTopBits() {
        // 0xF800 red, 0x07E0 green, 0x001F blue, 0x8410 (r 16, g 32, b 16); offset 2, pitch 6
        MemorySegment memory = bytes(PAD, PAD, 0x00, 0xf8, 0xe0, 0x07, PAD, PAD, 0x1f, 0x00, 0x10, 0x84);
        assertArrayEquals(new int[] {RED, 0x00ff00, BLUE, 0x848284},
                rgb(PixelFormat.RGB565, 2, 2, new PlaneBytes(memory, 2, 6)));
    }

    @Test
    void yuyvAndUyvyArePackedPairsInBt601LimitedRange() {
        // 4x2, offset 3, pitch 12: pairs (Y0, Y1, Cb, Cr)
        int[][] pairs = {{16, 235, 128, 128}, {81, 81, 90, 240}, {41, 41, 240, 110}, {126, 126, 128, 128}};
        int[] expected = {BLACK, WHITE, RED, RED, BLUE, BLUE, GREY, GREY};
        assertArrayEquals(expected, rgb(PixelFormat.YUYV, 4, 2,
                new PlaneBytes(packed(pairs, 0, 2, 1, 3), 3, 12)));
        assertArrayEquals(expected, rgb(PixelFormat.UYVY, 4, 2,
                new PlaneBytes(packed(pairs, 1, 3, 0, 2), 3, 12)));
    }

    @Test
    void nv12AndNv21ShareEachCbCrPairAmongTwoByTwoPixels() {
        // 4x4: Y plane at 0 with pitch 6, the chroma plane at 32 with pitch 6 (two pairs and 2 bytes of padding)
        int[] luma = {81, 235, 41, 16}; // per 2x2 block: red, white, blue, black
        int[][] chroma = {{90, 240}, {128, 128}, {240, 110}, {128, 128}};
        int[] expected = {RED, RED, WHITE, WHITE, RED, RED, WHITE, WHITE,
                BLUE, BLUE, BLACK, BLACK, BLUE, BLUE, BLACK, BLACK};
        MemorySegment nv12 = semiPlanar(luma, chroma, false);
        assertArrayEquals(expected, rgb(PixelFormat.NV12, 4, 4, new PlaneBytes(nv12, 0, 6),
                new PlaneBytes(nv12, 32, 6)));
        MemorySegment nv21 = semiPlanar(luma, chroma, true);
        assertArrayEquals(expected, rgb(PixelFormat.NV21, 4, 4, new PlaneBytes(nv21, 0, 6),
                new PlaneBytes(nv21, 32, 6)));
        // NV12M: the same planes in two buffers
        MemorySegment chromaOnly = nv12.asSlice(32);
        assertArrayEquals(expected, rgb(PixelFormat.NV12M, 4, 4, new PlaneBytes(nv12, 0, 6),
                new PlaneBytes(chromaOnly, 0, 6)));
    }

    @Test
    void anUnsupportedFormatIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rgb(PixelFormat.YUV420, 2, 2,
                new PlaneBytes(bytes(new int[16]), 0, 2), new PlaneBytes(bytes(new int[4]), 0, 1),
                new PlaneBytes(bytes(new int[4]), 0, 1)));
        assertEquals("cannot convert YUV420 frames to RGB; supported: XRGB8888, ARGB8888, XBGR8888, RGB565, YUYV,"
                + " UYVY, NV12, NV21 (and their M variants)", e.getMessage());
    }

    @Test
    void aPlaneThatDoesNotFitItsMemoryIsRefused() {
        // 2x2 XRGB8888 at pitch 12 from offset 4 needs 4 + 12 + 8 = 24 bytes
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rgb(PixelFormat.XRGB8888, 2, 2, new PlaneBytes(bytes(new int[23]), 4, 12)));
        assertTrue(e.getMessage().contains("does not fit its 23 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> rgb(PixelFormat.XRGB8888, 2, 2, new PlaneBytes(bytes(new int[24]), 4, 4)),
                "a pitch below one row");
    }

    @Test
    void theImageEncodesAsAPngThatDecodesToTheSamePixels() throws Exception {
        int[] pixels = {RED, 0x102030, BLUE, WHITE, GREY, BLACK};
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(FrameImage.image(3, 2, pixels), "png", png));
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png.toByteArray()));
        assertEquals(3, back.getWidth());
        assertEquals(2, back.getHeight());
        int[] read = back.getRGB(0, 0, 3, 2, null, 0, 3);
        for (int i = 0; i < read.length; i++) {
            read[i] &= 0xffffff;
        }
        assertArrayEquals(pixels, read);
    }

    private static int[] rgb(PixelFormat format, int width, int height, PlaneBytes... planes) {
        return FrameImage.rgb(format, width, height, List.of(planes));
    }

    private static MemorySegment bytes(int... values) {
        byte[] array = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            array[i] = (byte) values[i];
        }
        return MemorySegment.ofArray(array);
    }

    /** Two rows of two 4-byte pairs each, 3 bytes before and 4 of padding per row: each pair at the positions given. */
    private static MemorySegment packed(int[][] pairs, int y0, int y1, int cb, int cr) {
        int[] memory = new int[3 + 2 * 12];
        java.util.Arrays.fill(memory, PAD);
        for (int i = 0; i < pairs.length; i++) {
            int at = 3 + (i / 2) * 12 + (i % 2) * 4;
            memory[at + y0] = pairs[i][0];
            memory[at + y1] = pairs[i][1];
            memory[at + cb] = pairs[i][2];
            memory[at + cr] = pairs[i][3];
        }
        return bytes(memory);
    }

    /** A 4x4 NV12 (NV21 when {@code swap}) frame of 2x2 blocks, planes at 0 and 32, pitch 6. */
    private static MemorySegment semiPlanar(int[] luma, int[][] chroma, boolean swap) {
        int[] memory = new int[32 + 2 * 6];
        java.util.Arrays.fill(memory, PAD);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                memory[y * 6 + x] = luma[(y / 2) * 2 + x / 2];
            }
        }
        for (int block = 0; block < 4; block++) {
            int at = 32 + (block / 2) * 6 + (block % 2) * 2;
            memory[at] = chroma[block][swap ? 1 : 0];
            memory[at + 1] = chroma[block][swap ? 0 : 1];
        }
        return bytes(memory);
    }
}
