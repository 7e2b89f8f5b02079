package io.zeroframe.v4l2.negotiation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The request a trial sets and the check of the driver's answer (answers written here). */
class TrialFormatTest {
    @Test
    void theRequestCarriesTheLayoutsPitchesInTheQueuesFormat() {
        FrameLayout argb = FrameLayout.of(PixelFormat.ARGB8888, 640, 480, 1024);
        VideoFormat request = TrialFormat.request(BufferType.VIDEO_CAPTURE, PixelFormat.XRGB8888, argb);
        assertEquals(FourCc.of(PixelFormat.XRGB8888), request.fourcc());
        assertEquals(3072, request.planes().getFirst().bytesPerLine());
        assertEquals(3072L * 480, request.sizeImage(0));
    }

    @Test
    void aDriverThatKeepsTheLayoutMatchesAndOneThatChangesItIsNamed() {
        FrameLayout layout = FrameLayout.of(PixelFormat.NV12M, 640, 480, 64);
        VideoFormat kept = VideoFormat.of(BufferType.VIDEO_CAPTURE_MPLANE, layout);
        assertEquals(Optional.empty(), TrialFormat.mismatch(kept, PixelFormat.NV12M, layout));

        FrameLayout padded = FrameLayout.of(PixelFormat.XRGB8888, 640, 480, 1024);
        VideoFormat unpadded = VideoFormat.of(BufferType.VIDEO_CAPTURE, FrameLayout.of(PixelFormat.XRGB8888, 640, 480));
        String why = TrialFormat.mismatch(unpadded, PixelFormat.XRGB8888, padded).orElseThrow();
        assertTrue(why.contains("[2560 B/line") && why.contains("pitch 3072"), why);

        VideoFormat smaller = VideoFormat.of(BufferType.VIDEO_CAPTURE, FrameLayout.of(PixelFormat.XRGB8888, 640, 360));
        assertTrue(TrialFormat.mismatch(smaller, PixelFormat.XRGB8888, FrameLayout.of(PixelFormat.XRGB8888, 640, 480))
                .isPresent());
    }
}
