package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.BufferSink;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.DeviceTrials;
import io.zeroframe.dmabuf.negotiation.Endpoint;
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
import io.zeroframe.drm.FramebufferId;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.ObjectProperties;
import io.zeroframe.drm.Plane;
import io.zeroframe.drm.PlaneEndpoint;
import io.zeroframe.drm.PlaneType;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.negotiation.VideoEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

/** The test bed's devices for the cross-device tests, found by driver and name, never by number. */
final class TestBed {
    static final int WIDTH = 640;
    static final int HEIGHT = 480;

    private TestBed() {}

    /** vivid instance {@code instance}'s capture node (0 single-planar, 1 multi-planar). */
    static Path vividCapture(int instance) throws IOException {
        String name = "vivid-00" + instance + "-vid-cap";
        List<String> seen = new ArrayList<>();
        for (VideoDeviceInfo info : VideoDevices.findByDriver("vivid")) {
            if (info.name().equals(name)) {
                return info.path();
            }
            seen.add(info.path() + "=" + info.name());
        }
        throw new AssertionError("no vivid node named " + name + " among " + seen
                + "; device tests need the kernel test bed");
    }

    /** Opens the card of {@code driver} with atomic and writeback connectors; fails (never skips) without one. */
    static DrmDevice card(String driver) throws IOException {
        DrmDeviceInfo info = DrmDevices.findByDriver(driver).orElseThrow(() -> new AssertionError(
                "no " + driver + " card: device tests need the kernel test bed"));
        return DrmDevice.open(info.path(), EnumSet.of(ClientCap.UNIVERSAL_PLANES, ClientCap.ATOMIC,
                ClientCap.WRITEBACK_CONNECTORS));
    }

    /** A CRTC, a plane of {@code type} on it, the connected (non-writeback) connector and its 640x480 mode. */
    record Display(Crtc crtc, Plane plane, Connector connector, Mode mode) {}

    static Display display(DrmDevice card, PlaneType type) throws KernelException {
        Connector connector = card.connectors().stream()
                .filter(c -> !c.type().equals(ConnectorType.WRITEBACK) && c.status() == ConnectionStatus.CONNECTED)
                .findFirst().orElseThrow(() -> new AssertionError("no connected connector on " + card));
        Mode mode = connector.modes().stream().filter(m -> m.hdisplay() == WIDTH && m.vdisplay() == HEIGHT)
                .findFirst().orElseThrow(() -> new AssertionError("no " + WIDTH + "x" + HEIGHT + " mode on "
                        + connector.name() + " of " + card));
        Crtc crtc = card.crtcs().getFirst();
        Plane plane = card.planes().stream().filter(p -> p.type() == type && p.canUse(crtc.id())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " plane for " + crtc.id() + " on " + card));
        return new Display(crtc, plane, connector, mode);
    }

    /** The display's plane described for the planner. */
    static PlaneEndpoint plane(DrmDevice card, Display display) throws KernelException {
        return PlaneEndpoint.of(card, display.plane(), display.crtc(), display.connector(), display.mode());
    }

    /** The writeback connector of a card opened with writeback connectors. */
    static Connector writeback(DrmDevice card) throws KernelException {
        return card.connectors().stream().filter(c -> c.type().equals(ConnectorType.WRITEBACK)).findFirst()
                .orElseThrow(() -> new AssertionError("no writeback connector on " + card));
    }

    /**
     * A planner and trials for {@code producer} into {@code consumers}, with every dma-heap and udmabuf besides
     * the endpoints' own exports.
     */
    record Negotiation(Planner planner, DeviceTrials trials, List<BufferSource> sources) {
        Optional<BufferSource> source(Allocator allocator) {
            return sources.stream().filter(s -> s.allocator().equals(allocator)).findFirst();
        }
    }

    /** {@link #negotiation} of a camera into a plane. */
    static Negotiation negotiation(VideoEndpoint camera, PlaneEndpoint plane, Preference preference)
            throws IOException {
        return negotiation(camera.endpoint(), camera.source(), camera.sink(), List.of(plane.endpoint()),
                List.of(plane.source()), List.of(plane.sink()), preference);
    }

    static Negotiation negotiation(Endpoint producer, Optional<BufferSource> producerSource, BufferSink producerSink,
                                   List<Endpoint> consumers, List<Optional<BufferSource>> consumerSources,
                                   List<BufferSink> consumerSinks, Preference preference) throws IOException {
        Planner.Builder planner = Planner.builder(WIDTH, HEIGHT).producer(producer).preference(preference);
        consumers.forEach(planner::consumer);
        DeviceTrials.Builder trials = DeviceTrials.builder().sink(producerSink);
        consumerSinks.forEach(trials::sink);
        List<BufferSource> sources = new ArrayList<>();
        producerSource.ifPresent(sources::add);
        consumerSources.forEach(s -> s.ifPresent(sources::add));
        sources.addAll(SystemAllocators.addTo(planner));
        sources.forEach(trials::source);
        return new Negotiation(planner.build(), trials.build(), sources);
    }

    /** The DRM primary nodes (/dev/dri/cardN) this process has open. */
    static List<Path> openCards() throws IOException {
        List<Path> cards = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.toString().startsWith("/dev/dri/card")) {
                        cards.add(target);
                    }
                } catch (IOException e) {
                    // the fd closed while listing (the listing's own)
                }
            }
        }
        return cards;
    }

    // ---- the pipeline's lifecycle tests (PipelineLifecycleDeviceTest)

    /** vivid's menu control: "End of Frame" (its default) or "Start of Exposure". */
    static final String TIMESTAMP_SOURCE = "Timestamp Source";

    /**
     * A vivid capture queue, a card's primary plane and a pool of a plan between them, opened and allocated as the
     * pipeline tests do; with {@code rate} present vivid runs at it with Start of Exposure timestamps until
     * {@link #close}, which puts back what it found (vivid keeps its settings across opens).
     */
    record Rig(VideoDevice vivid, VideoQueue queue, DrmDevice card, Display display, Plan plan, BufferPool pool,
               Optional<Fraction> cameraWas) implements AutoCloseable {
        /** With {@code preference} for every plan: the planner's default choice of allocator. */
        static Rig open(int instance, String driver, Preference preference, Optional<Fraction> rate)
                throws Exception {
            return open(instance, driver, (camera, plane) -> preference, rate);
        }

        /** With the preference {@code choose} makes of the camera's and the plane's endpoints (their names). */
        static Rig open(int instance, String driver, BiFunction<VideoEndpoint, PlaneEndpoint, Preference> choose,
                        Optional<Fraction> rate) throws Exception {
            VideoDevice vivid = VideoDevice.open(vividCapture(instance));
            VideoQueue queue = null;
            DrmDevice card = null;
            Optional<Fraction> cameraWas = Optional.empty();
            try {
                if (rate.isPresent()) {
                    cameraWas = Optional.of(vivid.streamParameters(BufferType.VIDEO_CAPTURE).timePerFrame());
                    vivid.setTimePerFrame(BufferType.VIDEO_CAPTURE, rate.get());
                    vivid.controls().set(TIMESTAMP_SOURCE, "Start of Exposure");
                }
                queue = vivid.openQueue(BufferType.VIDEO_CAPTURE);
                card = TestBed.card(driver);
                Display display = TestBed.display(card, PlaneType.PRIMARY);
                VideoEndpoint camera = VideoEndpoint.of(queue, Role.PRODUCER, WIDTH, HEIGHT);
                PlaneEndpoint plane = plane(card, display);
                Negotiation negotiation = negotiation(camera, plane,
                        choose.apply(camera, plane).formatsFirst(PixelFormat.XRGB8888));
                Plan plan = negotiation.planner().plan(negotiation.trials());
                BufferPool pool = BufferPool.allocate(plan, queue, card, negotiation.source(plan.allocator()));
                return new Rig(vivid, queue, card, display, plan, pool, cameraWas);
            } catch (Exception | Error e) {
                if (card != null) {
                    card.close();
                }
                if (queue != null) {
                    queue.close();
                }
                try {
                    restoreCamera(vivid, cameraWas);
                } finally {
                    vivid.close();
                }
                throw e;
            }
        }

        CaptureToScanout pipeline() throws KernelException {
            return CaptureToScanout.open(pool, queue, card, display.crtc(), display.plane(), display.connector(),
                    display.mode());
        }

        DisplayState displayState() throws KernelException {
            return TestBed.displayState(card, display);
        }

        /** Closes the pool, the queue, the card and the camera without touching vivid's settings. */
        void release() {
            pool.close();
            queue.close();
            card.close();
            vivid.close();
        }

        @Override
        public void close() throws KernelException {
            pool.close();
            queue.close();
            card.close();
            try {
                restoreCamera(vivid, cameraWas);
            } finally {
                vivid.close();
            }
        }
    }

    /** Puts vivid's frame interval {@code was} back, with its default End of Frame timestamps; nothing if empty. */
    static void restoreCamera(VideoDevice vivid, Optional<Fraction> was) throws KernelException {
        if (was.isPresent()) {
            vivid.controls().set(TIMESTAMP_SOURCE, "End of Frame");
            vivid.setTimePerFrame(BufferType.VIDEO_CAPTURE, was.get());
        }
    }

    /**
     * What a display shows, read back from the kernel: the CRTC's mode, framebuffer and {@code ACTIVE}, the
     * connector's {@code CRTC_ID} and the plane's framebuffer, CRTC and rectangles.
     */
    record DisplayState(Optional<Mode> mode, Optional<FramebufferId> framebuffer, long active, long connectorCrtc,
                        Map<String, Long> plane) {}

    static DisplayState displayState(DrmDevice card, Display display) throws KernelException {
        Crtc crtc = card.crtc(display.crtc().id());
        Map<String, Long> plane = new TreeMap<>();
        ObjectProperties planeNow = card.plane(display.plane().id()).properties();
        for (String name : List.of("FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W", "SRC_H", "CRTC_X", "CRTC_Y",
                "CRTC_W", "CRTC_H")) {
            plane.put(name, planeNow.value(name).orElse(-1));
        }
        long connectorCrtc = card.connectorCurrent(display.connector().id()).properties().value("CRTC_ID")
                .orElse(-1);
        return new DisplayState(crtc.mode(), crtc.framebuffer(), crtc.properties().value("ACTIVE").orElse(-1),
                connectorCrtc, plane);
    }

    /**
     * What names a mapping of frame memory in /proc/self/maps: a dma-buf ("/dmabuf:NAME", or "anon_inode:dmabuf"
     * on older kernels), a V4L2 MMAP buffer or a dumb buffer mapped through its node, a memfd (udmabuf's backing),
     * a heap or udmabuf node.
     */
    static final List<String> FRAME_MAPPINGS = List.of("dmabuf", "/dev/video", "/dev/dri/", "/memfd:",
            "/dev/dma_heap/", "/dev/udmabuf");

    /** The lines of /proc/self/maps that map frame memory ({@link #FRAME_MAPPINGS}). */
    static List<String> frameMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> FRAME_MAPPINGS.stream().anyMatch(line::contains)).toList();
    }

    /** This process's resident set ({@code VmRSS} of /proc/self/status), in KiB. */
    static long residentKib() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).findFirst()
                .orElseThrow(() -> new AssertionError("no VmRSS in /proc/self/status"));
        return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").strip());
    }

    /**
     * Waits until {@code pipeline}, streaming in {@code run}, has shown {@code frames} frames, looking at its live
     * statistics every 2 ms (a bounded retry: it waits for the other thread's progress, never for a guessed time);
     * fails when {@code run} ended first or {@code bound} passed.
     *
     * @return the statistics that showed it
     */
    static CaptureToScanout.Statistics awaitShown(CaptureToScanout pipeline, Future<?> run, long frames,
                                                  Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            CaptureToScanout.Statistics now = pipeline.statistics();
            if (now.shown() >= frames) {
                return now;
            }
            if (run.isDone()) {
                throw new AssertionError("the run ended before " + frames + " frames were shown: " + now + ", "
                        + outcome(run));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(frames + " frames not shown in " + bound + ": " + now);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    private static String outcome(Future<?> run) {
        try {
            return "it returned " + run.get();
        } catch (ExecutionException e) {
            return "it threw " + e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
