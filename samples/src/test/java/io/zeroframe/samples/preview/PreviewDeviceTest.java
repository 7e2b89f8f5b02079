package io.zeroframe.samples.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code preview} run in-process in the test bed: vivid onto virtio-gpu, and a camera that does not exist. */
@Tag("device")
@ExtendWith(NoLeaks.class)
class PreviewDeviceTest {
    @Test
    void vividToVirtioGpuShows60FramesAndWritesTheStatistics(@TempDir Path dir) throws Exception {
        Path vivid = VideoDevices.findByDriver("vivid").stream().filter(i -> i.name().equals("vivid-000-vid-cap"))
                .map(VideoDeviceInfo::path).findFirst()
                .orElseThrow(() -> new AssertionError("no vivid-000-vid-cap: device tests need the kernel test bed"));
        Path stats = dir.resolve("stats.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = Preview.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        int status = line.execute("--camera", vivid.toString(), "--display", "virtio_gpu", "--frames", "60",
                "--explain", "--stats", stats.toString());
        System.out.println(out);
        assertEquals(0, status, err.toString());
        Map<String, Object> json = JSON.std.mapFrom(Files.readString(stats));
        System.out.println("stats: " + json);
        long captured = number(json, "captured");
        long shown = number(json, "shown");
        assertEquals(60, shown, json.toString());
        assertEquals(captured, shown + number(json, "skipped") + number(json, "inFlight"), json.toString());
        assertTrue(out.toString().contains("final: captured " + captured), out.toString());
    }

    @Test
    void aMissingCameraIsOneLineNamingIt() {
        StringWriter err = new StringWriter();
        CommandLine line = Preview.commandLine();
        line.setOut(new PrintWriter(new StringWriter()));
        line.setErr(new PrintWriter(err));
        int status = line.execute("--camera", "/dev/nonexistent", "--display", "virtio_gpu");
        String text = err.toString().strip();
        System.out.println("status " + status + ": " + text);
        assertNotEquals(0, status);
        assertTrue(text.contains("/dev/nonexistent") && !text.contains("\n"), text);
    }

    private static long number(Map<String, Object> json, String key) {
        return ((Number) json.get(key)).longValue();
    }
}
