package io.zeroframe.samples.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.dmabuf.PixelFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code preview}'s options, parsed without a device. */
class PreviewTest {
    @Test
    void defaultsAre640x480For300FramesOnTheFirstCameraAndDisplay() {
        Preview preview = new Preview();
        new CommandLine(preview).parseArgs();
        assertEquals(new Preview.Size(640, 480), preview.size);
        assertEquals(300, preview.frames);
        assertNull(preview.camera);
        assertNull(preview.display);
        assertNull(preview.format);
        assertNull(preview.allocator);
        assertNull(preview.duration);
        assertNull(preview.stats);
    }

    @Test
    void optionsAreParsed() {
        Preview preview = new Preview();
        new CommandLine(preview).parseArgs("--camera", "/dev/video3", "--display", "vkms", "--size", "1024x768",
                "--format", "yuyv", "--allocator", "udmabuf", "--duration", "2.5", "--explain", "--stats", "s.json");
        assertEquals(Path.of("/dev/video3"), preview.camera);
        assertEquals("vkms", preview.display);
        assertEquals(new Preview.Size(1024, 768), preview.size);
        assertEquals(PixelFormat.YUYV, preview.format);
        assertEquals("udmabuf", preview.allocator);
        assertEquals(2.5, preview.duration);
        assertTrue(preview.explain);
        assertEquals(Path.of("s.json"), preview.stats);
    }

    @Test
    void aBadSizeIsAUsageErrorOnOneLine() {
        assertUsageError("'640by480' is not a size WxH", "--size", "640by480");
        assertUsageError("unknown format 'ABCD'", "--format", "ABCD");
        assertUsageError("--frames must be positive: 0", "--frames", "0");
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
}
