package io.zeroframe.bench.pipeline;

import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.DeviceTrials;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.dmabuf.negotiation.Planner;
import io.zeroframe.dmabuf.negotiation.Preference;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.drm.ClientCap;
import io.zeroframe.drm.ConnectionStatus;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.ConnectorType;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DrmDeviceInfo;
import io.zeroframe.drm.DrmDevices;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.Plane;
import io.zeroframe.drm.PlaneEndpoint;
import io.zeroframe.drm.PlaneType;
import io.zeroframe.samples.pipeline.BufferPool;
import io.zeroframe.samples.pipeline.CaptureToScanout;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.negotiation.VideoEndpoint;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;

/**
 * The Java contender of the pipeline benchmark: the library's {@link CaptureToScanout} streaming vivid's capture
 * node ({@code vivid-000-vid-cap}) onto the primary plane of the first CRTC of a card, exactly as the C contender
 * ({@code bench/src/main/c/pipeline.c}) does, and printing the same line.
 *
 * <p>The plan is the planner's, with the allocator forced ({@link Preference#forceAllocator}) so both contenders
 * use the same buffers: {@code camera} is the capture queue's MMAP buffers exported ({@code VIDIOC_EXPBUF}),
 * {@code display} the card's dumb buffers exported ({@code DRM_IOCTL_PRIME_HANDLE_TO_FD}). The line's
 * {@code buffers} field is the plan's count, which the runner hands to the C contender. The runner sets vivid's
 * format, frame rate and timestamp source before the run; this program only reads the rate back.
 *
 * <p>CPU time is the whole process's, every thread (JIT compilers, GC and other JVM threads included: they are a
 * real cost of a Java pipeline), from the kernel's accounting in {@code /proc/self/stat} ({@code utime},
 * {@code stime}, in clock ticks of 10 ms, Linux's fixed {@code USER_HZ} of 100), read just before and just after
 * {@link CaptureToScanout#run(long)}; {@code total_*} is since the JVM started; {@code run_jit_*} is the part of
 * {@code run_*} the JIT compiler threads took (compilations still going on after the warm-up). {@code maxrss_kb} is
 * {@code VmHWM} from {@code /proc/self/status} (what {@code getrusage}'s {@code ru_maxrss} reports).
 * {@code run_thread_alloc_bytes} is what the pipeline thread allocated during the run
 * ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}), its per-run set-up and ending included;
 * {@code run_thread_cpu_us} the CPU time of that thread alone ({@link CaptureToScanout.Statistics#cpuNanosPerFrame}
 * times the frames captured), which tells the loop's own cost from the JVM's other threads' (JIT, GC).
 * {@code loop_alloc_bytes_per_frame} is what the loop allocates per captured frame in the middle of the measured run
 * ({@link LoopAllocation}), leaving out what the run allocates once (its set-up, the restoring commit, the
 * statistics); {@code n/a} for a run too short to sample.
 *
 * <p>{@code WARMUP} frames (default 0) are streamed by warm-up runs of the same pipeline before the measured one, in
 * runs of {@value #WARMUP_CHUNK} frames; {@code auto:MOST} streams such runs until one passes with the JIT compilers
 * nearly idle (under {@value #QUIET_JIT_MILLIS} ms of compilation finished and of compiler threads' CPU) or MOST
 * frames were streamed, so that the measured run's figures are the compiled loop's; the line
 * says {@code warmup=} (frames streamed) and {@code jit_ms_during_run=} (the compilers' time during the measured
 * run), and {@code total_*} includes the warm-up.
 *
 * <p>Usage: {@code JavaPipeline DRIVER camera|display WIDTH HEIGHT FRAMES [WARMUP|auto:MOST]}
 */
public final class JavaPipeline {
    private static final long MICROS_PER_TICK = 10_000;
    private static final long WARMUP_CHUNK = 150;
    private static final long QUIET_JIT_MILLIS = 50;
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private JavaPipeline() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 5 || args.length > 6 || !(args[1].equals("camera") || args[1].equals("display"))) {
            System.err.println("usage: JavaPipeline DRIVER camera|display WIDTH HEIGHT FRAMES [WARMUP|auto:MOST]");
            System.exit(2);
        }
        String driver = args[0];
        boolean fromCamera = args[1].equals("camera");
        int width = Integer.parseInt(args[2]);
        int height = Integer.parseInt(args[3]);
        long frames = Long.parseLong(args[4]);
        // WARMUP: a frame count, or auto:MOST for warm-up runs until the JIT is quiet (at most MOST frames)
        String warmupArg = args.length > 5 ? args[5] : "0";
        boolean untilQuiet = warmupArg.startsWith("auto:");
        long warmup = Long.parseLong(untilQuiet ? warmupArg.substring(5) : warmupArg);

        try (VideoDevice vivid = VideoDevice.open(vividCapture());
             VideoQueue queue = vivid.openQueue(BufferType.VIDEO_CAPTURE);
             DrmDevice card = DrmDevice.open(card(driver), EnumSet.of(ClientCap.UNIVERSAL_PLANES, ClientCap.ATOMIC))) {
            Connector connector = card.connectors().stream()
                    .filter(c -> !c.type().equals(ConnectorType.WRITEBACK) && c.status() == ConnectionStatus.CONNECTED)
                    .filter(c -> c.modes().stream().anyMatch(m -> m.hdisplay() == width && m.vdisplay() == height))
                    .findFirst().orElseThrow(() -> new IllegalStateException(
                            "no connected connector with a " + width + "x" + height + " mode on " + card));
            Mode mode = connector.modes().stream().filter(m -> m.hdisplay() == width && m.vdisplay() == height)
                    .findFirst().orElseThrow();
            Crtc crtc = card.crtcs().getFirst();
            Plane plane = card.planes().stream().filter(p -> p.type() == PlaneType.PRIMARY && p.canUse(crtc.id()))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no primary plane for " + crtc.id()));

            VideoEndpoint camera = VideoEndpoint.of(queue, Role.PRODUCER, width, height);
            PlaneEndpoint display = PlaneEndpoint.of(card, plane, crtc, connector, mode);
            String allocator = fromCamera ? camera.endpoint().name() : display.endpoint().name();
            Planner planner = Planner.builder(width, height).producer(camera.endpoint()).consumer(display.endpoint())
                    .preference(Preference.DEFAULT.forceAllocator(allocator).formatsFirst(PixelFormat.XRGB8888))
                    .build();
            DeviceTrials.Builder trials = DeviceTrials.builder().sink(camera.sink()).sink(display.sink());
            camera.source().ifPresent(trials::source);
            display.source().ifPresent(trials::source);
            Plan plan = planner.plan(trials.build());
            if (!plan.allocator().name().equals(allocator) || plan.chosen().format() != PixelFormat.XRGB8888) {
                throw new IllegalStateException("the plan is not the forced one: " + plan.explain());
            }
            Optional<BufferSource> source = (fromCamera ? camera.source() : display.source())
                    .filter(s -> s.allocator().equals(plan.allocator()));
            double cameraFps = vivid.streamParameters(BufferType.VIDEO_CAPTURE).timePerFrame().perSecond();

            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            CaptureToScanout.Statistics stats;
            long[] before;
            long[] after;
            long allocated;
            LoopAllocation loop;
            long warmedUp;
            long jitBefore;
            long jitDuring;
            try (BufferPool pool = BufferPool.allocate(plan, queue, card, source);
                 CaptureToScanout pipeline = CaptureToScanout.open(pool, queue, card, crtc, plane, connector, mode)) {
                warmedUp = warmUp(pipeline, warmup, untilQuiet);
                jitBefore = JIT.getTotalCompilationTime();
                double seconds = frames / Math.max(1, cameraFps); // the shortest the run can take
                loop = LoopAllocation.start(pipeline, Thread.currentThread().threadId(), seconds);
                before = cpuMicros();
                long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                stats = pipeline.run(frames);
                allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
                after = cpuMicros();
                loop.finish();
                jitDuring = JIT.getTotalCompilationTime() - jitBefore;
            }
            long[] total = cpuMicros();
            System.out.println(String.format(Locale.ROOT, "pipeline contender=java driver=%s allocator=%s size=%dx%d"
                            + " buffers=%d camera_fps=%.2f frames=%d captured=%d shown=%d skipped=%d dropped=%d"
                            + " inflight=%d fps=%.2f latency_p50_us=%d latency_p99_us=%d latency_max_us=%d"
                            + " run_user_us=%d run_sys_us=%d total_user_us=%d total_sys_us=%d maxrss_kb=%d"
                            + " run_thread_alloc_bytes=%d loop_alloc_bytes_per_frame=%s run_thread_cpu_us=%d warmup=%d jit_ms_during_run=%d"
                            + " run_jit_user_us=%d run_jit_sys_us=%d",
                    driver, args[1], width, height, plan.count(), cameraFps, frames, stats.captured(), stats.shown(),
                    stats.skipped(), stats.droppedByCamera(), stats.inFlight(), stats.framesPerSecond(),
                    stats.latencyP50Nanos() / 1000, stats.latencyP99Nanos() / 1000, stats.latencyMaxNanos() / 1000,
                    after[0] - before[0], after[1] - before[1], total[0], total[1], maxRssKb(), allocated,
                    loop.bytesPerFrame(),
                    stats.cpuNanosPerFrame() * stats.captured() / 1000, warmedUp, jitDuring, after[2] - before[2],
                    after[3] - before[3]));
        }
    }

    /**
     * The pipeline thread's allocated bytes ({@code ThreadMXBean.getThreadAllocatedBytes}) and captured frames, read
     * twice from a thread of its own while the run streams: a quarter into the run's expected time and at three
     * quarters. Two wake-ups per run, so the sampling adds next to nothing to the run's CPU and system calls.
     */
    private static final class LoopAllocation {
        private final Thread sampler;
        private final long[] samples = new long[4]; // bytes, captured at the first and the second sample
        private volatile int taken;

        private LoopAllocation(CaptureToScanout pipeline, long thread, double seconds) {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long quarter = (long) (seconds * 250);
            sampler = Thread.ofPlatform().daemon(true).name("loop-allocation").start(() -> {
                try {
                    for (int i = 0; i < 2; i++) {
                        Thread.sleep(i == 0 ? quarter : 2 * quarter);
                        samples[2 * i] = threads.getThreadAllocatedBytes(thread);
                        samples[2 * i + 1] = pipeline.statistics().captured();
                        taken = i + 1;
                    }
                } catch (InterruptedException e) {
                    // the run ended first
                }
            });
        }

        static LoopAllocation start(CaptureToScanout pipeline, long thread, double seconds) {
            return new LoopAllocation(pipeline, thread, seconds);
        }

        void finish() throws InterruptedException {
            sampler.interrupt();
            sampler.join();
        }

        /** Bytes per captured frame between the two samples, or {@code n/a}. */
        String bytesPerFrame() {
            long frames = samples[3] - samples[1];
            return taken < 2 || frames <= 0 ? "n/a"
                    : String.format(Locale.ROOT, "%.2f", (double) (samples[2] - samples[0]) / frames);
        }
    }

    /**
     * Streams warm-up runs of {@value #WARMUP_CHUNK} frames until {@code most} frames were streamed or, when
     * {@code untilQuiet}, a run passes with the JIT compilers nearly idle: under {@value #QUIET_JIT_MILLIS} ms of
     * compilation finished ({@code CompilationMXBean}) and under {@value #QUIET_JIT_MILLIS} ms of CPU taken by the
     * compiler threads ({@link #cpuMicros}). The second test sees a long C2 compilation still in flight, which the
     * first only counts when it ends: the loop would then be measured in C1 code. Returns the frames streamed.
     */
    private static long warmUp(CaptureToScanout pipeline, long most, boolean untilQuiet) throws Exception {
        long streamed = 0;
        while (streamed < most) {
            long compiledBefore = JIT.getTotalCompilationTime();
            long[] before = cpuMicros();
            streamed += pipeline.run(Math.min(WARMUP_CHUNK, most - streamed)).shown();
            long[] after = cpuMicros();
            long compilerMicros = after[2] + after[3] - before[2] - before[3];
            if (untilQuiet && JIT.getTotalCompilationTime() - compiledBefore < QUIET_JIT_MILLIS
                    && compilerMicros < QUIET_JIT_MILLIS * 1000) {
                break;
            }
        }
        return streamed;
    }

    private static Path vividCapture() throws IOException {
        for (VideoDeviceInfo info : VideoDevices.findByDriver("vivid")) {
            if (info.name().equals("vivid-000-vid-cap")) {
                return info.path();
            }
        }
        throw new IllegalStateException("no vivid node named vivid-000-vid-cap");
    }

    private static Path card(String driver) throws IOException {
        return DrmDevices.findByDriver(driver).map(DrmDeviceInfo::path)
                .orElseThrow(() -> new IllegalStateException("no " + driver + " card"));
    }

    /**
     * This process's user and system CPU time, all threads, in microseconds (10 ms resolution), then the user and
     * system time of its JIT compiler threads ({@code /proc/self/task/TID/stat} of the threads named
     * {@code C1 CompilerThre}... and {@code C2 CompilerThre}...; the suite keeps their number fixed,
     * {@code -XX:-UseDynamicNumberOfCompilerThreads}, so none ends between two readings).
     */
    private static long[] cpuMicros() throws IOException {
        long[] process = userAndSystem(Path.of("/proc/self/stat"));
        long[] cpu = {process[0], process[1], 0, 0};
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    if (stat.contains("(C1 CompilerThre") || stat.contains("(C2 CompilerThre")) {
                        long[] jit = userAndSystem(task.resolve("stat"));
                        cpu[2] += jit[0];
                        cpu[3] += jit[1];
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // a thread that ended meanwhile
                }
            }
        }
        return cpu;
    }

    private static long[] userAndSystem(Path statFile) throws IOException {
        String stat = Files.readString(statFile);
        // the fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(fields[11]) * MICROS_PER_TICK, Long.parseLong(fields[12]) * MICROS_PER_TICK};
    }

    private static long maxRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
