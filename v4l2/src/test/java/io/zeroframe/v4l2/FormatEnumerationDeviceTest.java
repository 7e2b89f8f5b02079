package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.format.FormatDescription;
import io.zeroframe.v4l2.format.FormatOffer;
import io.zeroframe.v4l2.format.FrameIntervals;
import io.zeroframe.v4l2.format.FrameSizes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Format enumeration of the test bed's video nodes, checked against v4l2-ctl. */
@Tag("device")
@ExtendWith(NoLeaks.class)
class FormatEnumerationDeviceTest {
    /** Every format, size and interval of every video node and queue equals what v4l2-ctl lists. */
    @Test
    void everyNodeListsWhatV4l2CtlLists() throws Exception {
        int nodes = 0;
        int formats = 0;
        int lines = 0;
        for (Path node : VideoDevices.nodes()) {
            try (VideoDevice device = VideoDevice.open(node)) {
                for (BufferType type : device.bufferTypes()) {
                    if (!FormatEnumeration.hasFormats(type)) {
                        continue;
                    }
                    long start = System.nanoTime();
                    List<FormatOffer> offers = device.formatOffers(type);
                    long micros = (System.nanoTime() - start) / 1000;
                    Map<String, List<String>> sections =
                            V4l2Ctl.formatSections(V4l2Ctl.run(node, V4l2Ctl.listFormatsOption(type)));
                    List<String> expected = sections.get(V4l2Ctl.typeName(type));
                    assertNotNull(expected, node + " " + type + ": v4l2-ctl printed " + sections.keySet());
                    assertEquals(String.join("\n", expected), String.join("\n", V4l2Ctl.render(offers)),
                            node + " (" + device.info().driver() + " " + device.info().name() + ") " + type);
                    System.out.printf("%s %s %s: %d formats, %d lines agree with v4l2-ctl (%d us)%n", node,
                            device.info().name(), type, offers.size(), expected.size(), micros);
                    formats += offers.size();
                    lines += expected.size();
                }
                nodes++;
            }
        }
        System.out.printf("%d nodes, %d formats, %d v4l2-ctl lines%n", nodes, formats, lines);
        assertTrue(nodes >= 16 && formats > 100, nodes + " nodes, " + formats + " formats");
    }

    /** vivid's formats map to the frame model where it knows them; others keep their fourcc visible. */
    @Test
    void vividFormatsMapToTheFrameModel() throws Exception {
        try (VideoDevice capture = VideoDevice.open(vivid("vivid-000-vid-cap"));
             VideoDevice mplane = VideoDevice.open(vivid("vivid-001-vid-cap"))) {
            assertEquals(Set.of(BufferType.VIDEO_CAPTURE), capture.bufferTypes());
            List<FormatDescription> formats = capture.formats(BufferType.VIDEO_CAPTURE);
            assertEquals(PixelFormat.YUYV, formats.getFirst().pixelFormat().orElseThrow());
            assertEquals("YUYV", formats.getFirst().fourcc().toString());
            assertTrue(formats.stream().anyMatch(f -> f.pixelFormat().equals(java.util.Optional.of(PixelFormat.NV12))));
            assertTrue(formats.stream().anyMatch(f -> f.pixelFormat().equals(java.util.Optional.of(PixelFormat.XRGB8888))));
            FormatDescription bigEndian = formats.stream().filter(f -> f.fourcc().isBigEndian()).findFirst().orElseThrow();
            assertEquals("Y16 -BE", bigEndian.fourcc().toString());
            assertTrue(bigEndian.pixelFormat().isEmpty());
            assertFalse(formats.getFirst().isCompressed());

            assertEquals(Set.of(BufferType.VIDEO_CAPTURE_MPLANE), mplane.bufferTypes());
            assertTrue(mplane.formats(BufferType.VIDEO_CAPTURE_MPLANE).stream()
                    .anyMatch(f -> f.pixelFormat().equals(java.util.Optional.of(PixelFormat.NV12M))));

            FrameSizes sizes = capture.frameSizes(FourCc.of("YUYV"));
            FrameSizes.Discrete discrete = assertInstanceOf(FrameSizes.Discrete.class, sizes);
            assertTrue(discrete.allows(640, 480));
            assertFalse(discrete.allows(1280, 800));
            FrameIntervals intervals = capture.frameIntervals(FourCc.of("YUYV"), 640, 480);
            assertTrue(((FrameIntervals.Discrete) intervals).intervals().contains(new Fraction(1, 30)));
            assertEquals(FrameSizes.NONE, capture.frameSizes(FourCc.of("ZZZZ")));
            assertEquals(FrameIntervals.NONE, capture.frameIntervals(FourCc.of("YUYV"), 641, 479));
        }
    }

    /** Codecs: compressed formats, stepwise sizes. */
    @Test
    void vicodecEncoderOffersStepwiseSizesAndACompressedFormat() throws Exception {
        VideoDeviceInfo encoder = VideoDevices.findByDriver("vicodec").stream()
                .filter(i -> i.name().equals("stateful-encoder")).findFirst().orElseThrow();
        try (VideoDevice device = VideoDevice.open(encoder)) {
            assertTrue(device.bufferTypes().containsAll(Set.of(BufferType.VIDEO_CAPTURE, BufferType.VIDEO_OUTPUT))
                    || device.bufferTypes().containsAll(Set.of(BufferType.VIDEO_CAPTURE_MPLANE,
                    BufferType.VIDEO_OUTPUT_MPLANE)), device.bufferTypes().toString());
            BufferType capture = device.bufferTypes().contains(BufferType.VIDEO_CAPTURE)
                    ? BufferType.VIDEO_CAPTURE : BufferType.VIDEO_CAPTURE_MPLANE;
            FormatOffer fwht = device.formatOffers(capture).getFirst();
            assertEquals("FWHT", fwht.format().fourcc().toString());
            assertTrue(fwht.format().isCompressed());
            FrameSizes.Stepwise sizes = assertInstanceOf(FrameSizes.Stepwise.class, fwht.sizes());
            assertTrue(sizes.allows(640, 480));
            assertFalse(sizes.allows(641, 480));
            assertTrue(fwht.intervals().isEmpty());
        }
    }

    /** A queue the node lacks: EINVAL naming the queues it has. */
    @Test
    void aQueueTheNodeLacksIsNamed() throws Exception {
        try (VideoDevice capture = VideoDevice.open(vivid("vivid-000-vid-cap"))) {
            KernelException e = assertThrows(KernelException.class, () -> capture.formats(BufferType.VIDEO_OUTPUT));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals("VIDIOC_ENUM_FMT on " + capture.path() + ": EINVAL (Invalid argument): the node has no "
                    + "V4L2_BUF_TYPE_VIDEO_OUTPUT queue; its queues: [VIDEO_CAPTURE]", e.getMessage());
            assertThrows(KernelException.class, () -> capture.formatOffers(BufferType.META_CAPTURE));
        }
    }

    static Path vivid(String name) throws Exception {
        return VideoDevices.findByDriver("vivid").stream().filter(i -> i.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no vivid node named " + name)).path();
    }
}
