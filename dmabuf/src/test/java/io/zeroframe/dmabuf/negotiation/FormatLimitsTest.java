package io.zeroframe.dmabuf.negotiation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import org.junit.jupiter.api.Test;

/** Merging two endpoints' limits, as sysmem2 and drm-constraints do, and the checks on a size and a layout. */
class FormatLimitsTest {
    @Test
    void mergeTakesLargerMinimumsSmallerMaximumsAndTheLcmOfAlignments() {
        FormatLimits camera = FormatLimits.builder().width(48, 4096, 2).height(32, 2160, 2).pitchAlignment(16)
                .offsetAlignment(4096).heightPadding(16).maxPitch(16384).build();
        FormatLimits plane = FormatLimits.builder().width(1, 1920, 1).height(1, 1080, 1).pitchAlignment(64)
                .offsetAlignment(256).heightPadding(1).maxPitch(8192).separatePlanes(false)
                .contiguousRequired(true).build();

        assertEquals(new FormatLimits(48, 1920, 2, 32, 1080, 2, 64, 4096, 16, 8192, false, true),
                camera.merge(plane));
        assertEquals(camera.merge(plane), plane.merge(camera));
        assertEquals(camera, camera.merge(FormatLimits.NONE));
    }

    @Test
    void lcmOfAlignmentsThatAreNotPowersOfTwo() {
        FormatLimits merged = FormatLimits.builder().pitchAlignment(48).build()
                .merge(FormatLimits.builder().pitchAlignment(64).build());
        assertEquals(192, merged.pitchAlignment());
    }

    @Test
    void sizeAndLayoutProblemsAreNamed() {
        FormatLimits limits = FormatLimits.builder().width(16, 1920, 16).pitchAlignment(256).maxPitch(4096).build();

        assertNull(limits.sizeProblem(1920, 1080));
        assertEquals("width 1000 is outside 16..1920 step 16", limits.sizeProblem(1000, 1080));
        assertNull(limits.layoutProblem(FrameLayout.of(PixelFormat.NV12, 1024, 768)));
        assertEquals("pitch 1000 is not a multiple of 256",
                limits.layoutProblem(FrameLayout.of(PixelFormat.NV12, 1000, 768)));
        assertEquals("pitch 7680 is above its maximum 4096",
                limits.layoutProblem(FrameLayout.of(PixelFormat.XRGB8888, 1920, 1080)));
    }

    @Test
    void anEmptyRangeOrANonPositiveAlignmentIsRefused() {
        assertEquals("size range 100x1 to 10x2147483647 is empty or not positive", assertThrows(
                IllegalArgumentException.class, () -> FormatLimits.builder().width(100, 10, 1).build()).getMessage());
        assertEquals("pitchAlignment 0 is not positive", assertThrows(IllegalArgumentException.class,
                () -> FormatLimits.builder().pitchAlignment(0).build()).getMessage());
    }
}
