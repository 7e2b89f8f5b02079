package io.zeroframe.samples.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.drm.ClientCap;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DrmDeviceInfo;
import io.zeroframe.drm.DrmDevices;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code preview} in the test bed: in-process vivid onto virtio-gpu, a camera that does not exist, and the shaded
 * jar as a subprocess ({@code java -jar samples/target/zeroframe-preview.jar}, the JDK running the tests) as the
 * test bed's unprivileged user: a run saving its last frame, a display another process holds (DRM master), an
 * overlay plane at an offset on vkms, and SIGINT mid-stream. The subprocess's state is read from its output lines.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class PreviewDeviceTest {
    private static final String IN_USE = "is in use by another program (a desktop session?): run from a text console,"
            + " or stop the display server";
    private static final Pattern SHOWN = Pattern.compile(" fps, shown [1-9]");
    /** {@code sizeof(struct fwht_cframe_hdr)}: eleven 32-bit words. */
    private static final int FWHT_HEADER = 44;
    private static final Pattern CAPTURE = Pattern.compile("^camera: .*, (\\d+)x(\\d+) at (\\d+),(\\d+), plan: ");

    @Test
    void vividToVirtioGpuShows60FramesAndWritesTheStatistics(@TempDir Path dir) throws Exception {
        Path stats = dir.resolve("stats.json");
        InProcess run = InProcess.preview("--camera", "vivid-000-vid-cap", "--display", "virtio_gpu", "--frames",
                "60", "--explain", "--stats", stats.toString());
        System.out.println(run.out());
        assertEquals(0, run.status(), run.err());
        Map<String, Object> json = JSON.std.mapFrom(Files.readString(stats));
        System.out.println("stats: " + json);
        long captured = number(json, "captured");
        long shown = number(json, "shown");
        assertEquals(60, shown, json.toString());
        assertEquals(captured, shown + number(json, "skipped") + number(json, "inFlight"), json.toString());
        assertTrue(run.out().contains("final: captured " + captured), run.out());
    }

    /**
     * {@code --encode}: vivid onto vkms while vicodec's encoder records what it has room for. The file is checked as
     * a FWHT stream by its own headers (vicodec's {@code struct fwht_cframe_hdr}: two magic words, the frame size
     * and the compressed size, big-endian), one per recorded frame, and the captured frames not recorded (the encoder
     * busy) are the rest; that the packets decode into the shown frames is RecorderDeviceTest's.
     */
    @Test
    void recordingWhileShowingWritesAFwhtFramePerRecordedFrame(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("camera.fwht");
        Path stats = dir.resolve("stats.json");
        InProcess run = InProcess.preview("--camera", "vivid-000-vid-cap", "--display", "vkms", "--size", "640x480",
                "--frames", "60", "--explain", "--stats", stats.toString(), "--encode", file.toString());
        System.out.println(run.out());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("recording to " + file + " (encoder /dev/video"), run.out());
        Map<String, Object> json = JSON.std.mapFrom(Files.readString(stats));
        long captured = number(json, "captured");
        @SuppressWarnings("unchecked")
        Map<String, Object> recorder = (Map<String, Object>) json.get("recorder");
        java.nio.ByteBuffer stream = java.nio.ByteBuffer.wrap(Files.readAllBytes(file)); // big-endian
        int frames = 0;
        while (stream.remaining() >= FWHT_HEADER) {
            int at = stream.position();
            assertEquals(0x4f4f4f4f, stream.getInt(at), "magic1 of frame " + frames + " at " + at);
            assertEquals(0xffffffff, stream.getInt(at + 4), "magic2 of frame " + frames + " at " + at);
            assertEquals(List.of(640, 480), List.of(stream.getInt(at + 12), stream.getInt(at + 16)),
                    "size of frame " + frames);
            stream.position(at + FWHT_HEADER + stream.getInt(at + 40));
            frames++;
        }
        assertEquals(0, stream.remaining(), "bytes after the last whole frame");
        System.out.printf("--encode: %d FWHT frames, %d bytes, %d frames captured%n", frames, Files.size(file),
                captured);
        // vicodec codes XR24 at about 13 frames/s under emulation: a third to a tenth of the camera's 30
        assertTrue(frames >= 3 && frames <= captured, frames + " FWHT frames of " + captured + " captured");
        assertEquals(frames, number(recorder, "packets"), json.toString());
        assertEquals(Files.size(file), number(recorder, "bytes"), json.toString());
        assertEquals(captured, frames + number(recorder, "notRecorded"), json.toString());
        assertTrue(run.out().contains("recorded: " + frames + " packets, " + Files.size(file) + " bytes to " + file
                + ", " + (captured - frames) + " captured frames not recorded"), run.out());
    }

    /**
     * {@code --through-codec --encode FILE}: vivid -> vicodec's encoder -> vicodec's decoder -> vkms, the encoder's
     * packets also written to FILE; {@code --stats} has one object per hop, and the counts agree from hop to hop: every
     * decoded frame shown, skipped or in flight, no more frames decoded than the encoder was offered, no more offered
     * than captured, and every packet the encoder made is in the file.
     */
    @Test
    void throughCodecShowsTheDecodedFramesRecordsThePacketsAndWritesAnObjectPerHop(@TempDir Path dir)
            throws Exception {
        Path stats = dir.resolve("hops.json");
        Path file = dir.resolve("self-view.fwht");
        InProcess run = InProcess.preview("--camera", "vivid-000-vid-cap", "--display", "vkms", "--size", "640x480",
                "--frames", "30", "--through-codec", "--encode", file.toString(), "--stats", stats.toString());
        System.out.println(run.out());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("stage 0: encoder /dev/video") && run.out().contains(" -> FWHT"), run.out());
        assertTrue(run.out().contains("stage 1: decoder /dev/video") && run.out().contains(" -> XRGB8888 from "),
                run.out());
        Map<String, Object> json = JSON.std.mapFrom(Files.readString(stats));
        System.out.println("--through-codec stats: " + json);
        assertEquals(List.of("camera", "stages", "display"), List.copyOf(json.keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Object> camera = (Map<String, Object>) json.get("camera");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> stages = (List<Map<String, Object>>) json.get("stages");
        Map<String, Object> encoder = stages.get(0);
        Map<String, Object> decoder = stages.get(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> display = (Map<String, Object>) json.get("display");
        assertEquals(30, number(display, "shown"), json.toString());
        assertEquals(number(display, "arrived"), number(display, "shown") + number(display, "skipped")
                + number(display, "inFlight"), json.toString());
        assertTrue(number(encoder, "offered") <= number(camera, "captured"), json.toString());
        assertTrue(number(decoder, "results") >= number(display, "arrived"), json.toString());
        assertTrue(number(decoder, "offered") <= number(encoder, "results"), json.toString());
        assertTrue(run.out().contains("final: camera: captured " + number(camera, "captured")), run.out());
        assertTrue(run.out().contains("recorded: " + number(encoder, "results") + " packets, " + Files.size(file)
                + " bytes to " + file), run.out());
    }

    /**
     * {@code --converter vim2m --format RGB888}: vivid's 24-bit RGB, which vkms does not scan out, through vim2m, which
     * the plan has make a format vkms takes; 30 frames shown.
     */
    @Test
    void throughAConverterTheCamerasFormatIsConvertedToOneTheDisplayTakes(@TempDir Path dir) throws Exception {
        Path stats = dir.resolve("hops.json");
        InProcess run = InProcess.preview("--camera", "vivid-000-vid-cap", "--display", "vkms", "--size", "640x480",
                "--frames", "30", "--converter", "vim2m", "--format", "RGB888", "--explain", "--stats",
                stats.toString());
        System.out.println(run.out());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("plan of camera -> converter -> display, 2 hops"), run.out());
        assertTrue(run.out().contains("stage 0: converter /dev/video") && run.out().contains(" -> RGB565 from "),
                run.out());
        Map<String, Object> json = JSON.std.mapFrom(Files.readString(stats));
        @SuppressWarnings("unchecked")
        Map<String, Object> display = (Map<String, Object>) json.get("display");
        assertEquals(30, number(display, "shown"), json.toString());
    }

    /**
     * {@code --through-codec} onto virtio-gpu, which imports no foreign buffer: the decoder writes into virtio-gpu's own
     * dumb buffers, so the decoded frames are shown all the same.
     */
    @Test
    void throughCodecOntoVirtioGpuShowsTheDecodedFramesInTheDisplaysOwnBuffers() throws Exception {
        InProcess run = InProcess.preview("--camera", "vivid-000-vid-cap", "--display", "virtio_gpu", "--size",
                "640x480", "--frames", "20", "--through-codec");
        System.out.println(run.out());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("final: camera: captured ") && run.out().contains("shown 20,"), run.out());
    }

    @Test
    void aDecoderThatIsNotThereIsOneLineNamingIt() {
        InProcess run = InProcess.preview("--camera", "vivid-000-vid-cap", "--display", "vkms", "--through-codec",
                "--decoder", "no-such-decoder");
        String text = run.err().strip();
        System.out.println("status " + run.status() + ": " + text);
        assertEquals(1, run.status(), text);
        assertTrue(text.startsWith("preview: no decoder no-such-decoder: no memory-to-memory node has that driver,"
                + " card or name; there are [/dev/video") && !text.contains("\n"), text);
    }

    @Test
    void anEncoderThatIsNotThereIsOneLineNamingIt(@TempDir Path dir) {
        InProcess run = InProcess.preview("--camera", "vivid-000-vid-cap", "--display", "vkms", "--encode",
                dir.resolve("x.fwht").toString(), "--encoder", "no-such-encoder");
        String text = run.err().strip();
        System.out.println("status " + run.status() + ": " + text);
        assertEquals(1, run.status(), text);
        assertTrue(text.startsWith("preview: no encoder no-such-encoder: no memory-to-memory node has that driver,"
                + " card or name; there are [/dev/video") && !text.contains("\n"), text);
    }

    @Test
    void aMissingCameraIsOneLineNamingIt() {
        InProcess run = InProcess.preview("--camera", "/dev/nonexistent", "--display", "virtio_gpu");
        String text = run.err().strip();
        System.out.println("status " + run.status() + ": " + text);
        assertNotEquals(0, run.status());
        assertTrue(text.contains("/dev/nonexistent") && !text.contains("\n"), text);
    }

    @Test
    void theJarShows60FramesAndSavesTheLastAsAPng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("last.png");
        Path stats = dir.resolve("stats.json");
        try (Jar jar = Jar.start(dir, "--camera", "vivid", "--display", "virtio_gpu", "--frames", "60",
                "--save-last", png.toString(), "--stats", stats.toString())) {
            assertEquals(0, jar.finish(Duration.ofSeconds(180)), jar.toString());
            Matcher capture = jar.line(CAPTURE);
            int width = Integer.parseInt(capture.group(1));
            int height = Integer.parseInt(capture.group(2));
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(width, image.getWidth(), jar.toString());
            assertEquals(height, image.getHeight(), jar.toString());
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < height; y += 4) {
                for (int x = 0; x < width; x += 4) {
                    colours.add(image.getRGB(x, y) & 0xffffff);
                }
            }
            Map<String, Object> json = JSON.std.mapFrom(Files.readString(stats));
            System.out.printf("java -jar as uid %s: %dx%d PNG of %d bytes, %d colours on a 4-pixel grid; stats %s%n%s",
                    Files.getAttribute(Path.of("/proc/self"), "unix:uid"), width, height, Files.size(png),
                    colours.size(), json, jar);
            assertTrue(colours.size() > 1, "the last frame is one flat colour: " + colours);
            assertEquals(60, number(json, "shown"), json.toString());
        }
    }

    @Test
    void aDisplayAnotherProcessHoldsIsOneLineNamingTheCard(@TempDir Path dir) throws Exception {
        Path card = cardOf("virtio_gpu");
        try (DrmDevice holder = DrmDevice.open(card)) {
            holder.setMaster(); // the test's file is master (it opened the card first): a no-op that proves it
            try (Jar jar = Jar.start(dir, "--camera", "vivid", "--display", "virtio_gpu", "--frames", "10")) {
                assertEquals(1, jar.finish(Duration.ofSeconds(180)), jar.toString());
                List<String> errors = jar.stderr();
                System.out.println("with " + card + " held by the test: " + errors);
                assertEquals(List.of("preview: " + card + " (virtio_gpu) " + IN_USE), errors, jar.toString());
            }
        }
    }

    @Test
    void anOverlayPlaneAtAnOffsetOnVkmsRunsAndHoldsItsLastFrame(@TempDir Path dir) throws Exception {
        // vivid's webcam input offers 320x180, not 320x240 (its sizes: 320x180, 640x360, 640x480, 1280x720, ...)
        try (Jar jar = Jar.start(dir, "--camera", "vivid", "--display", "vkms", "--plane", "overlay",
                "--position", "64,48", "--size", "320x180", "--frames", "30", "--hold", "0.5")) {
            assertEquals(0, jar.finish(Duration.ofSeconds(180)), jar.toString());
            System.out.println(jar);
            assertTrue(jar.stdout().stream().anyMatch(l -> l.startsWith("display: ") && l.contains(", overlay ")),
                    jar.toString());
            Matcher capture = jar.line(CAPTURE);
            assertEquals(List.of("320", "180", "64", "48"), List.of(capture.group(1), capture.group(2),
                    capture.group(3), capture.group(4)), jar.toString());
            assertEquals(1, jar.stdout().stream().filter(l -> l.startsWith("holding the last frame on screen for"))
                    .count(), jar.toString());
        }
    }

    @Test
    void aSizeTheCameraDoesNotOfferIsOneLineWithoutAPlan(@TempDir Path dir) throws Exception {
        try (Jar jar = Jar.start(dir, "--camera", "vivid", "--display", "vkms", "--plane", "overlay",
                "--position", "64,48", "--size", "320x240", "--frames", "30")) {
            assertEquals(1, jar.finish(Duration.ofSeconds(180)), jar.toString());
            List<String> errors = jar.stderr();
            System.out.println("320x240 from vivid's webcam input: " + errors);
            assertEquals(1, errors.size(), jar.toString());
            assertTrue(errors.getFirst().startsWith("preview: no plan from ")
                    && errors.getFirst().endsWith(" for 320x240 (--explain tells why)"), jar.toString());
        }
    }

    @Test
    void sigintMidStreamStopsRestoresTheCrtcAndExits130(@TempDir Path dir) throws Exception {
        stopBySignal(dir, "INT", 130, l -> SHOWN.matcher(l).find(), "--frames", "1000000"); // after the first flip
    }

    @Test
    void sigtermWhileHoldingTheLastFrameRestoresTheCrtcAndExits143(@TempDir Path dir) throws Exception {
        stopBySignal(dir, "TERM", 143, l -> l.startsWith("holding the last frame on screen for"), "--frames", "10",
                "--hold", "600");
    }

    /**
     * Runs the jar on virtio-gpu until a line {@code when} accepts, sends {@code signal}, and checks the exit
     * status, the time it took, the final statistics and the CRTC (mode, framebuffer, ACTIVE) against what it was
     * before the run.
     */
    private static void stopBySignal(Path dir, String signal, int status, Predicate<String> when, String... args)
            throws Exception {
        Path card = cardOf("virtio_gpu");
        Crtc before;
        try (DrmDevice reader = open(card)) {
            before = reader.crtcs().getFirst();
        }
        List<String> command = new ArrayList<>(List.of("--camera", "vivid", "--display", "virtio_gpu"));
        command.addAll(List.of(args));
        try (Jar jar = Jar.start(dir, command.toArray(String[]::new))) {
            String seen = jar.await(when);
            // opened now, the card is not master, and its open file keeps the kernel's fbdev client from restoring
            // its own mode when the preview closes the card: what the test reads is what the preview left
            try (DrmDevice reader = open(card)) {
                Crtc during = reader.crtcs().getFirst();
                long sent = System.nanoTime();
                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(jar.pid())).inheritIO().start();
                assertEquals(0, kill.waitFor(), "kill -" + signal);
                int exit = jar.finish(Duration.ofSeconds(60));
                long millis = (System.nanoTime() - sent) / 1_000_000;
                Crtc after = reader.crtcs().getFirst();
                System.out.printf("SIG%s after \"%s\": exit %d in %d ms; CRTC before %s fb %s, during %s fb %s,"
                                + " after %s fb %s%n%s%n", signal, seen.strip(), exit, millis, before.mode(),
                        before.framebuffer(), during.mode(), during.framebuffer(), after.mode(), after.framebuffer(),
                        jar);
                assertEquals(status, exit, jar.toString());
                assertTrue(millis < 30_000, "exit " + millis + " ms after SIG" + signal);
                assertTrue(jar.stdout().stream().anyMatch(l -> l.startsWith("final: captured ")), jar.toString());
                assertEquals(List.of(), jar.stderr(), jar.toString());
                assertNotEquals(before.framebuffer(), during.framebuffer(), "the preview showed its own frames");
                assertEquals(before.mode(), after.mode(), "mode restored");
                assertEquals(before.framebuffer(), after.framebuffer(), "framebuffer restored");
                assertEquals(before.properties().value("ACTIVE"), after.properties().value("ACTIVE"));
            }
        }
    }

    private static Path cardOf(String driver) throws IOException {
        return DrmDevices.findByDriver(driver).map(DrmDeviceInfo::path)
                .orElseThrow(() -> new AssertionError("no " + driver + " card: device tests need the kernel test bed"));
    }

    private static DrmDevice open(Path card) throws IOException {
        return DrmDevice.open(card, EnumSet.of(ClientCap.UNIVERSAL_PLANES, ClientCap.ATOMIC));
    }

    private static long number(Map<String, Object> json, String key) {
        return ((Number) json.get(key)).longValue();
    }

    /**
     * {@code java -jar samples/target/zeroframe-preview.jar} as a subprocess with the JDK running the tests; its
     * stdout read line by line (the test waits for lines, not for time), its stderr in a file.
     */
    private static final class Jar implements AutoCloseable {
        private final List<String> command;
        private final Process process;
        private final BufferedReader out;
        private final Path err;
        private final List<String> lines = new ArrayList<>();

        private Jar(List<String> command, Process process, Path err) {
            this.command = command;
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.err = err;
        }

        static Jar start(Path dir, String... args) throws IOException {
            Path jar = checkout().resolve("samples/target/zeroframe-preview.jar");
            assertTrue(Files.isRegularFile(jar), jar + " (built by the samples module's package phase)");
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar",
                    jar.toString()));
            command.addAll(List.of(args));
            Path err = Files.createTempFile(dir, "stderr", ".txt");
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(err.toFile()).start();
            return new Jar(command, process, err);
        }

        long pid() {
            return process.pid();
        }

        /** Reads stdout until a line {@code wanted} accepts; fails when the output ends first. */
        String await(Predicate<String> wanted) throws IOException {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
                if (wanted.test(line)) {
                    return line;
                }
            }
            throw new AssertionError("the output ended without the line waited for\n" + this);
        }

        /** Reads stdout to its end and waits (at most {@code bound}) for the exit status. */
        int finish(Duration bound) throws IOException, InterruptedException {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("no exit within " + bound + "\n" + this);
            }
            return process.exitValue();
        }

        List<String> stdout() {
            return lines;
        }

        List<String> stderr() throws IOException {
            return Files.readAllLines(err);
        }

        /** The first stdout line read that {@code pattern} finds in. */
        Matcher line(Pattern pattern) {
            for (String line : lines) {
                Matcher matcher = pattern.matcher(line);
                if (matcher.find()) {
                    return matcher;
                }
            }
            throw new AssertionError("no line matching " + pattern + "\n" + this);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor();
            }
            out.close();
            process.getOutputStream().close();
            process.getErrorStream().close();
        }

        @Override
        public String toString() {
            String errors;
            try {
                errors = Files.readString(err);
            } catch (IOException e) {
                errors = e.toString();
            }
            return String.join(" ", command) + "\nstdout:\n" + String.join("\n", lines) + "\nstderr:\n" + errors;
        }

        private static Path checkout() {
            for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                    return dir;
                }
            }
            throw new AssertionError("no checkout at or above " + Path.of("").toAbsolutePath());
        }
    }

    /** {@code preview} run in this JVM: its exit status and what it printed. */
    private record InProcess(int status, String out, String err) {
        static InProcess preview(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine line = Preview.commandLine();
            line.setOut(new PrintWriter(out));
            line.setErr(new PrintWriter(err));
            int status = line.execute(args);
            return new InProcess(status, out.toString(), err.toString());
        }
    }
}
