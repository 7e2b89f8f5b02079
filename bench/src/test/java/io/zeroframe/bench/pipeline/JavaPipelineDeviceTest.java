package io.zeroframe.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.Commands;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoFormat;
import java.io.IOException;
import java.time.Duration;
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
@Tag("device")
class JavaPipelineDeviceTest {
    private static final Pattern LOOP_ALLOCATION = Pattern.compile(" loop_alloc_bytes_per_frame=([0-9.-]+) ");
    /** Three of these, and one more after a JVM fatal error, fit in the test's timeout. */
    private static final Duration RUN_TIME = Duration.ofSeconds(200);
    private static final Pattern CAPTURED = Pattern.compile(" captured=([0-9]+) ");
    /**
     * The C2 run: early thresholds, and every compilation made while the thread that asked for it waits
     * ({@code -Xbatch}), so that the warm-up ends with the loop compiled. With background compilation the emulated
     * test bed's JIT was still compiling the loop after 3,000 warm-up frames in some CI runs (1.3-3.0 s of compilation
     * in the measured window, 42-49 B/frame: C1 code).
     */
    private static final List<String> C2 = List.of("-XX:CompileThresholdScaling=0.1", "-Xbatch");

    @Test
    @Timeout(value = 16, unit = TimeUnit.MINUTES)
    void theC2CompiledLoopAllocatesNothingPerFrameAndC1CodeIsSeenToAllocate() throws Exception {
        fastestVivid();
        double compiled = loopAllocation(C2, "auto:3000");
        if (compiled >= 1.0) {
            // under emulation the JIT may still be compiling (or recompiling after a deoptimization) in the measured
            // window (two CI runs in seven read 44-47 B/frame with 0.75 s of compilation during the run): once more;
            // a loop that allocates per frame allocates in both runs
            System.out.printf("JavaPipeline after C2: %.2f B/frame with the JIT still at work; once more%n", compiled);
            compiled = loopAllocation(C2, "auto:3000");
        }
        double c1 = loopAllocation(List.of("-XX:TieredStopAtLevel=1"), "150");
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
     * Runs JavaPipeline (600 frames after {@code warmup}, e.g. until its JIT is quiet) in a JVM with {@code options},
     * bounded, once more after a JVM fatal error ({@link Commands#java}); its loop allocation.
     */
    private static double loopAllocation(List<String> options, String warmup) throws Exception {
        List<String> arguments = new java.util.ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        arguments.addAll(options);
        arguments.addAll(List.of("-XX:-UseDynamicNumberOfCompilerThreads", "-cp", System.getProperty("java.class.path"),
                JavaPipeline.class.getName(), "vkms", "display", "640", "480", "600", warmup));
        Commands.Result run = Commands.java(Commands.Stderr.MERGED, RUN_TIME, arguments);
        String output = run.requireSuccess();
        System.out.print(output);
        String line = output.lines().filter(l -> l.startsWith("pipeline contender=java")).findFirst()
                .orElseThrow(() -> new AssertionError("no pipeline line from JavaPipeline " + options + ":\n" + output));
        Matcher captured = CAPTURED.matcher(line);
        assertTrue(captured.find() && Long.parseLong(captured.group(1)) >= 600, line);
        Matcher allocation = LOOP_ALLOCATION.matcher(line);
        assertTrue(allocation.find(), line);
        return Double.parseDouble(allocation.group(1));
    }
}
