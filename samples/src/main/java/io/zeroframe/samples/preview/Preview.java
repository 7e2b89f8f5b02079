package io.zeroframe.samples.preview;

import com.fasterxml.jackson.jr.ob.JSON;
import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.DeviceTrials;
import io.zeroframe.dmabuf.negotiation.NoPlanException;
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
import io.zeroframe.samples.pipeline.SystemAllocators;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.VideoCapability;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.negotiation.VideoEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code preview}: shows a V4L2 camera on a KMS display without copying a pixel, through {@link CaptureToScanout}:
 * plans the buffers with the {@link Planner} (camera as producer, the display's primary plane as consumer, every
 * usable dma-heap and udmabuf as allocators), allocates a {@link BufferPool} and streams until the asked number of
 * frames was shown or the asked time passed. Prints one progress line a second and the final statistics.
 *
 * <p><b>Mode and size.</b> The display runs the connector's mode of {@code --size} (default 640x480) when it has
 * one, else its preferred mode; then the camera is asked for the mode's size, since a primary plane must cover the
 * whole CRTC. No scaling, no position: the frame fills the screen.
 *
 * <p>Exit status: 0 when the run completed; 1 when it could not (one line on stderr: no camera, no connected
 * connector, the display held by another DRM master, no plan, a device error); 2 for a usage error. Run it with
 * {@code scripts/preview} or {@code java -jar samples/target/zeroframe-preview.jar}; it needs DRM master, so run
 * it from a text console, not under a desktop session.
 *
 * {@snippet lang=shell :
 * scripts/preview --frames 600 --explain
 * scripts/preview --camera /dev/video0 --display virtio_gpu --duration 10 --stats stats.json
 * }
 */
@Command(name = "preview", mixinStandardHelpOptions = true, version = "Zeroframe preview 0.1.0",
        description = {"Shows a V4L2 camera on a KMS display, zero-copy (the camera writes into the scanned-out"
                + " buffers).", "Needs DRM master: run from a text console, not under a display server."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the run completed", "1:it could not run (one line on stderr)", "2:usage error"})
public final class Preview implements Callable<Integer> {
    @Option(names = "--camera", paramLabel = "PATH",
            description = "V4L2 capture node (default: the first whose plan succeeds).")
    Path camera;

    @Option(names = "--display", paramLabel = "CARD",
            description = "DRM driver name or /dev/dri/cardN (default: the first card with a connected connector).")
    String display;

    @Option(names = "--size", paramLabel = "WxH", defaultValue = "640x480", converter = SizeConverter.class,
            description = "Frame and mode size (default: ${DEFAULT-VALUE}); the preferred mode's without such a mode.")
    Size size;

    @Option(names = "--format", paramLabel = "FOURCC", converter = FormatConverter.class,
            description = "Preferred pixel format, e.g. XRGB8888, YUYV, NV12.")
    PixelFormat format;

    @Option(names = "--allocator", paramLabel = "NAME", description = "Force an allocator (as the plan names it).")
    String allocator;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "300",
            description = "Frames to show (default: ${DEFAULT-VALUE}).")
    long frames;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Run for this long instead of --frames.")
    Double duration;

    @Option(names = "--explain", description = "Print the plan's explanation.")
    boolean explain;

    @Option(names = "--stats", paramLabel = "FILE", description = "Write the final statistics as JSON.")
    Path stats;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A frame size. */
    record Size(int width, int height) {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    static final class SizeConverter implements CommandLine.ITypeConverter<Size> {
        @Override
        public Size convert(String value) {
            String[] parts = value.split("x");
            try {
                if (parts.length == 2) {
                    Size size = new Size(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                    if (size.width() > 0 && size.height() > 0) {
                        return size;
                    }
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size WxH such as 640x480");
        }
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<PixelFormat> {
        @Override
        public PixelFormat convert(String value) {
            return PixelFormat.all().stream().filter(f -> f.name().equalsIgnoreCase(value)
                            || f.fourccName().trim().equalsIgnoreCase(value)).findFirst()
                    .orElseThrow(() -> new CommandLine.TypeConversionException("unknown format '" + value
                            + "'; known: " + PixelFormat.all().stream().map(PixelFormat::name).toList()));
        }
    }

    /** A failure the user can act on: printed as one line. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs {@code preview} with {@code args}, printing to {@link System#out} and {@link System#err}; the exit status. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line of a new {@code preview}, its errors reported as one line. */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Preview());
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("preview: " + e.getMessage());
            return 1;
        });
        line.setParameterExceptionHandler((e, args2) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("preview: " + e.getMessage() + " (see preview --help)");
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        return line;
    }

    /** The display chosen: the card and what runs on it. */
    private record Screen(DrmDevice card, Crtc crtc, Plane plane, Connector connector, Mode mode) {}

    /** A camera with its plan and allocation sources. */
    private record Planned(VideoDevice device, VideoQueue queue, Plan plan, List<BufferSource> sources) {}

    @Override
    public Integer call() throws Exception {
        if (frames <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--frames must be positive: " + frames);
        }
        if (duration != null && !(duration > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--duration must be positive: " + duration);
        }
        if (camera != null && !Files.exists(camera)) {
            throw new Failure("no camera " + camera + ": no such file"); // before taking the display
        }
        PrintWriter out = spec.commandLine().getOut();
        try (DrmDevice card = openDisplay()) {
            Screen screen = screen(card);
            int width = screen.mode().hdisplay();
            int height = screen.mode().vdisplay();
            out.printf("display: %s (%s), %s, mode %s%n", card, screen.connector().name(),
                    screen.crtc().id(), screen.mode());
            Planned planned = plan(screen, width, height);
            try {
                out.printf("camera: %s, %dx%d, plan: %s%n", planned.device(), width, height,
                        planned.plan().allocator());
                if (explain) {
                    out.println(planned.plan().explain());
                }
                out.flush();
                CaptureToScanout.Statistics result = stream(screen, planned, out);
                out.println("final: " + result);
                out.flush();
                if (stats != null) {
                    Files.writeString(stats, JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(json(result)));
                }
            } finally {
                planned.queue().close();
                planned.device().close();
            }
        }
        return 0;
    }

    private CaptureToScanout.Statistics stream(Screen screen, Planned planned, PrintWriter out) throws Exception {
        Optional<BufferSource> source = planned.sources().stream()
                .filter(s -> s.allocator().equals(planned.plan().allocator())).findFirst();
        boolean console = System.console() != null;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "preview-progress");
            thread.setDaemon(true);
            return thread;
        });
        try (BufferPool pool = BufferPool.allocate(planned.plan(), planned.queue(), screen.card(), source);
             CaptureToScanout pipeline = CaptureToScanout.open(pool, planned.queue(), screen.card(), screen.crtc(),
                     screen.plane(), screen.connector(), screen.mode())) {
            ticker.scheduleAtFixedRate(() -> {
                out.print(progress(pipeline.statistics()) + (console ? "\r" : "\n"));
                out.flush();
            }, 1, 1, TimeUnit.SECONDS);
            try {
                return duration != null ? pipeline.run(Duration.ofMillis(Math.round(duration * 1000)))
                        : pipeline.run(frames);
            } catch (KernelException e) {
                if (e.errno() == Errno.EACCES || e.errno() == Errno.EBUSY) {
                    throw new Failure(screen.card() + " is in use by another program (a desktop session?): run from"
                            + " a text console, or stop the display server (" + e.getMessage() + ")");
                }
                throw e;
            }
        } finally {
            ticker.shutdownNow();
            ticker.awaitTermination(1, TimeUnit.SECONDS);
            if (console) {
                out.println();
            }
        }
    }

    static String progress(CaptureToScanout.Statistics s) {
        return String.format("%6.2f fps, shown %d, skipped %d, dropped %d, latency p50 %.2f ms", s.framesPerSecond(),
                s.shown(), s.skipped(), s.droppedByCamera(), s.latencyP50Nanos() / 1e6);
    }

    static Map<String, Object> json(CaptureToScanout.Statistics s) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("captured", s.captured());
        map.put("shown", s.shown());
        map.put("skipped", s.skipped());
        map.put("inFlight", s.inFlight());
        map.put("droppedByCamera", s.droppedByCamera());
        map.put("framesPerSecond", s.framesPerSecond());
        map.put("latencyP50Nanos", s.latencyP50Nanos());
        map.put("latencyP99Nanos", s.latencyP99Nanos());
        map.put("latencyMaxNanos", s.latencyMaxNanos());
        map.put("cpuNanosPerFrame", s.cpuNanosPerFrame());
        return map;
    }

    private DrmDevice openDisplay() throws IOException, Failure {
        EnumSet<ClientCap> caps = EnumSet.of(ClientCap.UNIVERSAL_PLANES, ClientCap.ATOMIC);
        if (display != null) {
            Path node;
            if (display.startsWith("/")) {
                node = Path.of(display);
            } else {
                node = DrmDevices.findByDriver(display).map(DrmDeviceInfo::path)
                        .orElseThrow(() -> new Failure("no DRM card of driver " + display));
            }
            try {
                return DrmDevice.open(node, caps);
            } catch (KernelException e) {
                throw new Failure("cannot open display " + node + ": " + e.getMessage());
            }
        }
        List<String> seen = new ArrayList<>();
        for (Path node : DrmDevices.cards()) {
            DrmDevice card;
            try {
                card = DrmDevice.open(node, caps);
            } catch (KernelException e) {
                seen.add(node + ": " + e.errnoName());
                continue;
            }
            if (connected(card).isPresent()) {
                return card;
            }
            seen.add(node + ": no connected connector");
            card.close();
        }
        throw new Failure("no DRM card with a connected connector" + (seen.isEmpty() ? "" : " " + seen));
    }

    private static Optional<Connector> connected(DrmDevice card) throws KernelException {
        return card.connectors().stream()
                .filter(c -> !c.type().equals(ConnectorType.WRITEBACK) && c.status() == ConnectionStatus.CONNECTED)
                .findFirst();
    }

    private Screen screen(DrmDevice card) throws KernelException, Failure {
        Connector connector = connected(card).orElseThrow(() -> new Failure("no connected connector on " + card));
        Mode mode = connector.modes().stream()
                .filter(m -> m.hdisplay() == size.width() && m.vdisplay() == size.height()).findFirst()
                .or(() -> connector.modes().stream().filter(Mode::isPreferred).findFirst())
                .or(() -> connector.modes().stream().findFirst())
                .orElseThrow(() -> new Failure(connector.name() + " of " + card + " has no mode"));
        for (Crtc crtc : card.crtcs()) {
            Optional<Plane> plane = card.planes().stream()
                    .filter(p -> p.type() == PlaneType.PRIMARY && p.canUse(crtc.id())).findFirst();
            if (plane.isPresent()) {
                return new Screen(card, crtc, plane.get(), connector, mode);
            }
        }
        throw new Failure("no CRTC with a primary plane on " + card);
    }

    private Planned plan(Screen screen, int width, int height) throws IOException, Failure {
        if (camera != null) {
            try {
                return plan(camera, screen, width, height);
            } catch (NoPlanException e) {
                throw new Failure("no plan from " + camera + " to " + screen.card() + ": " + e.getMessage());
            }
        }
        List<String> tried = new ArrayList<>();
        for (Path node : VideoDevices.nodes()) {
            VideoDeviceInfo info;
            try {
                info = VideoDevices.query(node);
            } catch (KernelException e) {
                continue;
            }
            if (!info.deviceCapabilities().contains(VideoCapability.VIDEO_CAPTURE)
                    && !info.deviceCapabilities().contains(VideoCapability.VIDEO_CAPTURE_MPLANE)) {
                continue;
            }
            try {
                return plan(node, screen, width, height);
            } catch (NoPlanException e) {
                tried.add(node + ": " + e.getMessage());
            } catch (KernelException e) {
                tried.add(node + ": " + e.getMessage());
            }
        }
        throw new Failure(tried.isEmpty() ? "no camera: no V4L2 capture node" : "no camera plans: " + tried);
    }

    private Planned plan(Path node, Screen screen, int width, int height) throws IOException, NoPlanException {
        VideoDevice device = VideoDevice.open(node);
        VideoQueue queue = null;
        try {
            BufferType type = device.info().deviceCapabilities().contains(VideoCapability.VIDEO_CAPTURE)
                    ? BufferType.VIDEO_CAPTURE : BufferType.VIDEO_CAPTURE_MPLANE;
            queue = device.openQueue(type);
            VideoEndpoint camera = VideoEndpoint.of(queue, Role.PRODUCER, width, height);
            PlaneEndpoint plane = PlaneEndpoint.of(screen.card(), screen.plane(), screen.crtc(), screen.connector(),
                    screen.mode());
            Preference preference = Preference.DEFAULT;
            if (format != null) {
                preference = preference.formatsFirst(format);
            }
            if (allocator != null) {
                preference = preference.forceAllocator(allocator);
            }
            Planner.Builder planner = Planner.builder(width, height).producer(camera.endpoint())
                    .consumer(plane.endpoint()).preference(preference);
            DeviceTrials.Builder trials = DeviceTrials.builder().sink(camera.sink()).sink(plane.sink());
            List<BufferSource> sources = new ArrayList<>();
            camera.source().ifPresent(sources::add);
            plane.source().ifPresent(sources::add);
            sources.addAll(SystemAllocators.addTo(planner));
            sources.forEach(trials::source);
            Plan plan = planner.build().plan(trials.build());
            return new Planned(device, queue, plan, sources);
        } catch (IOException | NoPlanException | RuntimeException e) {
            if (queue != null) {
                queue.close();
            }
            device.close();
            throw e;
        }
    }
}
