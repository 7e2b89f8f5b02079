package io.zeroframe.samples.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.drm.PlaneType;
import io.zeroframe.samples.pipeline.CaptureToScanout;
import io.zeroframe.samples.pipeline.CodecStage;
import io.zeroframe.samples.pipeline.ThroughStages;
import io.zeroframe.v4l2.Fraction;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code preview}'s options, parsed without a device. */
class PreviewTest {
    @Test
    void defaultsAre300FramesOnThePrimaryPlaneOfTheFirstCameraAndDisplay() {
        Preview preview = new Preview();
        new CommandLine(preview).parseArgs();
        assertNull(preview.size);
        assertNull(preview.mode);
        assertEquals(300, preview.frames);
        assertNull(preview.camera);
        assertNull(preview.display);
        assertNull(preview.connector);
        assertEquals(new Preview.PlaneChoice(Optional.of(PlaneType.PRIMARY), OptionalInt.empty()), preview.plane);
        assertEquals(new Preview.Position(0, 0), preview.position);
        assertNull(preview.format);
        assertNull(preview.allocator);
        assertNull(preview.duration);
        assertNull(preview.stats);
        assertNull(preview.saveLast);
        assertEquals(0, preview.hold);
    }

    @Test
    void optionsAreParsed() {
        Preview preview = new Preview();
        new CommandLine(preview).parseArgs("--camera", "/dev/video3", "--display", "vkms", "--size", "1024x768",
                "--format", "yuyv", "--allocator", "udmabuf", "--duration", "2.5", "--explain", "--stats", "s.json",
                "--connector", "Virtual-2", "--mode", "1280x720@60", "--plane", "overlay", "--position", "64,48",
                "--save-last", "last.png", "--hold", "1.5", "--rate", "30000/1001");
        assertEquals("/dev/video3", preview.camera);
        assertEquals("vkms", preview.display);
        assertEquals(new Preview.Size(1024, 768), preview.size);
        assertEquals(PixelFormat.YUYV, preview.format);
        assertEquals("udmabuf", preview.allocator);
        assertEquals(2.5, preview.duration);
        assertTrue(preview.explain);
        assertEquals(Path.of("s.json"), preview.stats);
        assertEquals("Virtual-2", preview.connector);
        assertEquals(new Preview.ModeSpec(new Preview.Size(1280, 720), OptionalInt.of(60)), preview.mode);
        assertEquals(new Preview.PlaneChoice(Optional.of(PlaneType.OVERLAY), OptionalInt.empty()), preview.plane);
        assertEquals(new Preview.Position(64, 48), preview.position);
        assertEquals(Path.of("last.png"), preview.saveLast);
        assertEquals(1.5, preview.hold);
        assertEquals(new Fraction(1001, 30000), preview.rate); // an interval: seconds per frame
    }

    @Test
    void aCameraNameAModeWithoutRefreshAndAPlaneIdAreParsed() {
        Preview preview = new Preview();
        new CommandLine(preview).parseArgs("--camera", "vivid", "--mode", "640x480", "--plane", "31");
        assertEquals("vivid", preview.camera);
        assertEquals(new Preview.ModeSpec(new Preview.Size(640, 480), OptionalInt.empty()), preview.mode);
        assertEquals(new Preview.PlaneChoice(Optional.empty(), OptionalInt.of(31)), preview.plane);
    }

    @Test
    void badValuesAreUsageErrorsOnOneLine() {
        assertUsageError("'640by480' is not a size WxH", "--size", "640by480");
        assertUsageError("unknown format 'ABCD'", "--format", "ABCD");
        assertUsageError("--frames must be positive: 0", "--frames", "0");
        assertUsageError("'1280x720@' is not a mode WxH or WxH@HZ", "--mode", "1280x720@");
        assertUsageError("'1280x720@60@1' is not a mode", "--mode", "1280x720@60@1");
        assertUsageError("'0x720' is not a mode", "--mode", "0x720");
        assertUsageError("'64' is not a position X,Y", "--position", "64");
        assertUsageError("'-1,0' is not a position X,Y", "--position", "-1,0");
        assertUsageError("'cursor' is not a plane: primary, overlay or a plane id", "--plane", "cursor");
        assertUsageError("'0' is not a plane", "--plane", "0");
        assertUsageError("--hold must be 0 or more seconds: -1.0", "--hold", "-1");
        assertUsageError("'0' is not a rate in frames per second", "--rate", "0");
        assertUsageError("'30/0' is not a rate in frames per second", "--rate", "30/0");
        assertUsageError("'fast' is not a rate in frames per second", "--rate", "fast");
    }

    @Test
    void aPositionOnThePrimaryPlaneIsAUsageErrorBeforeAnyDeviceIsOpened() {
        assertUsageError("--position 64,48 needs an overlay plane (--plane overlay or an overlay's id): a primary"
                + " plane covers the screen from 0,0", "--position", "64,48");
        assertUsageError("--position 1,0 needs an overlay plane", "--plane", "primary", "--position", "1,0");
    }

    @Test
    void codecOptionsWithoutTheirModeAndThroughCodecWithWhatNeedsTheCamerasFramesAreUsageErrors() {
        assertUsageError("--decoder vicodec needs --through-codec", "--decoder", "vicodec");
        assertUsageError("--encoder vicodec needs --encode FILE or --through-codec", "--encoder", "vicodec");
        assertUsageError("--through-codec shows the stages' frames: not with --save-last or --hold",
                "--through-codec", "--hold", "1");
        assertUsageError("--converter shows the stages' frames: not with --save-last or --hold", "--converter",
                "vim2m", "--save-last", "x.png");
        assertUsageError("--converter with --encode FILE needs --through-codec", "--converter", "vim2m", "--encode",
                "x.fwht");
    }

    @Test
    void throughCodecStatisticsHaveAnObjectPerHop() {
        var codec = new CodecStage.Statistics(10, 0, 10, 10, 10, 5_000_000, 9_000_000);
        var stats = new ThroughStages.Statistics(12, 1, 0, List.of(codec, codec), 10, 8, 1, 1, 6.5, 40_000_000,
                90_000_000, 95_000_000, 150_000_000, 0);
        Map<String, Object> json = Preview.json(stats, List.of(Path.of("/dev/video4"), Path.of("/dev/video5")));
        assertEquals(List.of("camera", "stages", "display"), List.copyOf(json.keySet()));
        assertEquals(Map.of("captured", 12L, "droppedByCamera", 1L, "notTaken", 0L), json.get("camera"));
        assertEquals("/dev/video5", ((Map<?, ?>) ((List<?>) json.get("stages")).get(1)).get("node"));
        assertEquals(8L, ((Map<?, ?>) json.get("display")).get("shown"));
        assertEquals("  6.50 fps, shown 8, skipped 1, decoded 10, captured 12, latency p50 40.00 ms",
                Preview.progress(stats));
    }

    @Test
    void helpListsEveryOption() {
        StringWriter out = new StringWriter();
        CommandLine line = Preview.commandLine();
        line.setOut(new PrintWriter(out));
        assertEquals(0, line.execute("--help"));
        for (String option : List.of("--camera=PATH|NAME", "--display=CARD", "--connector=NAME", "--mode=WxH[@HZ]",
                "--size=WxH", "--plane=primary|overlay|ID", "--position=X,Y", "--save-last=FILE",
                "--hold=SECONDS", "--through-codec", "--decoder=PATH|NAME", "--converter=PATH|NAME", "--rate=FPS", "--frames=N", "--duration=SECONDS", "--stats=FILE", "130   stopped by SIGINT")) {
            assertTrue(out.toString().contains(option), option + " in\n" + out);
        }
    }

    @Test
    void aCameraNameNoNodeHasFailsOnOneLine() {
        StringWriter err = new StringWriter();
        CommandLine line = Preview.commandLine();
        line.setErr(new PrintWriter(err));
        assertEquals(1, line.execute("--camera", "no-such-driver"));
        String text = err.toString().strip();
        assertTrue(text.startsWith("preview: no camera no-such-driver: no capture node has that driver, card or name;"
                + " there are ") && !text.contains("\n"), text);
    }

    @Test
    void aMissingCameraFailsOnOneLineBeforeAnyDeviceIsOpened() {
        StringWriter err = new StringWriter();
        CommandLine line = Preview.commandLine();
        line.setErr(new PrintWriter(err));
        assertEquals(1, line.execute("--camera", "/dev/nonexistent"));
        assertEquals("preview: no camera /dev/nonexistent: no such file", err.toString().strip());
    }

    private static void assertUsageError(String expected, String... args) {
        StringWriter err = new StringWriter();
        CommandLine line = Preview.commandLine();
        line.setErr(new PrintWriter(err));
        assertEquals(2, line.execute(args));
        String text = err.toString().strip();
        assertTrue(text.startsWith("preview: ") && text.contains(expected) && !text.contains("\n"), text);
    }

    @Test
    void progressSaysWhenTheCameraStampsFramesAfterTheirFlip() {
        var honest = new CaptureToScanout.Statistics(31, 30, 0, 1, 0, 30.0, 13_700_000, 20_000_000, 21_000_000, 900_000,
                0);
        var late = new CaptureToScanout.Statistics(31, 30, 0, 1, 0, 30.0, 50_000, 50_000, 50_000, 900_000, 29);
        assertEquals(" 30.00 fps, shown 30, skipped 1, dropped 0, latency p50 13.70 ms", Preview.progress(honest));
        assertEquals(" 30.00 fps, shown 30, skipped 1, dropped 0, latency n/a (the camera stamps frames after their"
                + " flip)", Preview.progress(late));
        assertTrue(late.toString().contains("(29 frames stamped after their flip, not measured)"), late.toString());
    }
}
