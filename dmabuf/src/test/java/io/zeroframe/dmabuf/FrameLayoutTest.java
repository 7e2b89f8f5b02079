package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zeroframe.bindings.testing.NoLeaks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The layout rules of {@link FrameLayout}, figure by figure. The expected figures were worked out from the rules
 * in its javadoc, not by running it: "FORMAT WxH ALIGN | buffer@offset:pitch x rows ... | total".
 */
@ExtendWith(NoLeaks.class)
class FrameLayoutTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "XRGB8888 640x480 1 | 0@0:2560x480 | 1228800",
            "ARGB8888 640x480 1 | 0@0:2560x480 | 1228800",
            "XBGR8888 640x480 1 | 0@0:2560x480 | 1228800",
            "RGB565 640x480 1 | 0@0:1280x480 | 614400",
            "RGB888 640x480 1 | 0@0:1920x480 | 921600",
            "BGR888 640x480 1 | 0@0:1920x480 | 921600",
            "YUYV 640x480 1 | 0@0:1280x480 | 614400",
            "UYVY 640x480 1 | 0@0:1280x480 | 614400",
            "NV12 640x480 1 | 0@0:640x480 0@307200:640x240 | 460800",
            "NV21 640x480 1 | 0@0:640x480 0@307200:640x240 | 460800",
            "NV16 640x480 1 | 0@0:640x480 0@307200:640x480 | 614400",
            "YUV420 640x480 1 | 0@0:640x480 0@307200:320x240 0@384000:320x240 | 460800",
            "YVU420 640x480 1 | 0@0:640x480 0@307200:320x240 0@384000:320x240 | 460800",
            "NV12M 640x480 1 | 0@0:640x480 1@0:640x240 | 460800",
            "NV21M 640x480 1 | 0@0:640x480 1@0:640x240 | 460800",
            "NV16M 640x480 1 | 0@0:640x480 1@0:640x480 | 614400",
            "YUV420M 640x480 1 | 0@0:640x480 1@0:320x240 2@0:320x240 | 460800",
            "YVU420M 640x480 1 | 0@0:640x480 1@0:320x240 2@0:320x240 | 460800",
            "XRGB8888 1280x720 64 | 0@0:5120x720 | 3686400",
            "ARGB8888 1280x720 64 | 0@0:5120x720 | 3686400",
            "XBGR8888 1280x720 64 | 0@0:5120x720 | 3686400",
            "RGB565 1280x720 64 | 0@0:2560x720 | 1843200",
            "RGB888 1280x720 64 | 0@0:3840x720 | 2764800",
            "BGR888 1280x720 64 | 0@0:3840x720 | 2764800",
            "YUYV 1280x720 64 | 0@0:2560x720 | 1843200",
            "UYVY 1280x720 64 | 0@0:2560x720 | 1843200",
            "NV12 1280x720 64 | 0@0:1280x720 0@921600:1280x360 | 1382400",
            "NV21 1280x720 64 | 0@0:1280x720 0@921600:1280x360 | 1382400",
            "NV16 1280x720 64 | 0@0:1280x720 0@921600:1280x720 | 1843200",
            "YUV420 1280x720 64 | 0@0:1280x720 0@921600:640x360 0@1152000:640x360 | 1382400",
            "YVU420 1280x720 64 | 0@0:1280x720 0@921600:640x360 0@1152000:640x360 | 1382400",
            "NV12M 1280x720 64 | 0@0:1280x720 1@0:1280x360 | 1382400",
            "NV21M 1280x720 64 | 0@0:1280x720 1@0:1280x360 | 1382400",
            "NV16M 1280x720 64 | 0@0:1280x720 1@0:1280x720 | 1843200",
            "YUV420M 1280x720 64 | 0@0:1280x720 1@0:640x360 2@0:640x360 | 1382400",
            "YVU420M 1280x720 64 | 0@0:1280x720 1@0:640x360 2@0:640x360 | 1382400",
            "XRGB8888 641x479 1 | 0@0:2564x479 | 1228156",
            "ARGB8888 641x479 1 | 0@0:2564x479 | 1228156",
            "XBGR8888 641x479 1 | 0@0:2564x479 | 1228156",
            "RGB565 641x479 1 | 0@0:1282x479 | 614078",
            "RGB888 641x479 1 | 0@0:1923x479 | 921117",
            "BGR888 641x479 1 | 0@0:1923x479 | 921117",
            "YUYV 641x479 1 | 0@0:1284x479 | 615036",
            "UYVY 641x479 1 | 0@0:1284x479 | 615036",
            "NV12 641x479 1 | 0@0:641x479 0@307039:642x240 | 461119",
            "NV21 641x479 1 | 0@0:641x479 0@307039:642x240 | 461119",
            "NV16 641x479 1 | 0@0:641x479 0@307039:642x479 | 614557",
            "YUV420 641x479 1 | 0@0:641x479 0@307039:321x240 0@384079:321x240 | 461119",
            "YVU420 641x479 1 | 0@0:641x479 0@307039:321x240 0@384079:321x240 | 461119",
            "NV12M 641x479 1 | 0@0:641x479 1@0:642x240 | 461119",
            "NV21M 641x479 1 | 0@0:641x479 1@0:642x240 | 461119",
            "NV16M 641x479 1 | 0@0:641x479 1@0:642x479 | 614557",
            "YUV420M 641x479 1 | 0@0:641x479 1@0:321x240 2@0:321x240 | 461119",
            "YVU420M 641x479 1 | 0@0:641x479 1@0:321x240 2@0:321x240 | 461119",
            "XRGB8888 641x479 64 | 0@0:2624x479 | 1256896",
            "ARGB8888 641x479 64 | 0@0:2624x479 | 1256896",
            "XBGR8888 641x479 64 | 0@0:2624x479 | 1256896",
            "RGB565 641x479 64 | 0@0:1344x479 | 643776",
            "RGB888 641x479 64 | 0@0:1984x479 | 950336",
            "BGR888 641x479 64 | 0@0:1984x479 | 950336",
            "YUYV 641x479 64 | 0@0:1344x479 | 643776",
            "UYVY 641x479 64 | 0@0:1344x479 | 643776",
            "NV12 641x479 64 | 0@0:704x479 0@337216:704x240 | 506176",
            "NV21 641x479 64 | 0@0:704x479 0@337216:704x240 | 506176",
            "NV16 641x479 64 | 0@0:704x479 0@337216:704x479 | 674432",
            "YUV420 641x479 64 | 0@0:704x479 0@337216:352x240 0@421696:352x240 | 506176",
            "YVU420 641x479 64 | 0@0:704x479 0@337216:352x240 0@421696:352x240 | 506176",
            "NV12M 641x479 64 | 0@0:704x479 1@0:704x240 | 506176",
            "NV21M 641x479 64 | 0@0:704x479 1@0:704x240 | 506176",
            "NV16M 641x479 64 | 0@0:704x479 1@0:704x479 | 674432",
            "YUV420M 641x479 64 | 0@0:704x479 1@0:352x240 2@0:352x240 | 506176",
            "YVU420M 641x479 64 | 0@0:704x479 1@0:352x240 2@0:352x240 | 506176",
            "XRGB8888 33x17 1 | 0@0:132x17 | 2244",
            "ARGB8888 33x17 1 | 0@0:132x17 | 2244",
            "XBGR8888 33x17 1 | 0@0:132x17 | 2244",
            "RGB565 33x17 1 | 0@0:66x17 | 1122",
            "RGB888 33x17 1 | 0@0:99x17 | 1683",
            "BGR888 33x17 1 | 0@0:99x17 | 1683",
            "YUYV 33x17 1 | 0@0:68x17 | 1156",
            "UYVY 33x17 1 | 0@0:68x17 | 1156",
            "NV12 33x17 1 | 0@0:33x17 0@561:34x9 | 867",
            "NV21 33x17 1 | 0@0:33x17 0@561:34x9 | 867",
            "NV16 33x17 1 | 0@0:33x17 0@561:34x17 | 1139",
            "YUV420 33x17 1 | 0@0:33x17 0@561:17x9 0@714:17x9 | 867",
            "YVU420 33x17 1 | 0@0:33x17 0@561:17x9 0@714:17x9 | 867",
            "NV12M 33x17 1 | 0@0:33x17 1@0:34x9 | 867",
            "NV21M 33x17 1 | 0@0:33x17 1@0:34x9 | 867",
            "NV16M 33x17 1 | 0@0:33x17 1@0:34x17 | 1139",
            "YUV420M 33x17 1 | 0@0:33x17 1@0:17x9 2@0:17x9 | 867",
            "YVU420M 33x17 1 | 0@0:33x17 1@0:17x9 2@0:17x9 | 867",
    })
    void everyFormatAtEvenAndOddSizes(String row) {
        String[] parts = row.split(" \\| ");
        String[] head = parts[0].split(" ");
        PixelFormat format = PixelFormat.all().stream().filter(f -> f.name().equals(head[0])).findFirst().orElseThrow();
        String[] size = head[1].split("x");
        FrameLayout layout = FrameLayout.of(format, Integer.parseInt(size[0]), Integer.parseInt(size[1]),
                Integer.parseInt(head[2]));
        List<String> planes = new ArrayList<>();
        for (FrameLayout.Plane plane : layout.planes()) {
            planes.add(plane.buffer() + "@" + plane.offset() + ":" + plane.pitch() + "x" + plane.rows());
            assertEquals(plane.pitch() * plane.rows(), plane.size(), row);
        }
        assertEquals(parts[1], String.join(" ", planes), row);
        assertEquals(Long.parseLong(parts[2]), layout.totalSize(), row);
        long buffers = 0;
        for (int i = 0; i < layout.bufferCount(); i++) {
            buffers += layout.bufferSize(i);
        }
        assertEquals(layout.totalSize(), buffers, "buffer sizes add up to the total: " + row);
    }

    @Test
    void theSnippetsFigures() {
        FrameLayout layout = FrameLayout.of(PixelFormat.NV12, 1280, 720, 64);
        assertEquals(1280, layout.plane(0).pitch());
        assertEquals(921600, layout.plane(1).offset());
        assertEquals(1382400, layout.totalSize());
        assertEquals("NV12 1280x720 align 64 [buffer 0 @0 pitch 1280 x 720 = 921600,"
                + " buffer 0 @921600 pitch 1280 x 360 = 460800]", layout.toString());
    }

    @Test
    void multiPlanarFormatsHaveOneBufferPerPlane() {
        FrameLayout layout = FrameLayout.of(PixelFormat.YUV420M, 641, 479, 64);
        assertEquals(3, layout.bufferCount());
        assertEquals(704L * 479, layout.bufferSize(0));
        assertEquals(352L * 240, layout.bufferSize(2));
        assertThrows(IndexOutOfBoundsException.class, () -> layout.bufferSize(3));
        assertEquals(1, FrameLayout.of(PixelFormat.YUV420, 641, 479, 64).bufferCount());
    }

    @Test
    void anAlignmentNeedNotBeAPowerOfTwo() {
        assertEquals(1925, FrameLayout.of(PixelFormat.RGB888, 641, 479, 5).plane(0).pitch());
    }

    @Test
    void equalLayoutsAreEqual() {
        assertEquals(FrameLayout.of(PixelFormat.NV12, 64, 64), FrameLayout.of(PixelFormat.NV12, 64, 64, 1));
        assertEquals(FrameLayout.of(PixelFormat.NV12, 64, 64).hashCode(),
                FrameLayout.of(PixelFormat.NV12, 64, 64, 1).hashCode());
    }

    @Test
    void layoutsAreEqualByTheirPlanesNotByTheAlignmentAsked() {
        FrameLayout aligned = FrameLayout.of(PixelFormat.NV12, 1280, 720, 64);
        FrameLayout unaligned = FrameLayout.of(PixelFormat.NV12, 1280, 720, 1);
        assertEquals(aligned.planes(), unaligned.planes());
        assertEquals(aligned, unaligned);
        assertEquals(aligned.hashCode(), unaligned.hashCode());
        // the same request with different planes: unequal
        assertNotEquals(FrameLayout.of(PixelFormat.NV12, 641, 480, 64), FrameLayout.of(PixelFormat.NV12, 641, 480, 1));
        assertNotEquals(FrameLayout.of(PixelFormat.NV12, 64, 64), FrameLayout.of(PixelFormat.NV12M, 64, 64));
        assertNotEquals(FrameLayout.of(PixelFormat.NV12, 64, 64), FrameLayout.of(PixelFormat.NV12, 64, 66));
    }

    @Test
    void argumentsThatAreNotPositiveAreNamed() {
        assertEquals("NV12 0x480: width 0 is not positive", assertThrows(IllegalArgumentException.class,
                () -> FrameLayout.of(PixelFormat.NV12, 0, 480, 1)).getMessage());
        assertEquals("NV12 640x-1: height -1 is not positive", assertThrows(IllegalArgumentException.class,
                () -> FrameLayout.of(PixelFormat.NV12, 640, -1, 1)).getMessage());
        assertEquals("NV12 640x480: stride alignment 0 is not positive", assertThrows(IllegalArgumentException.class,
                () -> FrameLayout.of(PixelFormat.NV12, 640, 480, 0)).getMessage());
        assertEquals("format", assertThrows(NullPointerException.class,
                () -> FrameLayout.of(null, 640, 480, 1)).getMessage());
    }

    @Test
    void framesBeyondALongAreRefused() {
        int max = Integer.MAX_VALUE;
        assertEquals("XRGB8888 2147483647x2147483647: the frame is larger than 9223372036854775807 bytes",
                assertThrows(IllegalArgumentException.class,
                        () -> FrameLayout.of(PixelFormat.XRGB8888, max, max, 1)).getMessage());
        assertEquals("RGB888 2147483647x1431655767: the frame is larger than 9223372036854775807 bytes",
                assertThrows(IllegalArgumentException.class,
                        () -> FrameLayout.of(PixelFormat.RGB888, max, 1431655767, 1)).getMessage());
        // one row less fits: 3 * (2^31 - 1) * 1431655766 = 2^63 - 2
        assertEquals(Long.MAX_VALUE - 1, FrameLayout.of(PixelFormat.RGB888, max, 1431655766).totalSize());
        // NV16 at the largest int size still fits: 2^63 - 2^32 - 2^31 + 1 bytes
        assertEquals(Long.MAX_VALUE - (1L << 32) - (1L << 31) + 2,
                FrameLayout.of(PixelFormat.NV16, max, max, max).totalSize());
    }
}
