package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.bindings.videodev2.v4l2_format;
import io.zeroframe.bindings.videodev2.v4l2_pix_format;
import io.zeroframe.bindings.videodev2.videodev2_h;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Formats, flags and the derived uAPI values, without a device. */
@ExtendWith(NoLeaks.class)
class VideoFormatTest {
    private static VideoFormat roundTrip(VideoFormat format) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = v4l2_format.allocate(arena);
            format.encode(segment);
            return VideoFormat.decode(segment);
        }
    }

    @Test
    void singleAndMultiPlanarFormatsSurviveTheStruct() {
        VideoFormat single = new VideoFormat(BufferType.VIDEO_CAPTURE, FourCc.of(PixelFormat.YUYV), 641, 479,
                Field.INTERLACED, 8, 1, 2, 3, 1, List.of(new PlaneFormat(1344, 1344 * 479)));
        assertEquals(single, roundTrip(single));
        VideoFormat multi = VideoFormat.of(BufferType.VIDEO_CAPTURE_MPLANE,
                FrameLayout.of(PixelFormat.NV12M, 640, 480, 64));
        assertEquals(List.of(new PlaneFormat(640, 640 * 480), new PlaneFormat(640, 640 * 240)), multi.planes());
        assertEquals(multi, roundTrip(multi));
        assertEquals(FrameLayout.of(PixelFormat.NV12M, 640, 480), multi.toLayout().orElseThrow());
    }

    @Test
    void singlePlanarFormatsCarryThePrivMagicSoTheKernelKeepsTheirColorimetry() {
        VideoFormat request = VideoFormat.of(BufferType.VIDEO_CAPTURE, PixelFormat.YUYV, 640, 480)
                .withColorimetry(10, 6, 1, 6);
        assertEquals(VideoFormat.FLAG_SET_CSC, request.flags());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = v4l2_format.allocate(arena);
            request.encode(segment);
            assertEquals(videodev2_h.V4L2_PIX_FMT_PRIV_MAGIC(), v4l2_pix_format.priv(v4l2_format.fmt(segment)));
            VideoFormat decoded = VideoFormat.decode(segment);
            assertEquals(List.of(10, 6, 1, 6, VideoFormat.FLAG_SET_CSC), List.of(decoded.colorspace(),
                    decoded.ycbcrEncoding(), decoded.quantization(), decoded.transferFunction(), decoded.flags()));
        }
    }

    @Test
    void unknownCodesStayVisible() {
        FourCc fwht = FourCc.of("FWHT");
        VideoFormat compressed = new VideoFormat(BufferType.VIDEO_OUTPUT_MPLANE, fwht, 1280, 720, Field.NONE, 0, 0, 0,
                0, 0, List.of(new PlaneFormat(0, 2_764_800)));
        assertEquals("FWHT", compressed.fourccName());
        assertEquals(Optional.empty(), compressed.pixelFormat());
        assertEquals(Optional.empty(), compressed.toLayout());
        assertEquals("FWHT 1280x720 [0 B/line, 2764800 B] (V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE)", compressed.toString());
        assertEquals(compressed, roundTrip(compressed));
    }

    @Test
    void layoutsConvertWhereTheyFit() {
        VideoFormat padded = VideoFormat.of(BufferType.VIDEO_CAPTURE, FrameLayout.of(PixelFormat.XRGB8888, 100, 10, 512));
        assertEquals(List.of(new PlaneFormat(512, 5120)), padded.planes());
        assertEquals(FrameLayout.of(PixelFormat.XRGB8888, 100, 10, 512), padded.toLayout().orElseThrow());
        VideoFormat tooSmall = new VideoFormat(BufferType.VIDEO_CAPTURE, FourCc.of(PixelFormat.NV12), 64, 64,
                Field.NONE, 0, 0, 0, 0, 0, List.of(new PlaneFormat(64, 64 * 64)));
        assertEquals(Optional.empty(), tooSmall.toLayout(), "no room for the chroma plane");
        assertThrows(IllegalArgumentException.class,
                () -> VideoFormat.of(BufferType.VIDEO_CAPTURE, FrameLayout.of(PixelFormat.NV12M, 64, 64)));
    }

    @Test
    void flagsKeepUnknownBits() {
        int bits = BufferFlag.ERROR.bit() | BufferFlag.LAST.bit() | 0x4000_0000;
        assertEquals(Set.of(BufferFlag.ERROR, BufferFlag.LAST), BufferFlag.decode(bits));
        assertEquals(0x4000_0000, BufferFlag.unknownBits(bits));
        assertEquals(Set.of(QueueCapability.SUPPORTS_MMAP, QueueCapability.SUPPORTS_MAX_NUM_BUFFERS),
                QueueCapability.decode(1 | 1 << 7 | 1 << 20));
        assertEquals(1 << 20, QueueCapability.unknownBits(1 | 1 << 7 | 1 << 20));
        for (Field field : Field.values()) {
            assertEquals(field, Field.of(field.value()));
        }
        assertThrows(IllegalArgumentException.class, () -> Field.of(99));
    }
}
