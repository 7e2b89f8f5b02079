package io.zeroframe.v4l2.negotiation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.FormatLimits;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.Field;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.PlaneFormat;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.format.FrameSize;
import io.zeroframe.v4l2.format.FrameSizes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The limits of a V4L2 format's offer, from what a driver answered (no device: answers written here). */
class OffersTest {
    private static final FrameSizes WEBCAM = new FrameSizes.Discrete(List.of(new FrameSize(320, 180),
            new FrameSize(640, 360), new FrameSize(640, 480), new FrameSize(1280, 720), new FrameSize(1920, 1080)));

    private static VideoFormat tried(PixelFormat pixels, int width, int height, long bytesPerLine) {
        return new VideoFormat(BufferType.VIDEO_CAPTURE, FourCc.of(pixels), width, height, Field.NONE, 0, 0, 0, 0, 0,
                List.of(new PlaneFormat(bytesPerLine, bytesPerLine * height)));
    }

    @Test
    void discreteSizesGiveTheirRangeAndAMinimalPitchNoAlignment() {
        FormatLimits limits = Offers.limits(PixelFormat.XRGB8888, WEBCAM,
                tried(PixelFormat.XRGB8888, 640, 480, 2560), 640, 480, true, false);
        assertEquals(List.of(320, 1920, 1, 180, 1080, 1), List.of(limits.minWidth(), limits.maxWidth(),
                limits.widthStep(), limits.minHeight(), limits.maxHeight(), limits.heightStep()));
        assertEquals(1, limits.pitchAlignment());
        assertEquals(Long.MAX_VALUE, limits.maxPitch());
        assertFalse(limits.separatePlanes());
    }

    @Test
    void aSizeTheDriverWouldChangeNarrowsTheRangeToItsChoice() {
        // TRY_FMT 1280x800 on the webcam answers 1280x720
        FormatLimits limits = Offers.limits(PixelFormat.XRGB8888, WEBCAM,
                tried(PixelFormat.XRGB8888, 1280, 720, 5120), 1280, 800, true, false);
        assertEquals(List.of(320, 1920, 720, 720), List.of(limits.minWidth(), limits.maxWidth(), limits.minHeight(),
                limits.maxHeight()));
    }

    @Test
    void stepwiseAndContinuousRangesKeepTheirSteps() {
        FrameSizes stepwise = new FrameSizes.Stepwise(new FrameSize(16, 16), new FrameSize(4096, 2160), 16, 8);
        FormatLimits limits = Offers.limits(PixelFormat.NV12, stepwise, tried(PixelFormat.NV12, 640, 480, 640), 640,
                480, true, true);
        assertEquals(List.of(16, 4096, 16, 16, 2160, 8), List.of(limits.minWidth(), limits.maxWidth(),
                limits.widthStep(), limits.minHeight(), limits.maxHeight(), limits.heightStep()));
        assertTrue(limits.separatePlanes());
        FrameSizes continuous = new FrameSizes.Continuous(new FrameSize(1, 1), new FrameSize(8192, 8192));
        limits = Offers.limits(PixelFormat.NV12, continuous, tried(PixelFormat.NV12, 640, 480, 640), 640, 480, true,
                true);
        assertEquals(List.of(1, 8192, 1), List.of(limits.minWidth(), limits.maxWidth(), limits.widthStep()));
        limits = Offers.limits(PixelFormat.NV12, FrameSizes.NONE, tried(PixelFormat.NV12, 640, 480, 640), 640, 480,
                true, true);
        assertEquals(List.of(1, Integer.MAX_VALUE), List.of(limits.minWidth(), limits.maxWidth()));
    }

    @Test
    void aPaddedPitchTeachesItsAlignmentAndAFixedPitchIsTheMaximum() {
        // 650 XR24 pixels are 2600 bytes; a driver that aligns rows to 64 answers 2624 and keeps no other pitch
        FormatLimits limits = Offers.limits(PixelFormat.XRGB8888, FrameSizes.NONE,
                tried(PixelFormat.XRGB8888, 650, 480, 2624), 650, 480, false, false);
        assertEquals(64, limits.pitchAlignment());
        assertEquals(2624, limits.maxPitch());
        // the planner's layout for it is the driver's: 2624
        assertEquals(2624, FrameLayout.of(PixelFormat.XRGB8888, 650, 480, limits.pitchAlignment()).plane(0).pitch());
    }

    @Test
    void thePitchProbeAsksForTheNextMultipleOf64() {
        assertEquals(2624, Offers.paddedPitch(2560));
        assertEquals(2688, Offers.paddedPitch(2624));
        assertEquals(64, Offers.paddedPitch(3));
    }
}
