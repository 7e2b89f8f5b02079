package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.v4l2.control.ControlFlag;
import io.zeroframe.v4l2.control.ControlInfo;
import io.zeroframe.v4l2.control.ControlType;
import io.zeroframe.v4l2.control.ControlValue;
import io.zeroframe.v4l2.format.FormatDescription;
import io.zeroframe.v4l2.format.FormatOffer;
import io.zeroframe.v4l2.format.FrameIntervals;
import io.zeroframe.v4l2.format.FrameSize;
import io.zeroframe.v4l2.format.FrameSizes;
import io.zeroframe.v4l2.io.DvFlag;
import io.zeroframe.v4l2.io.DvStandard;
import io.zeroframe.v4l2.io.DvTimings;
import io.zeroframe.v4l2.io.VideoInput;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** DV timings arithmetic and the description's text, without devices. */
@ExtendWith(NoLeaks.class)
class DescriptionModelTest {
    @Test
    void dvTimingsRates() {
        DvTimings p60 = new DvTimings(1920, 1080, false, true, true, 148_500_000, 88, 44, 148, 4, 5, 36, 0, 0, 0,
                Set.of(DvStandard.CEA861), Set.of(DvFlag.HAS_CEA861_VIC), 0, new Fraction(0, 0), 16, 0);
        assertEquals(2200, p60.totalWidth());
        assertEquals(1125, p60.totalHeight());
        assertEquals(60.0, p60.framesPerSecond(), 1e-9);
        assertEquals("1920x1080p60.00 (148500000 Hz)", p60.toString());
        DvTimings i50 = new DvTimings(1920, 1080, true, true, true, 74_250_000, 528, 44, 148, 2, 5, 15, 2, 5, 16,
                Set.of(DvStandard.CEA861), Set.of(DvFlag.HALF_LINE), 0, new Fraction(0, 0), 20, 0);
        assertEquals(1125, i50.totalHeight());
        assertEquals("1920x1080i50.00 (74250000 Hz)", i50.toString());
    }

    @Test
    void descriptionText() {
        VideoDeviceInfo info = new VideoDeviceInfo(Path.of("/dev/video9"), "vivid", "vivid", "platform:vivid-000",
                0x060c5f, EnumSet.of(VideoCapability.VIDEO_CAPTURE, VideoCapability.STREAMING), 0, "vivid-000-vid-cap");
        FormatDescription yuyv = new FormatDescription(BufferType.VIDEO_CAPTURE, 0, FourCc.of("YUYV"), "YUYV 4:2:2",
                Set.of(), 0, 0);
        FrameSize vga = new FrameSize(640, 480);
        FormatOffer offer = new FormatOffer(yuyv, new FrameSizes.Discrete(List.of(vga)),
                Map.of(vga, new FrameIntervals.Discrete(List.of(new Fraction(1, 30), new Fraction(2, 25)))));
        ControlInfo brightness = new ControlInfo(0x00980900, "Brightness", ControlType.INTEGER, 1, 0, 255, 1, 128,
                Set.of(ControlFlag.SLIDER), 0, 4, 1, List.of(), List.of());
        VideoNodeDescription d = new VideoNodeDescription(info, Map.of(BufferType.VIDEO_CAPTURE, List.of(offer)),
                List.of(new VideoInput(0, "Webcam 000-0", VideoInput.TYPE_CAMERA, 0, 0, 0, Set.of(), 0, Set.of(), 0)),
                0, List.of(), -1, Map.of(BufferType.VIDEO_CAPTURE, new StreamParameters(BufferType.VIDEO_CAPTURE,
                true, false, new Fraction(1, 30), 0, 1)), Map.of(), List.of(brightness),
                Map.of(brightness.id(), new ControlValue.OfInt(brightness, 200)));
        assertEquals("""
                /dev/video9: vivid "vivid" (vivid-000-vid-cap), platform:vivid-000, version 6.12.95
                  capabilities: VIDEO_CAPTURE, STREAMING
                  input 0: "Webcam 000-0" (camera) (selected)
                  queue V4L2_BUF_TYPE_VIDEO_CAPTURE: 1 format, 30 fps now (settable)
                    'YUYV' (YUYV 4:2:2) = YUYV
                      640x480 @ 30, 12.500 fps
                  controls:
                      brightness 0x00980900 (int): min=0 max=255 step=1 default=128 flags=[SLIDER] value=200
                """, d.toString());
        assertTrue(d.offer(BufferType.VIDEO_CAPTURE, FourCc.of("YUYV")).isPresent());
        assertTrue(d.formats(BufferType.VIDEO_OUTPUT).isEmpty());
    }
}
