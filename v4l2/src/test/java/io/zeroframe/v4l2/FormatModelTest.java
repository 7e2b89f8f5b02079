package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.format.FormatDescription;
import io.zeroframe.v4l2.format.FormatFlag;
import io.zeroframe.v4l2.format.FrameSize;
import io.zeroframe.v4l2.format.FrameSizes;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The format description types, without devices. */
@ExtendWith(NoLeaks.class)
class FormatModelTest {
    @Test
    void fourccPrintsLikeV4l2Ctl() {
        assertEquals("YUYV", FourCc.of("YUYV").toString());
        assertEquals(0x56595559, FourCc.of("YUYV").value());
        assertEquals("Y16 -BE", new FourCc(FourCc.of("Y16 ").value() | 1 << 31).toString());
        assertEquals("\\x01AB ", new FourCc(0x20424101).toString());
        assertEquals(PixelFormat.NV12M, FourCc.of("NM12").pixelFormat().orElseThrow());
        assertEquals(PixelFormat.XRGB8888, FourCc.of("XR24").pixelFormat().orElseThrow());
        assertTrue(FourCc.of("BA81").pixelFormat().isEmpty());
        assertEquals(FourCc.of("RGB3"), FourCc.of(PixelFormat.BGR888));
        assertThrows(IllegalArgumentException.class, () -> FourCc.of("YUV"));
    }

    @Test
    void formatFlagsKeepUnknownBits() {
        assertEquals(EnumSet.of(FormatFlag.COMPRESSED, FormatFlag.CSC_XFER_FUNC), FormatFlag.decode(0x0001 | 0x0040));
        assertEquals(0x8000, FormatFlag.unknownBits(0x8001));
        FormatDescription d = new FormatDescription(BufferType.VIDEO_CAPTURE, 0, FourCc.of("FWHT"), "FWHT",
                FormatFlag.decode(1), FormatFlag.unknownBits(0x8001), 0);
        assertTrue(d.isCompressed());
        assertEquals("'FWHT' (FWHT) [COMPRESSED] +0x8000", d.toString());
    }

    @Test
    void bufferTypesFollowTheCapabilities() {
        assertEquals(Set.of(BufferType.VIDEO_CAPTURE, BufferType.VIDEO_OUTPUT),
                FormatEnumeration.bufferTypes(EnumSet.of(VideoCapability.VIDEO_M2M, VideoCapability.STREAMING)));
        assertEquals(Set.of(BufferType.VIDEO_CAPTURE_MPLANE, BufferType.VIDEO_OUTPUT_MPLANE),
                FormatEnumeration.bufferTypes(EnumSet.of(VideoCapability.VIDEO_M2M_MPLANE)));
        assertEquals(Set.of(BufferType.META_CAPTURE), FormatEnumeration.bufferTypes(EnumSet.of(VideoCapability.META_CAPTURE)));
        assertFalse(FormatEnumeration.hasFormats(BufferType.VBI_CAPTURE));
    }

    @Test
    void frameSizesAllow() {
        FrameSizes stepwise = new FrameSizes.Stepwise(new FrameSize(32, 32), new FrameSize(640, 480), 2, 1);
        assertTrue(stepwise.allows(32, 33));
        assertFalse(stepwise.allows(33, 32));
        assertFalse(stepwise.allows(642, 32));
        assertTrue(new FrameSizes.Continuous(new FrameSize(1, 1), new FrameSize(100, 100)).allows(99, 1));
        assertTrue(new FrameSizes.Discrete(List.of(new FrameSize(640, 480))).allows(640, 480));
        assertFalse(FrameSizes.NONE.allows(640, 480));
        assertEquals("stepwise 32x32 - 640x480 with step 2/1", stepwise.toString());
        assertThrows(IllegalArgumentException.class, () -> new FrameSize(-1, 2));
    }

    @Test
    void fractions() {
        Fraction f = new Fraction(1, 30);
        assertEquals(30.0, f.perSecond());
        assertEquals("1/30", f.toString());
        assertEquals("0.033", V4l2Ctl.seconds(f));
        assertEquals("30.000", V4l2Ctl.fps(f));
        assertEquals("0.062", V4l2Ctl.threeDecimals(0.0625)); // C's printf rounds half to even
        assertTrue(Double.isNaN(new Fraction(1, 0).value()));
    }
}
