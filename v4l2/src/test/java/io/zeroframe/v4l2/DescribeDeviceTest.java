package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.v4l2.format.FrameIntervals;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The one-pass description of a node ({@link VideoDevice#describe()}) and the calls on a closed node. */
@Tag("device")
@ExtendWith(NoLeaks.class)
class DescribeDeviceTest {
    @Test
    void everyNodeDescribesItself() throws Exception {
        int nodes = 0;
        for (Path node : VideoDevices.nodes()) {
            try (VideoDevice device = VideoDevice.open(node)) {
                long start = System.nanoTime();
                VideoNodeDescription d = device.describe();
                long millis = (System.nanoTime() - start) / 1_000_000;
                String text = d.toString();
                for (BufferType type : d.formats().keySet()) {
                    assertEquals(device.formatOffers(type), d.formats(type), node + " " + type);
                }
                assertEquals(device.controls().list(), d.controls());
                assertEquals(device.inputs(), d.inputs());
                for (BufferType type : d.formats().keySet()) {
                    assertTrue(d.queues().containsKey(type), node + " " + type + " " + d.queues());
                }
                assertTrue(text.startsWith(node + ": " + device.info().driver() + " \""), text);
                System.out.printf("%s (%s): %d lines, %d formats, %d controls, %d values in %d ms%n", node,
                        device.info().name(), text.lines().count(),
                        d.formats().values().stream().mapToInt(List::size).sum(),
                        d.controls().size(), d.values().size(), millis);
                nodes++;
            }
        }
        assertTrue(nodes >= 16, nodes + " nodes");
    }

    @Test
    void vividCaptureReadsWell() throws Exception {
        try (VideoDevice vivid = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap"))) {
            VideoNodeDescription d = vivid.describe();
            String text = d.toString();
            System.out.println(text.lines().limit(30).reduce("", (a, b) -> a + b + "\n") + "...\n"
                    + text.lines().filter(l -> l.contains("test_pattern") || l.contains("brightness")
                    || l.contains("integer_menu") || l.contains("u8_2x3x4x5") || l.contains("string ")).toList());
            assertTrue(text.startsWith(vivid.path() + ": vivid \"vivid\" (vivid-000-vid-cap), platform:vivid-000, "
                    + "version 6."), text);
            assertTrue(text.contains("\n  capabilities: VIDEO_CAPTURE, AUDIO, TUNER, READWRITE, STREAMING, "
                    + "EXT_PIX_FORMAT\n") || text.contains("\n  capabilities: VIDEO_CAPTURE, "), text);
            assertTrue(text.contains("\n  input 0: \"Webcam 000-0\" (camera) (selected)\n"), text);
            assertTrue(text.contains("\n  input 3: \"HDMI 000-0\" (camera) [DV_TIMINGS]\n"), text);
            assertTrue(text.contains("\n  queue V4L2_BUF_TYPE_VIDEO_CAPTURE: 83 formats, "), text);
            assertTrue(text.contains("\n    'YUYV' (YUYV 4:2:2) [CSC_COLORSPACE, CSC_XFER_FUNC, CSC_YCBCR_ENC, "
                    + "CSC_QUANTIZATION] = YUYV\n      320x180 @ 1, 2, 4, 5, 10, 12.500, 15, 25, 30, 40, 50, 60, 120 fps\n"),
                    text);
            assertTrue(text.contains("\n      test_pattern 0x00f0f000 (menu): min=0 max=21 default=0 value=0 "
                    + "(75% Colorbar)\n        0: 75% Colorbar\n"), text);
            assertTrue(text.contains("\n      brightness 0x00980900 (int): min=0 max=255 step=1 default=128 "
                    + "flags=[SLIDER] value=128\n"), text);
            assertTrue(d.offer(BufferType.VIDEO_CAPTURE, FourCc.of("NV12")).isPresent());
            assertTrue(d.offer(BufferType.VIDEO_OUTPUT, FourCc.of("NV12")).isEmpty());
            assertEquals(0, d.currentInput());
            assertEquals(-1, d.currentOutput());
            assertTrue(d.parameters().get(BufferType.VIDEO_CAPTURE).timePerFrameSettable());
            assertTrue(d.values().size() > 60, d.values().size() + " values");
            QueueInfo queue = d.queues().get(BufferType.VIDEO_CAPTURE);
            assertTrue(queue.canExport() && queue.canImport(), queue.toString());
            assertTrue(text.contains(" fps now (settable); buffers: SUPPORTS_MMAP, "), text);
        }
    }

    /**
     * vivid's metadata capture node lists formats only while its instance's capture input is the webcam
     * ({@code VIDIOC_ENUM_FMT} answers EINVAL at index 0 otherwise): an empty list, as v4l2-ctl prints it, and the
     * rest of the description is still there.
     */
    @Test
    void aMetadataNodeWithoutFormatsForTheSelectedInputDescribesItself() throws Exception {
        try (VideoDevice capture = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap"));
             VideoDevice meta = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-meta-cap"))) {
            int webcam = capture.input();
            int sVideo = capture.inputs().stream().filter(i -> i.name().startsWith("S-Video")).findFirst()
                    .orElseThrow().index();
            assertEquals(1, meta.formats(BufferType.META_CAPTURE).size(), "webcam input");
            capture.setInput(sVideo);
            try {
                String peer = V4l2Ctl.run(meta.path(), "--list-formats-meta");
                assertEquals(Map.of("Metadata Capture", List.of()), V4l2Ctl.formatSections(peer), peer);
                assertEquals(List.of(), meta.formats(BufferType.META_CAPTURE));
                assertEquals(List.of(), meta.formatOffers(BufferType.META_CAPTURE));
                VideoNodeDescription d = meta.describe();
                System.out.println("input " + sVideo + " (S-Video) selected:\n" + d);
                assertEquals(Map.of(BufferType.META_CAPTURE, List.of()), d.formats());
                assertEquals(meta.controls().list(), d.controls());
            } finally {
                capture.setInput(webcam);
            }
        }
    }

    @Test
    void aClosedNodeSaysSo() throws Exception {
        VideoDevice vivid = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap"));
        vivid.close();
        FdClosedException formats = assertThrows(FdClosedException.class,
                () -> vivid.formats(BufferType.VIDEO_CAPTURE));
        assertEquals("VIDIOC_ENUM_FMT", formats.operation());
        assertEquals("VIDIOC_QUERY_EXT_CTRL",
                assertThrows(FdClosedException.class, () -> vivid.controls().list()).operation());
        assertThrows(FdClosedException.class, vivid::describe);
        assertThrows(FdClosedException.class, vivid::inputs);
        assertThrows(FdClosedException.class, () -> vivid.setInput(0));
        assertThrows(FdClosedException.class, () -> vivid.streamParameters(BufferType.VIDEO_CAPTURE));
    }

    @Test
    void moreBadInput() throws Exception {
        VideoDeviceInfo encoder = VideoDevices.findByDriver("vicodec").stream()
                .filter(i -> i.name().equals("stateful-encoder")).findFirst().orElseThrow();
        try (VideoDevice codec = VideoDevice.open(encoder)) {
            KernelException meta = assertThrows(KernelException.class, () -> codec.formats(BufferType.META_CAPTURE));
            assertTrue(meta.getMessage().endsWith("the node has no V4L2_BUF_TYPE_META_CAPTURE queue; its queues: "
                    + codec.bufferTypes()), meta.getMessage());
            assertEquals(FrameIntervals.NONE, codec.frameIntervals(FourCc.of("FWHT"), 0, 0));
            assertTrue(codec.inputs().isEmpty());
            KernelException input = assertThrows(KernelException.class, () -> codec.setInput(1));
            assertTrue(input.getMessage().contains("no input 1; the node's inputs: none"), input.getMessage());
            assertTrue(codec.controls().change().apply().isEmpty());
            KernelException selection = assertThrows(KernelException.class,
                    () -> codec.selection(BufferType.META_CAPTURE, SelectionTarget.CROP));
            assertEquals(Errno.EINVAL, selection.errno());
            assertTrue(selection.getMessage().endsWith("the node has no V4L2_BUF_TYPE_META_CAPTURE queue; its queues: "
                    + codec.bufferTypes()), selection.getMessage());
            IllegalArgumentException press = assertThrows(IllegalArgumentException.class,
                    () -> codec.controls().press("video_gop_size"));
            assertTrue(press.getMessage().contains("is V4L2_CTRL_TYPE_INTEGER, not a button to press"),
                    press.getMessage());
        }
    }
}
