package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.dmabuf.PixelFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where V4L2 puts each plane of a format's frame: the offsets it implies but never reports. */
class FramePlanesTest {
    private static VideoFormat format(BufferType type, PixelFormat pixels, int width, int height,
                                      PlaneFormat... planes) {
        return new VideoFormat(type, FourCc.of(pixels), width, height, Field.NONE, 0, 0, 0, 0, 0, List.of(planes));
    }

    @Test
    void packedFormatIsOnePlaneAtTheStart() {
        VideoFormat xr24 = format(BufferType.VIDEO_CAPTURE, PixelFormat.XRGB8888, 640, 480,
                new PlaneFormat(2624, 2624 * 480));
        assertEquals(List.of(new FramePlanes.Spot(0, 0, 2624, 2624L * 480)),
                FramePlanes.of(xr24, PixelFormat.XRGB8888));
    }

    @Test
    void contiguousNv12PutsChromaAtBytesPerLineTimesHeight() {
        VideoFormat nv12 = format(BufferType.VIDEO_CAPTURE, PixelFormat.NV12, 640, 480,
                new PlaneFormat(704, 704 * 480 * 3 / 2));
        assertEquals(List.of(new FramePlanes.Spot(0, 0, 704, 704L * 480),
                        new FramePlanes.Spot(0, 704L * 480, 704, 704L * 240)),
                FramePlanes.of(nv12, PixelFormat.NV12));
    }

    @Test
    void contiguousYuv420HalvesTheChromaPitch() {
        VideoFormat yu12 = format(BufferType.VIDEO_CAPTURE_MPLANE, PixelFormat.YUV420, 640, 480,
                new PlaneFormat(704, 704 * 480 * 3 / 2));
        assertEquals(List.of(new FramePlanes.Spot(0, 0, 704, 704L * 480),
                        new FramePlanes.Spot(0, 704L * 480, 352, 352L * 240),
                        new FramePlanes.Spot(0, 704L * 480 + 352 * 240, 352, 352L * 240)),
                FramePlanes.of(yu12, PixelFormat.YUV420));
    }

    @Test
    void multiPlanarFormatHasOneMemoryPlanePerPlaneAtOffsetZero() {
        VideoFormat nm12 = format(BufferType.VIDEO_CAPTURE_MPLANE, PixelFormat.NV12M, 640, 480,
                new PlaneFormat(640, 640 * 480), new PlaneFormat(640, 640 * 240));
        assertEquals(List.of(new FramePlanes.Spot(0, 0, 640, 640L * 480), new FramePlanes.Spot(1, 0, 640, 640L * 240)),
                FramePlanes.of(nm12, PixelFormat.NV12M));
    }

    @Test
    void formatsThatDoNotDescribeRowsAreRefused() {
        VideoFormat twoForOne = format(BufferType.VIDEO_CAPTURE_MPLANE, PixelFormat.XRGB8888, 640, 480,
                new PlaneFormat(2560, 2560 * 480), new PlaneFormat(2560, 2560 * 480));
        assertThrows(IllegalStateException.class, () -> FramePlanes.of(twoForOne, PixelFormat.XRGB8888));
        VideoFormat narrow = format(BufferType.VIDEO_CAPTURE, PixelFormat.XRGB8888, 640, 480,
                new PlaneFormat(2000, 2000 * 480));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FramePlanes.of(narrow, PixelFormat.XRGB8888));
        assertTrue(e.getMessage().contains("bytesperline 2000 is less than a row of XRGB8888 (2560 bytes)"),
                e.getMessage());
    }
}
