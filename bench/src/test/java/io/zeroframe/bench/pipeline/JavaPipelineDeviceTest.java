package io.zeroframe.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pipeline benchmark's Java contender ({@link JavaPipeline}) streaming vivid onto vkms in a JVM of its own,
 * as {@code scripts/bench --pipeline} runs it: once its loop is compiled by C2, it allocates nothing per frame on the
 * pipeline thread ({@code loop_alloc_bytes_per_frame}: the thread's allocated bytes per captured frame between a
 * quarter and three quarters of the measured run). The same run with C1 only (no escape analysis: every FFM downcall that
 * captures errno allocates a slice of the capture segment) shows that the measurement sees allocation when there is
 * some. The device tests' own JVM runs C1 only, hence the child JVMs.
 */
@Tag("bench")
class JavaPipelineDeviceTest {
    private static final Pattern LOOP_ALLOCATION = Pattern.compile(" loop_alloc_bytes_per_frame=([0-9.-]+) ");
    /** Two of these, and one more after a JVM fatal error, fit in the test's timeout. */
    private static final long RUN_SECONDS = 200;
    private static final String JVM_FATAL_ERROR = "A fatal error has been detected by the Java Runtime Environment";
    private static final Pattern CAPTURED = Pattern.compile(" captured=([0-9]+) ");

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void theC2CompiledLoopAllocatesNothingPerFrameAndC1CodeIsSeenToAllocate() throws Exception {
        fastestVivid();
        double compiled = loopAllocation("-XX:CompileThresholdScaling=0.1", "auto:1500");
        double c1 = loopAllocation("-XX:TieredStopAtLevel=1", "150");
        System.out.printf("JavaPipeline vivid -> vkms 640x480: loop allocation %.2f B/frame after C2, %.2f B/frame"
                + " with C1 only%n", compiled, c1);
        // under 1 B/frame: a loop allocating one 16-byte object every 16 frames would fail; a rare deoptimization
        // (the loop back in C1 code for a few frames) would not
        assertTrue(compiled < 1.0, "bytes the C2-compiled loop allocated per captured frame: " + compiled);
        assertTrue(c1 >= 40, "C1 code allocates at least one 40-byte segment slice per frame: " + c1);
    }

    /** vivid's capture node at 640x480 XR24 at 120 frames per second, so that the loop runs as fast as it can. */
    private static void fastestVivid() throws IOException {
        VideoDeviceInfo node = VideoDevices.findByDriver("vivid").stream()
                .filter(info -> info.name().equals("vivid-000-vid-cap")).findFirst()
                .orElseThrow(() -> new AssertionError("no vivid-000-vid-cap in the test bed"));
        try (VideoDevice vivid = VideoDevice.open(node)) {
            vivid.setFormat(VideoFormat.of(BufferType.VIDEO_CAPTURE, PixelFormat.XRGB8888, 640, 480));
            Fraction period = vivid.setTimePerFrame(BufferType.VIDEO_CAPTURE, new Fraction(1, 120)).timePerFrame();
            assertEquals(new Fraction(1, 120), period, "vivid's frame period at 640x480");
        }
    }

    /**
     * Runs JavaPipeline (600 frames after {@code warmup}, e.g. until its JIT is quiet) in a JVM with {@code option};
     * its loop allocation. A JVM that dies of a fatal error in JIT-compiled code runs once more: QEMU's multi-threaded TCG
     * now and then runs a stale translation of code the JIT has just written (SIGILL or SIGSEGV, an hs_err report;
     * see the test bed's notes), which is the emulator's fault, not the pipeline's.
     */
    private static double loopAllocation(String option, String warmup) throws Exception {
        String output = run(option, warmup);
        if (output.contains(JVM_FATAL_ERROR)) {
            System.out.println("JavaPipeline " + option + ": the JVM died, once more:\n" + output);
            output = run(option, warmup);
        }
        String result = output;
        String line = output.lines().filter(l -> l.startsWith("pipeline contender=java")).findFirst()
                .orElseThrow(() -> new AssertionError("no pipeline line from JavaPipeline " + option + ":\n" + result));
        Matcher captured = CAPTURED.matcher(line);
        assertTrue(captured.find() && Long.parseLong(captured.group(1)) >= 600, line);
        Matcher allocation = LOOP_ALLOCATION.matcher(line);
        assertTrue(allocation.find(), line);
        return Double.parseDouble(allocation.group(1));
    }

    /** One JavaPipeline process: its output; a failure other than a JVM fatal error fails the test. */
    private static String run(String option, String warmup) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", option,
                "-XX:ErrorFile=" + System.getProperty("java.io.tmpdir") + "/hs_err_pid%p.log", "-cp",
                System.getProperty("java.class.path"), JavaPipeline.class.getName(), "vkms", "display", "640", "480",
                "600", warmup));
        // the output goes to a file, so that a JavaPipeline that never ends is stopped here (a SIGQUIT thread dump,
        // then killed) rather than a read of its pipe blocking past the test's timeout
        Path log = Files.createTempFile("java-pipeline", ".log");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        boolean ended = false;
        try {
            ended = java.waitFor(RUN_SECONDS, TimeUnit.SECONDS);
            if (!ended) {
                new ProcessBuilder("kill", "-QUIT", Long.toString(java.pid())).start().waitFor();
                java.waitFor(5, TimeUnit.SECONDS);
            }
        } finally { // also when the test is interrupted: no JavaPipeline may stay master of vkms for later tests
            if (java.isAlive()) {
                java.destroyForcibly().waitFor();
            }
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertTrue(ended, "JavaPipeline " + option + " did not end in " + RUN_SECONDS + " s:\n" + output);
        if (java.exitValue() != 0 && !output.contains(JVM_FATAL_ERROR)) {
            throw new AssertionError("JavaPipeline " + option + " failed (" + java.exitValue() + "):\n" + output);
        }
        return output;
    }
}
