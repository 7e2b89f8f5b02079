package io.zeroframe.dmabuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.internal.FourCc;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The format table against the codes the kernel documents: drm_fourcc.h's fourcc_code() characters and the
 * V4L2 pixfmt pages' four characters, written out here by hand, so a wrong constant picked from the bindings
 * shows.
 */
@ExtendWith(NoLeaks.class)
class PixelFormatTest {
    @ParameterizedTest(name = "{0}: DRM {1}, V4L2 {2}")
    @CsvSource({
            // name, DRM fourcc, V4L2 fourcc, planes, buffers, bits per sample of each plane
            "XRGB8888, XR24, XR24, 1, 1, 32",
            "ARGB8888, AR24, AR24, 1, 1, 32",
            "XBGR8888, XB24, XB24, 1, 1, 32",
            "RGB565,   RG16, RGBP, 1, 1, 16",
            "RGB888,   RG24, BGR3, 1, 1, 24",
            "BGR888,   BG24, RGB3, 1, 1, 24",
            "YUYV,     YUYV, YUYV, 1, 1, 16",
            "UYVY,     UYVY, UYVY, 1, 1, 16",
            "NV12,     NV12, NV12, 2, 1, 8 16",
            "NV21,     NV21, NV21, 2, 1, 8 16",
            "NV16,     NV16, NV16, 2, 1, 8 16",
            "YUV420,   YU12, YU12, 3, 1, 8 8 8",
            "YVU420,   YV12, YV12, 3, 1, 8 8 8",
            "NV12M,    NV12, NM12, 2, 2, 8 16",
            "NV21M,    NV21, NM21, 2, 2, 8 16",
            "NV16M,    NV16, NM16, 2, 2, 8 16",
            "YUV420M,  YU12, YM12, 3, 3, 8 8 8",
            "YVU420M,  YV12, YM21, 3, 3, 8 8 8",
    })
    void codesMatchTheKernelsCharacters(String name, String drm, String v4l2, int planes, int buffers, String bits) {
        PixelFormat format = byName(name);
        assertEquals(drm, FourCc.name(format.drmFourcc()));
        assertEquals(v4l2, FourCc.name(format.v4l2Fourcc()));
        assertEquals(FourCc.of(drm), format.drmFourcc(), "the DRM code round-trips through its characters");
        assertEquals(FourCc.of(v4l2), format.v4l2Fourcc(), "the V4L2 code round-trips through its characters");
        assertEquals(planes, format.planeCount());
        assertEquals(buffers, format.bufferCount());
        assertEquals(buffers > 1, format.isMultiPlanar());
        assertEquals(format.isMultiPlanar() ? v4l2 : drm, format.fourccName());
        assertEquals(bits, String.join(" ", format.planes().stream()
                .map(p -> Integer.toString(p.bitsPerSample())).toList()));
        assertEquals(name, format.toString());
        assertEquals(Optional.of(format), PixelFormat.fromV4l2(format.v4l2Fourcc()));
        assertEquals(Optional.of(format.contiguous()), PixelFormat.fromDrm(format.drmFourcc()));
    }

    @Test
    void theTableHasEveryListedFormatOnce() {
        assertEquals(18, PixelFormat.all().size());
        Set<Integer> codes = new HashSet<>();
        Set<Integer> v4l2 = new HashSet<>();
        for (PixelFormat format : PixelFormat.all()) {
            assertTrue(codes.add(format.fourcc()), "fourcc twice: " + format);
            assertTrue(v4l2.add(format.v4l2Fourcc()), "V4L2 code twice: " + format);
        }
    }

    @Test
    void theByteOrderTrapIsMappedCrosswise() {
        // DRM RGB888 is B, G, R in memory = V4L2 BGR24; V4L2 RGB24 is R, G, B = DRM BGR888
        assertEquals(PixelFormat.RGB888, PixelFormat.fromV4l2(FourCc.of("BGR3")).orElseThrow());
        assertEquals(PixelFormat.BGR888, PixelFormat.fromV4l2(FourCc.of("RGB3")).orElseThrow());
        assertEquals(PixelFormat.RGB888, PixelFormat.fromDrm(FourCc.of("RG24")).orElseThrow());
        // V4L2 RGB565 is 'RGBP'; 'RG16' is no V4L2 code
        assertEquals(Optional.empty(), PixelFormat.fromV4l2(FourCc.of("RG16")));
    }

    @Test
    void theDeprecatedBgr32IsXrgb8888ButXrgb8888IsStillXr24ForV4l2() {
        // 'BGR4' is bytes B, G, R and an alpha-or-padding byte: what a display shows as XRGB8888
        assertEquals(PixelFormat.XRGB8888, PixelFormat.fromV4l2(FourCc.of("BGR4")).orElseThrow());
        assertEquals(FourCc.of("XR24"), PixelFormat.XRGB8888.v4l2Fourcc());
        // its sibling 'RGB4' (x, R, G, B) stays unknown
        assertEquals(Optional.empty(), PixelFormat.fromV4l2(FourCc.of("RGB4")));
    }

    @Test
    void multiPlanarVariantsShareTheDrmCode() {
        assertSame(PixelFormat.NV12, PixelFormat.fromDrm(FourCc.of("NV12")).orElseThrow());
        assertSame(PixelFormat.NV12M, PixelFormat.fromV4l2(FourCc.of("NM12")).orElseThrow());
        assertSame(PixelFormat.NV12, PixelFormat.NV12M.contiguous());
        assertSame(PixelFormat.NV12M, PixelFormat.NV12.multiPlanarVariant().orElseThrow());
        assertSame(PixelFormat.YVU420M, PixelFormat.YVU420.multiPlanarVariant().orElseThrow());
        assertEquals(Optional.empty(), PixelFormat.YUYV.multiPlanarVariant());
        assertSame(PixelFormat.YUYV, PixelFormat.YUYV.contiguous());
        assertNotEquals(PixelFormat.NV12, PixelFormat.NV12M);
    }

    @Test
    void unknownCodesAreEmpty() {
        assertEquals(Optional.empty(), PixelFormat.fromDrm(FourCc.of("XR30")));
        assertEquals(Optional.empty(), PixelFormat.fromV4l2(0));
        assertEquals(Optional.empty(), PixelFormat.fromDrm(FourCc.of("NM12")), "NM12 is no DRM code");
    }

    @Test
    void subsamplingAndBlocks() {
        assertEquals(new PixelFormat.Plane(1, 1, 2, 4), PixelFormat.YUYV.plane(0));
        assertEquals(new PixelFormat.Plane(2, 2, 1, 2), PixelFormat.NV12.plane(1));
        assertEquals(new PixelFormat.Plane(2, 1, 1, 2), PixelFormat.NV16.plane(1));
        assertEquals(new PixelFormat.Plane(2, 2, 1, 1), PixelFormat.YUV420.plane(2));
        assertEquals("plane factors must be positive: 0, 1, 1, 1",
                assertThrows(IllegalArgumentException.class, () -> new PixelFormat.Plane(0, 1, 1, 1)).getMessage());
    }

    @Test
    void fourccCharacters() {
        assertEquals(0x34325258, FourCc.of("XR24"));
        assertEquals("XR24", FourCc.name(0x34325258));
        assertEquals("a\\x00\\x01\\xff", FourCc.name(0xff010061));
        assertEquals("a fourcc has 4 characters: 'XR2'",
                assertThrows(IllegalArgumentException.class, () -> FourCc.of("XR2")).getMessage());
    }

    @Test
    void equalityIsByFourcc() {
        assertEquals(PixelFormat.NV12, PixelFormat.fromDrm(FourCc.of("NV12")).orElseThrow());
        assertEquals(PixelFormat.NV12.hashCode(), Integer.hashCode(FourCc.of("NV12")));
        assertFalse(PixelFormat.XRGB8888.equals(PixelFormat.ARGB8888));
        assertEquals(List.of("32-bit RGB, bytes B G R x"), List.of(PixelFormat.XRGB8888.description()));
    }

    private static PixelFormat byName(String name) {
        return PixelFormat.all().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }
}
