package io.zeroframe.v4l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.v4l2.io.DvTimings;
import io.zeroframe.v4l2.io.DvTimingsCapabilities;
import io.zeroframe.v4l2.io.InputStatus;
import io.zeroframe.v4l2.io.IoCapability;
import io.zeroframe.v4l2.io.VideoInput;
import io.zeroframe.v4l2.io.VideoOutput;
import io.zeroframe.v4l2.io.VideoStandard;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * vivid's inputs, outputs, standards, DV timings, priorities, selections and streaming parameters, checked
 * against v4l2-ctl and by round trips. Every test puts vivid back as it found it (input 0, default settings).
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class DeviceSettingsDeviceTest {
    private static final int TV = 1;
    private static final int HDMI = 3;

    @Test
    void inputsAndOutputsAgreeWithV4l2Ctl() throws Exception {
        Path capture = FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap");
        try (VideoDevice vivid = VideoDevice.open(capture)) {
            List<VideoInput> inputs = vivid.inputs();
            List<Map<String, String>> expected = V4l2Ctl.blocks(V4l2Ctl.run(capture, "--list-inputs"));
            assertEquals(expected.size(), inputs.size(), expected.toString());
            assertEquals(4, inputs.size());
            for (VideoInput in : inputs) {
                Map<String, String> e = expected.get(in.index());
                assertEquals(Integer.toString(in.index()), e.get("Input"));
                assertEquals(e.get("Name"), in.name());
                assertEquals(V4l2Ctl.hex(e.get("Type")), in.type());
                assertEquals(V4l2Ctl.hex(e.get("Audioset")), in.audioset());
                assertEquals(V4l2Ctl.hex(e.get("Tuner")), in.tuner());
                assertEquals(V4l2Ctl.hex(e.get("Standard")), in.standards());
                assertEquals(V4l2Ctl.hex(e.get("Status")), bits(in.status().stream().mapToInt(InputStatus::bit))
                        | in.unknownStatusBits());
                assertEquals(V4l2Ctl.hex(e.get("Capabilities")), bits(in.capabilities().stream()
                        .mapToInt(IoCapability::bit)) | in.unknownCapabilityBits());
            }
            assertEquals(VideoInput.TYPE_TUNER, inputs.get(TV).type());
            assertTrue(inputs.get(TV).hasStandards());
            assertTrue(inputs.get(HDMI).hasDvTimings());
            assertEquals(0, vivid.input());
            assertTrue(V4l2Ctl.run(capture, "--get-input").startsWith("Video input : 0 ("));
            assertTrue(vivid.outputs().isEmpty());
        }
        Path output = FormatEnumerationDeviceTest.vivid("vivid-000-vid-out");
        try (VideoDevice vivid = VideoDevice.open(output)) {
            List<VideoOutput> outputs = vivid.outputs();
            List<Map<String, String>> expected = V4l2Ctl.blocks(V4l2Ctl.run(output, "--list-outputs"));
            assertEquals(expected.size(), outputs.size());
            for (VideoOutput out : outputs) {
                Map<String, String> e = expected.get(out.index());
                assertEquals(e.get("Name"), out.name());
                assertEquals(V4l2Ctl.hex(e.get("Type")), out.type());
                assertEquals(V4l2Ctl.hex(e.get("Audioset")), out.audioset());
                assertEquals(V4l2Ctl.hex(e.get("Standard")), out.standards());
                assertEquals(V4l2Ctl.hex(e.get("Capabilities")), bits(out.capabilities().stream()
                        .mapToInt(IoCapability::bit)) | out.unknownCapabilityBits());
            }
            assertEquals(0, vivid.output());
            vivid.setOutput(1);
            assertEquals(1, vivid.output());
            vivid.setOutput(0);
            assertTrue(vivid.inputs().isEmpty());
        }
    }

    private static int bits(java.util.stream.IntStream bits) {
        return bits.reduce(0, (a, b) -> a | b);
    }

    @Test
    void aMissingInputIsNamedWithTheInputs() throws Exception {
        try (VideoDevice vivid = VideoDevice.open(FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap"))) {
            KernelException e = assertThrows(KernelException.class, () -> vivid.setInput(4));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().startsWith("VIDIOC_S_INPUT on " + vivid.path() + ": EINVAL (Invalid argument): "
                    + "no input 4; the node's inputs: 0: \"Webcam 000-0\" (camera), 1: \"TV 000-0\" (tuner)"),
                    e.getMessage());
            assertEquals(0, vivid.input());
            // the webcam input has neither standards nor DV timings
            KernelException std = assertThrows(KernelException.class, vivid::standard);
            assertEquals("VIDIOC_G_STD on " + vivid.path() + ": ENODATA (No data available): the current input or "
                    + "output has no standards (V4L2_IN_CAP_STD); select one that has (inputs(), outputs())",
                    std.getMessage());
            KernelException dv = assertThrows(KernelException.class, vivid::dvTimings);
            assertEquals(61, dv.errno());
            KernelException crop = assertThrows(KernelException.class,
                    () -> vivid.selection(BufferType.VIDEO_CAPTURE, SelectionTarget.CROP));
            assertTrue(crop.getMessage().contains("V4L2_SEL_TGT_CROP is not supported on V4L2_BUF_TYPE_VIDEO_CAPTURE"),
                    crop.getMessage());
            KernelException parm = assertThrows(KernelException.class,
                    () -> vivid.streamParameters(BufferType.VIDEO_OUTPUT));
            assertTrue(parm.getMessage().endsWith("the node has no V4L2_BUF_TYPE_VIDEO_OUTPUT queue; its queues: "
                    + "[VIDEO_CAPTURE]"), parm.getMessage());
        }
    }

    @Test
    void standardsOnTheTvInput() throws Exception {
        Path capture = FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap");
        try (VideoDevice vivid = VideoDevice.open(capture)) {
            vivid.setInput(TV);
            try {
                List<VideoStandard> standards = vivid.standards();
                List<Map<String, String>> expected = V4l2Ctl.blocks(V4l2Ctl.run(capture, "--list-standards"));
                assertEquals(expected.size(), standards.size());
                for (VideoStandard s : standards) {
                    Map<String, String> e = expected.get(s.index());
                    assertEquals(Integer.toString(s.index()), e.get("Index"));
                    assertEquals(V4l2Ctl.hex(e.get("ID")), s.id());
                    assertEquals(e.get("Name"), s.name());
                    assertEquals(e.get("Frame period"), s.framePeriod().toString());
                    assertEquals(e.get("Frame lines"), Integer.toString(s.frameLines()));
                }
                long original = vivid.standard();
                assertTrue(V4l2Ctl.run(capture, "--get-standard").startsWith(String.format("Video Standard = 0x%08x",
                        original)));
                VideoStandard ntsc = standards.stream().filter(s -> s.name().equals("NTSC-M")).findFirst().orElseThrow();
                vivid.setStandard(ntsc.id());
                assertEquals(ntsc.id(), vivid.standard());
                assertTrue(V4l2Ctl.run(capture, "--get-standard").startsWith(String.format("Video Standard = 0x%08x",
                        ntsc.id())));
                assertEquals(ntsc.id(), vivid.queryStandard() & ntsc.id());
                assertEquals(new Fraction(1001, 30000), vivid.streamParameters(BufferType.VIDEO_CAPTURE).timePerFrame());
                KernelException bad = assertThrows(KernelException.class, () -> vivid.setStandard(1L << 40));
                assertTrue(bad.getMessage().contains("standard 0x0000010000000000 is not one the current input or "
                        + "output supports"), bad.getMessage());
                vivid.setStandard(original);
                assertEquals(original, vivid.standard());
            } finally {
                vivid.setInput(0);
            }
        }
    }

    @Test
    void dvTimingsOnTheHdmiInput() throws Exception {
        Path capture = FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap");
        try (VideoDevice vivid = VideoDevice.open(capture)) {
            vivid.setInput(HDMI);
            try {
                List<DvTimings> list = vivid.dvTimingsList();
                List<Map<String, String>> expected = V4l2Ctl.blocks(V4l2Ctl.run(capture, "--list-dv-timings"));
                assertEquals(expected.size(), list.size());
                for (int i = 0; i < list.size(); i++) {
                    Map<String, String> e = new LinkedHashMap<>(expected.get(i));
                    assertEquals(Integer.toString(i), e.remove("Index"));
                    assertEquals(e, V4l2Ctl.render(list.get(i)), "DV timings " + i);
                }
                DvTimings original = vivid.dvTimings();
                assertEquals(V4l2Ctl.blocks(V4l2Ctl.run(capture, "--get-dv-timings")).getFirst(),
                        V4l2Ctl.render(original));
                DvTimingsCapabilities caps = vivid.dvTimingsCapabilities();
                Map<String, String> c = V4l2Ctl.blocks(V4l2Ctl.run(capture, "--get-dv-timings-cap")).getFirst();
                assertEquals(c.get("Minimum Width"), Integer.toString(caps.minWidth()));
                assertEquals(c.get("Maximum Width"), Integer.toString(caps.maxWidth()));
                assertEquals(c.get("Minimum Height"), Integer.toString(caps.minHeight()));
                assertEquals(c.get("Maximum Height"), Integer.toString(caps.maxHeight()));
                assertEquals(c.get("Minimum PClock"), Long.toString(caps.minPixelClock()));
                assertEquals(c.get("Maximum PClock"), Long.toString(caps.maxPixelClock()));
                assertEquals(c.get("Standards"), String.join(", ", caps.standards().stream()
                        .map(V4l2Ctl::standardName).toList()));
                assertEquals(c.get("Capabilities").contains("Interlaced"), caps.interlaced());
                assertEquals(c.get("Capabilities").contains("Progressive"), caps.progressive());

                DvTimings fullHd = list.stream().filter(t -> t.width() == 1920 && t.height() == 1080 && !t.interlaced()
                        && Math.round(t.framesPerSecond()) == 60).findFirst().orElseThrow();
                DvTimings set = vivid.setDvTimings(fullHd);
                assertEquals(fullHd, set);
                assertEquals(fullHd, vivid.dvTimings());
                assertEquals(V4l2Ctl.blocks(V4l2Ctl.run(capture, "--get-dv-timings")).getFirst(), V4l2Ctl.render(fullHd));
                assertEquals(fullHd, vivid.queryDvTimings()); // vivid's receiver sees what it was told to send
                assertEquals("1920x1080p60.00 (148500000 Hz)", fullHd.toString());
                DvTimings tooWide = new DvTimings(8192, 1080, false, true, true, 148_500_000, 88, 44, 148, 4, 5, 36,
                        0, 0, 0, Set.of(), Set.of(), 0, new Fraction(0, 0), 0, 0);
                KernelException e = assertThrows(KernelException.class, () -> vivid.setDvTimings(tooWide));
                assertEquals(Errno.EINVAL, e.errno());
                assertTrue(e.getMessage().contains("timings 8192x1080p"), e.getMessage());
                assertEquals(fullHd, vivid.dvTimings());
                vivid.setDvTimings(original);
                assertEquals(original, vivid.dvTimings());
                assertTrue(vivid.standards().isEmpty() || !vivid.inputs().get(HDMI).hasStandards());
            } finally {
                vivid.setInput(0);
            }
        }
    }

    @Test
    void recordPriorityKeepsOtherHandlesOut() throws Exception {
        Path capture = FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap");
        try (VideoDevice other = VideoDevice.open(capture)) {
            assertEquals(Priority.INTERACTIVE, other.priority());
            try (VideoDevice recorder = VideoDevice.open(capture)) {
                recorder.setPriority(Priority.RECORD);
                assertEquals(Priority.RECORD, recorder.priority());
                assertEquals(Priority.RECORD, other.priority()); // G_PRIORITY reports the device's highest
                KernelException e = assertThrows(KernelException.class, () -> other.setInput(0));
                assertEquals(Errno.EBUSY, e.errno());
                assertTrue(e.getMessage().contains("V4L2_PRIORITY_RECORD"), e.getMessage());
                KernelException p = assertThrows(KernelException.class, () -> other.setPriority(Priority.RECORD));
                assertEquals(Errno.EBUSY, p.errno());
                recorder.setInput(0); // the recorder may
            }
            other.setInput(0); // closing the recorder released its priority
            assertEquals(Priority.INTERACTIVE, other.priority());
            KernelException unset = assertThrows(KernelException.class, () -> other.setPriority(Priority.UNSET));
            assertEquals(Errno.EINVAL, unset.errno());
        }
    }

    @Test
    void selectionRoundTripOnTheTvInput() throws Exception {
        Path capture = FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap");
        try (VideoDevice vivid = VideoDevice.open(capture)) {
            vivid.setInput(TV);
            try {
                Rectangle crop = vivid.selection(BufferType.VIDEO_CAPTURE, SelectionTarget.CROP);
                Rectangle bounds = vivid.selection(BufferType.VIDEO_CAPTURE, SelectionTarget.CROP_BOUNDS);
                Rectangle defaults = vivid.selection(BufferType.VIDEO_CAPTURE, SelectionTarget.CROP_DEFAULT);
                assertEquals(String.format("Selection Video Capture: crop, Left %d, Top %d, Width %d, Height %d, Flags: ",
                        crop.left(), crop.top(), crop.width(), crop.height()),
                        V4l2Ctl.run(capture, "--get-selection", "target=crop").strip() + " ");
                assertEquals(String.format("Selection Video Capture: crop_bounds, Left %d, Top %d, Width %d, Height %d,"
                        + " Flags: ", bounds.left(), bounds.top(), bounds.width(), bounds.height()),
                        V4l2Ctl.run(capture, "--get-selection", "target=crop_bounds").strip() + " ");
                Rectangle half = new Rectangle(16, 16, bounds.width() / 2, bounds.height() / 2);
                Rectangle set = vivid.setSelection(BufferType.VIDEO_CAPTURE, SelectionTarget.CROP, half, Set.of());
                assertEquals(set, vivid.selection(BufferType.VIDEO_CAPTURE, SelectionTarget.CROP));
                assertTrue(set.width() <= bounds.width() && set.height() <= bounds.height(), set.toString());
                assertEquals(String.format("Selection Video Capture: crop, Left %d, Top %d, Width %d, Height %d, Flags: ",
                        set.left(), set.top(), set.width(), set.height()),
                        V4l2Ctl.run(capture, "--get-selection", "target=crop").strip() + " ");
                vivid.setSelection(BufferType.VIDEO_CAPTURE, SelectionTarget.CROP, defaults, Set.of());
                assertEquals(defaults, vivid.selection(BufferType.VIDEO_CAPTURE, SelectionTarget.CROP));
                KernelException ro = assertThrows(KernelException.class, () -> vivid.setSelection(
                        BufferType.VIDEO_CAPTURE, SelectionTarget.CROP_BOUNDS, half, Set.of()));
                assertEquals(Errno.EINVAL, ro.errno());
            } finally {
                vivid.setInput(0);
            }
        }
    }

    @Test
    void frameRateRoundTrip() throws Exception {
        Path capture = FormatEnumerationDeviceTest.vivid("vivid-000-vid-cap");
        try (VideoDevice vivid = VideoDevice.open(capture)) {
            StreamParameters original = vivid.streamParameters(BufferType.VIDEO_CAPTURE);
            assertTrue(original.timePerFrameSettable());
            try {
                StreamParameters thirty = vivid.setTimePerFrame(BufferType.VIDEO_CAPTURE, new Fraction(1, 30));
                assertEquals(new Fraction(1, 30), thirty.timePerFrame());
                assertEquals(thirty, vivid.streamParameters(BufferType.VIDEO_CAPTURE));
                assertParm(capture, "--get-parm", thirty, "Read buffers");
                // 1000 fps is not among the webcam input's intervals: the driver picks the nearest
                StreamParameters fastest = vivid.setTimePerFrame(BufferType.VIDEO_CAPTURE, new Fraction(1, 1000));
                assertFalse(fastest.timePerFrame().equals(new Fraction(1, 1000)), fastest.toString());
                assertTrue(fastest.timePerFrame().perSecond() <= 120, fastest.toString());
            } finally {
                vivid.setTimePerFrame(BufferType.VIDEO_CAPTURE, original.timePerFrame());
            }
            assertEquals(original, vivid.streamParameters(BufferType.VIDEO_CAPTURE));
        }
        Path output = FormatEnumerationDeviceTest.vivid("vivid-000-vid-out");
        try (VideoDevice vivid = VideoDevice.open(output)) {
            assertParm(output, "--get-output-parm", vivid.streamParameters(BufferType.VIDEO_OUTPUT), "Write buffers");
        }
    }

    private static void assertParm(Path node, String option, StreamParameters p, String buffers) throws Exception {
        Map<String, String> e = V4l2Ctl.blocks(V4l2Ctl.run(node, option)).getFirst();
        assertEquals(p.timePerFrameSettable() ? "timeperframe" : "", e.get("Capabilities"));
        assertEquals(V4l2Ctl.threeDecimals((double) p.timePerFrame().denominator() / p.timePerFrame().numerator())
                + " (" + p.timePerFrame().denominator() + "/" + p.timePerFrame().numerator() + ")",
                e.get("Frames per second"));
        assertEquals(Integer.toString(p.buffers()), e.get(buffers));
    }
}
