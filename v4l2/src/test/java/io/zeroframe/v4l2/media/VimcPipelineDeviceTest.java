package io.zeroframe.v4l2.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.Commands;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.heaps.Heap;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.Rectangle;
import io.zeroframe.v4l2.SelectionTarget;
import io.zeroframe.v4l2.VideoBuffer;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.control.ControlInfo;
import io.zeroframe.v4l2.control.ControlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * vimc, the test bed's media-controller camera: its sub-devices through {@link SubDevice} (checked against
 * {@code v4l2-ctl}), and capture through {@link MediaPipeline}: a path whose formats disagree fails
 * {@code VIDIOC_STREAMON} with EPIPE; once configured it streams 30 frames holding vimc's 75% colour bars, for the
 * debayered RGB path at the sensor's size and at a size only the scaler produces, for the raw Bayer path, and into
 * imported dma-heap buffers. A size the sensor cannot give is reported with the pad that refused it.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class VimcPipelineDeviceTest {
    private static final int FRAMES = 30;
    /** vimc's default test pattern, 75% colour bars (v4l2-tpg), full-range RGB: white, yellow, cyan, green, magenta, red, blue, black. */
    private static final int[] BARS_75 = {0xbfbfbf, 0xbfbf00, 0x00bfbf, 0x00bf00, 0xbf00bf, 0xbf0000, 0x0000bf, 0x000000};

    private static Path node(MediaTopology graph, String entity) {
        return graph.node(graph.entity(entity).orElseThrow(() -> new AssertionError("vimc has no " + entity))
                .id()).orElseThrow();
    }

    @Test
    void subDeviceCallsAgreeWithV4l2Ctl() throws Exception {
        try (MediaDevice media = MediaDevice.open(MediaCtl.vimc())) {
            MediaTopology graph = media.topology();
            try (SubDevice sensor = SubDevice.open(node(graph, "Sensor A"));
                 SubDevice scaler = SubDevice.open(node(graph, "Scaler"))) {
                System.out.println(sensor.path() + ": " + sensor.capability());
                assertFalse(sensor.capability().readOnly());
                List<MediaBusCode> codes = sensor.mbusCodes(0, Which.ACTIVE);
                String peer = Commands.run(Commands.Stderr.DISCARDED, List.of("v4l2-ctl", "-d",
                        sensor.path().toString(), "--list-subdev-mbus-codes", "0")).requireSuccess();
                List<MediaBusCode> peerCodes = new ArrayList<>();
                Matcher m = Pattern.compile("\\t0x([0-9a-f]+): MEDIA_BUS_FMT_(\\w+)").matcher(peer);
                while (m.find()) {
                    peerCodes.add(new MediaBusCode(Integer.parseInt(m.group(1), 16)));
                    assertEquals(m.group(2), new MediaBusCode(Integer.parseInt(m.group(1), 16)).toString());
                }
                assertEquals(peerCodes, codes);
                assertTrue(codes.contains(MediaBusCode.SRGGB8_1X8) && codes.contains(MediaBusCode.RGB888_1X24), codes.toString());
                List<FrameSizeRange> sizes = sensor.frameSizes(0, MediaBusCode.SRGGB8_1X8, Which.ACTIVE);
                System.out.println("Sensor A: " + codes.size() + " codes, sizes " + sizes);
                assertEquals(List.of(new FrameSizeRange(16, 4096, 16, 2160)), sizes); // v4l2-ctl: 16x16 - 4096x2160
                assertEquals(List.of(), sensor.frameSizes(0, new MediaBusCode(0x7fff), Which.ACTIVE));
                System.out.println("Sensor A intervals: "
                        + sensor.frameIntervals(0, MediaBusCode.SRGGB8_1X8, 640, 480, Which.ACTIVE));

                // TRY changes nothing that the device uses
                MediaBusFormat active = sensor.format(0, Which.ACTIVE);
                MediaBusFormat tried = sensor.setFormat(0, Which.TRY, MediaBusFormat.of(MediaBusCode.SBGGR8_1X8, 320, 240));
                assertEquals("SBGGR8_1X8/320x240", tried.code() + "/" + tried.width() + "x" + tried.height());
                assertEquals(tried, sensor.format(0, Which.TRY));
                assertEquals(active, sensor.format(0, Which.ACTIVE));

                // the scaler's sink crop: bounds are the sink format, a set crop is clamped into them
                Rectangle bounds = scaler.selection(0, Which.ACTIVE, SelectionTarget.CROP_BOUNDS);
                MediaBusFormat scalerIn = scaler.format(0, Which.ACTIVE);
                assertEquals(new Rectangle(0, 0, scalerIn.width(), scalerIn.height()), bounds);
                Rectangle crop = scaler.setSelection(0, Which.TRY, SelectionTarget.CROP,
                        new Rectangle(16, 16, 100_000, 100_000), Set.of());
                System.out.println("Scaler crop bounds " + bounds + ", TRY crop asked 100000x100000 at 16,16, got " + crop);
                assertTrue(crop.width() <= bounds.width() && crop.height() <= bounds.height(), crop.toString());
                KernelException compose = assertThrows(KernelException.class,
                        () -> scaler.selection(0, Which.ACTIVE, SelectionTarget.COMPOSE));
                assertTrue(compose.getMessage().startsWith("VIDIOC_SUBDEV_G_SELECTION on " + scaler.path()),
                        compose.getMessage());
                try {
                    Fraction interval = sensor.frameInterval(0);
                    System.out.println("Sensor A frame interval " + interval);
                } catch (KernelException e) {
                    System.out.println("Sensor A frame interval: " + e.getMessage());
                    assertEquals(Errno.ENOTTY, e.errno(), e.getMessage());
                    assertTrue(e.getMessage().contains("the sub-device does not implement it"), e.getMessage());
                }

                // the sensor's controls through the Controls API, as v4l2-ctl lists them
                // v4l2-ctl prints the class headings ("VIMC Controls") as titles, not as controls
                List<String> keys = sensor.controls().list().stream()
                        .filter(i -> i.type() != ControlType.CTRL_CLASS)
                        .map(ControlInfo::key).toList();
                String listed = Commands.run(Commands.Stderr.DISCARDED, List.of("v4l2-ctl", "-d",
                        sensor.path().toString(), "-l")).requireSuccess();
                List<String> peerKeys = new ArrayList<>();
                Matcher c = Pattern.compile("(?m)^\\s+(\\w+) 0x[0-9a-f]{8} ").matcher(listed);
                while (c.find()) {
                    peerKeys.add(c.group(1));
                }
                assertEquals(peerKeys, keys);
                assertEquals(0, sensor.controls().getInt("test_pattern"), "75% colour bars");
                sensor.controls().set("test_pattern", 1);
                try {
                    assertEquals(1, sensor.controls().getInt("test_pattern"));
                    String got = Commands.run(Commands.Stderr.DISCARDED, List.of("v4l2-ctl", "-d",
                            sensor.path().toString(), "--get-ctrl", "test_pattern")).requireSuccess();
                    assertTrue(got.strip().startsWith("test_pattern: 1 "), "v4l2-ctl reads what the library set: " + got);
                } finally {
                    sensor.controls().set("test_pattern", 0);
                }
                System.out.println("Sensor A controls: " + keys);
            }
        }
    }

    @Test
    void rgbPathFailsEpipeUntilConfiguredThenStreamsTheColourBars() throws Exception {
        try (MediaDevice media = MediaDevice.open(MediaCtl.vimc())) {
            MediaTopology graph = media.topology();
            Path capture = node(graph, "RGB/YUV Capture");
            try (VideoDevice video = VideoDevice.open(capture)) {
                // unconfigured: the sensor's RGB888_1X24 does not feed the debayer's Bayer sink (vimc's boot state);
                // made so whatever ran before, with a node format the scaler does not produce either
                try (SubDevice sensor = SubDevice.open(node(graph, "Sensor A"))) {
                    sensor.setFormat(0, Which.ACTIVE, MediaBusFormat.of(MediaBusCode.RGB888_1X24, 640, 480));
                }
                video.setFormat(VideoFormat.of(BufferType.VIDEO_CAPTURE, FourCc.of("RGB3"), 320, 240));
                try (VideoQueue queue = video.openQueue(BufferType.VIDEO_CAPTURE)) {
                    for (VideoBuffer buffer : queue.allocate(4)) {
                        queue.enqueue(buffer);
                    }
                    KernelException epipe = assertThrows(KernelException.class, queue::streamOn);
                    System.out.println("unconfigured: " + epipe.getMessage());
                    assertEquals(Errno.EPIPE, epipe.errno(), epipe.getMessage());
                    assertTrue(epipe.getMessage().startsWith("VIDIOC_STREAMON on " + capture), epipe.getMessage());
                }

                PipelineConfiguration done = MediaPipeline.configure(media, video,
                        MediaBusFormat.of(MediaBusCode.SRGGB8_1X8, 640, 480),
                        MediaBusFormat.of(MediaBusCode.RGB888_1X24, 640, 480), null);
                System.out.println("640x480: " + done);
                assertTrue(done.isComplete(), done.toString());
                assertEquals(List.of("\"Sensor A\":0 -> \"Debayer A\":0", "\"Debayer A\":1 -> \"Scaler\":0",
                        "\"Scaler\":1 -> \"RGB/YUV Capture\":0"), done.path().stream().map(graph::linkName).toList());
                VideoFormat format = done.videoFormat().orElseThrow();
                assertEquals("RGB3", format.fourccName());
                streamAndCheckBars(video, format);
            }
        }
    }

    @Test
    void aSizeOnlyTheScalerProducesStreamsScaled() throws Exception {
        try (MediaDevice media = MediaDevice.open(MediaCtl.vimc());
             VideoDevice video = VideoDevice.open(node(media.topology(), "RGB/YUV Capture"))) {
            PipelineConfiguration done = MediaPipeline.configure(media, video,
                    MediaBusFormat.of(MediaBusCode.SRGGB8_1X8, 640, 480),
                    MediaBusFormat.of(MediaBusCode.RGB888_1X24, 320, 240), null);
            System.out.println("640x480 scaled to 320x240: " + done);
            assertTrue(done.isComplete(), done.toString());
            PadStep scalerOut = done.steps().stream().filter(s -> s.pad().equals("\"Scaler\":1")).findFirst().orElseThrow();
            assertEquals(320, scalerOut.answered().width());
            PadStep scalerIn = done.steps().stream().filter(s -> s.pad().equals("\"Scaler\":0")).findFirst().orElseThrow();
            assertEquals(640, scalerIn.answered().width(), "the scaler's sink still gets the sensor's size");
            VideoFormat format = done.videoFormat().orElseThrow();
            assertEquals(320, format.width());
            assertEquals(240, format.height());
            streamAndCheckBars(video, format);
        }
    }

    @Test
    void rawBayerPathStreamsTheColourBarsAsRggbSamples() throws Exception {
        try (MediaDevice media = MediaDevice.open(MediaCtl.vimc());
             VideoDevice video = VideoDevice.open(node(media.topology(), "Raw Capture 0"))) {
            PipelineConfiguration done = MediaPipeline.configure(media, video, MediaBusCode.SRGGB8_1X8, 640, 480);
            System.out.println("raw: " + done);
            assertTrue(done.isComplete(), done.toString());
            VideoFormat format = done.videoFormat().orElseThrow();
            assertEquals("RGGB", format.fourccName(), "VIDIOC_ENUM_FMT with mbus_code SRGGB8_1X8");
            streamAndCheckBars(video, format);
        }
    }

    @Test
    void aSizeTheSensorCannotGiveIsReportedWithTheRefusingPad() throws Exception {
        try (MediaDevice media = MediaDevice.open(MediaCtl.vimc());
             VideoDevice video = VideoDevice.open(node(media.topology(), "RGB/YUV Capture"))) {
            VideoFormat before = video.getFormat(BufferType.VIDEO_CAPTURE);
            PipelineConfiguration refused = MediaPipeline.configure(media, video, MediaBusCode.SRGGB8_1X8, 8000, 6000);
            System.out.println("8000x6000: " + refused);
            assertFalse(refused.isComplete());
            PadStep refusal = refused.refusal().orElseThrow();
            assertEquals("\"Sensor A\":0", refusal.pad());
            assertEquals(8000, refusal.requested().width());
            assertEquals(4096, refusal.answered().width(), "vimc's sensor clamps to 4096x2160");
            assertEquals(2160, refusal.answered().height());
            assertEquals(1, refused.steps().size(), "configuration stopped at the refusing pad");
            assertTrue(refused.videoFormat().isEmpty());
            assertEquals(before, video.getFormat(BufferType.VIDEO_CAPTURE), "the video node was left alone");
        }
    }

    /** Streams {@link #FRAMES} MMAP frames and checks the 75% bars in each. */
    private static void streamAndCheckBars(VideoDevice video, VideoFormat format) throws Exception {
        int checked = 0;
        int maxDeviation = 0;
        try (VideoQueue queue = video.openQueue(BufferType.VIDEO_CAPTURE)) {
            for (VideoBuffer buffer : queue.allocate(4)) {
                queue.enqueue(buffer);
            }
            queue.streamOn();
            for (int i = 0; i < FRAMES; i++) {
                VideoBuffer frame = queue.dequeue(10_000).orElseThrow(() -> new AssertionError("no frame in 10 s"));
                assertFalse(frame.isError());
                assertEquals(format.sizeImage(0), frame.bytesUsed(0));
                maxDeviation = Math.max(maxDeviation, checkBars(frame.plane(0), format, "frame " + frame.sequence()));
                checked += 24;
                queue.enqueue(frame);
            }
            queue.streamOff();
        }
        System.out.println(video.path() + " " + format.fourccName() + " " + format.width() + "x" + format.height()
                + ": " + FRAMES + " frames streamed, " + checked + " bar probes, largest deviation " + maxDeviation);
    }

    /**
     * Checks the 75% bars in one frame at 8 bars x 3 heights (RGB24 pixels, or RGGB cells for the raw format), a
     * channel off by more than 4 failing; returns the largest deviation seen.
     */
    private static int checkBars(MemorySegment pixels, VideoFormat format, String what) {
        long pitch = format.planes().getFirst().bytesPerLine();
        int maxDeviation = 0;
        List<String> wrong = new ArrayList<>();
        for (int bar = 0; bar < 8; bar++) {
            int x = (bar * format.width() / 8 + format.width() / 16) & ~1;
            for (int y : new int[] {format.height() / 4 & ~1, format.height() / 2 & ~1, format.height() - 4}) {
                int rgb = format.fourccName().equals("RGGB") ? rggbAt(pixels, pitch, x, y) : rgb24At(pixels, pitch, x, y);
                int deviation = deviation(rgb, BARS_75[bar]);
                maxDeviation = Math.max(maxDeviation, deviation);
                if (deviation > 4) {
                    wrong.add(String.format("bar %d (%d,%d)=%06x want %06x", bar, x, y, rgb, BARS_75[bar]));
                }
            }
        }
        assertEquals(List.of(), wrong, what);
        return maxDeviation;
    }

    /**
     * The configured RGB path captures into buffers the application allocated elsewhere: three system dma-heap
     * buffers imported with {@code V4L2_MEMORY_DMABUF}, each frame read back through the dma-buf's own mapping.
     */
    @Test
    void theConfiguredPathCapturesIntoImportedHeapBuffers() throws Exception {
        try (MediaDevice media = MediaDevice.open(MediaCtl.vimc());
             VideoDevice video = VideoDevice.open(node(media.topology(), "RGB/YUV Capture"));
             Heap heap = Heap.open("system")) {
            PipelineConfiguration done = MediaPipeline.configure(media, video,
                    MediaBusFormat.of(MediaBusCode.SRGGB8_1X8, 640, 480),
                    MediaBusFormat.of(MediaBusCode.RGB888_1X24, 640, 480), FourCc.of("RGB3"));
            assertTrue(done.isComplete(), done.toString());
            VideoFormat format = done.videoFormat().orElseThrow();
            List<DmaBuf> owned = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    owned.add(heap.allocate(format.sizeImage(0)));
                }
                try (VideoQueue queue = video.openQueue(BufferType.VIDEO_CAPTURE)) {
                    for (VideoBuffer buffer : queue.importDmaBufs(owned.stream().map(List::of).toList())) {
                        queue.enqueue(buffer);
                    }
                    queue.streamOn();
                    for (int i = 0; i < FRAMES; i++) {
                        VideoBuffer frame = queue.dequeue(10_000).orElseThrow(() -> new AssertionError("no frame"));
                        assertFalse(frame.isError());
                        assertTrue(frame.dmaBuf(0) == owned.get(frame.index()));
                        try (Arena arena = Arena.ofConfined()) {
                            MemorySegment pixels = frame.dmaBuf(0).map(arena, Access.READ);
                            try (CpuAccess cpu = frame.dmaBuf(0).cpuAccess(Access.READ)) {
                                checkBars(pixels, format, "heap buffer " + frame.index() + " frame " + frame.sequence());
                            }
                        }
                        queue.enqueue(frame);
                    }
                    queue.streamOff();
                }
            } finally {
                owned.forEach(DmaBuf::close);
            }
            System.out.println(video.path() + ": " + FRAMES + " frames captured into 3 imported system-heap dma-bufs, "
                    + "bars checked in each");
        }
    }

    private static int deviation(int a, int b) {
        int max = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            max = Math.max(max, Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff)));
        }
        return max;
    }

    /** The RGB24 (bytes R, G, B) pixel at {@code x, y} as 0xRRGGBB. */
    private static int rgb24At(MemorySegment pixels, long pitch, int x, int y) {
        long at = y * pitch + x * 3L;
        return (u8(pixels, at) << 16) | (u8(pixels, at + 1) << 8) | u8(pixels, at + 2);
    }

    /** The colour of the 2x2 RGGB cell at even {@code x, y}: R top left, G top right, B bottom right. */
    private static int rggbAt(MemorySegment pixels, long pitch, int x, int y) {
        long at = y * pitch + x;
        return (u8(pixels, at) << 16) | (u8(pixels, at + 1) << 8) | u8(pixels, at + pitch + 1);
    }

    private static int u8(MemorySegment pixels, long at) {
        return Byte.toUnsignedInt(pixels.get(ValueLayout.JAVA_BYTE, at));
    }
}
