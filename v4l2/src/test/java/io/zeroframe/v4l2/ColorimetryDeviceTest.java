package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.control.ControlInfo;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Colorimetry an application asks for ({@code V4L2_PIX_FMT_FLAG_SET_CSC} with colorspace, Y'CbCr encoding,
 * quantization and transfer function) reaches vivid's single-planar capture queue: the kernel reads those fields of
 * {@code struct v4l2_pix_format} only when {@code priv} is {@code V4L2_PIX_FMT_PRIV_MAGIC}.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class ColorimetryDeviceTest {
    /** {@code V4L2_COLORSPACE_BT2020}, {@code V4L2_YCBCR_ENC_BT2020}, {@code V4L2_QUANTIZATION_FULL_RANGE}, {@code V4L2_XFER_FUNC_SMPTE2084}. */
    private static final int BT2020 = 10;
    private static final int YCBCR_ENC_BT2020 = 6;
    private static final int FULL_RANGE = 1;
    private static final int SMPTE2084 = 6;

    /** vivid's menu controls that hold the capture colorimetry it reports when the application sets none. */
    private static final List<String> VIVID_CSC_CONTROLS = List.of("colorspace", "transfer_function",
            "y_cbcr_encoding", "quantization");

    @Test
    void aRequestedColorimetrySurvivesTryAndSetFormat() throws Exception {
        try (VideoDevice camera = VideoDevice.open(Vivid.capture())) {
            VideoFormat before = camera.getFormat(BufferType.VIDEO_CAPTURE);
            VideoFormat request = VideoFormat.of(BufferType.VIDEO_CAPTURE, PixelFormat.YUYV, 640, 480)
                    .withColorimetry(BT2020, YCBCR_ENC_BT2020, FULL_RANGE, SMPTE2084);
            try {
                VideoFormat tried = camera.tryFormat(request);
                System.out.println("asked " + colorimetry(request) + ", TRY_FMT " + colorimetry(tried) + ", before "
                        + colorimetry(before));
                assertEquals(colorimetry(request), colorimetry(tried), "TRY_FMT");
                VideoFormat set = camera.setFormat(request);
                assertEquals(colorimetry(request), colorimetry(set), "S_FMT");
                assertEquals(colorimetry(request), colorimetry(camera.getFormat(BufferType.VIDEO_CAPTURE)), "G_FMT");
            } finally {
                // vivid keeps the colorimetry for later opens; its controls put back what it reported before
                camera.setFormat(new VideoFormat(before.type(), before.fourcc(), before.width(), before.height(),
                        before.field(), 0, 0, 0, 0, 0, before.planes()));
                for (String name : VIVID_CSC_CONTROLS) {
                    ControlInfo control = camera.controls().find(name);
                    int value = camera.controls().getInt(name);
                    camera.controls().set(name, value == control.minimum() ? control.maximum() : control.minimum());
                    camera.controls().set(name, value);
                }
            }
            assertEquals(colorimetry(before), colorimetry(camera.getFormat(BufferType.VIDEO_CAPTURE)),
                    "vivid's colorimetry restored");
        }
    }

    private static String colorimetry(VideoFormat f) {
        return "colorspace " + f.colorspace() + ", ycbcr_enc " + f.ycbcrEncoding() + ", quantization "
                + f.quantization() + ", xfer_func " + f.transferFunction();
    }
}
