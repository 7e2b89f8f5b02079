package io.zeroframe.samples.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.testing.Png;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.CpuAccess;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.SyncFile;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.BufferSink;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.DeviceTrials;
import io.zeroframe.dmabuf.negotiation.Endpoint;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.dmabuf.negotiation.Planner;
import io.zeroframe.dmabuf.negotiation.Preference;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.drm.AtomicRequest;
import io.zeroframe.drm.ClientCap;
import io.zeroframe.drm.CommitFlag;
import io.zeroframe.drm.ConnectionStatus;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.ConnectorType;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DrmEvent;
import io.zeroframe.drm.DrmDeviceInfo;
import io.zeroframe.drm.DrmDevices;
import io.zeroframe.drm.Framebuffer;
import io.zeroframe.drm.FramebufferId;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.ObjectProperties;
import io.zeroframe.drm.Plane;
import io.zeroframe.drm.PlaneEndpoint;
import io.zeroframe.drm.PlaneType;
import io.zeroframe.heaps.Heap;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.Fraction;
import io.zeroframe.v4l2.VideoDevice;
import io.zeroframe.v4l2.VideoDeviceInfo;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.negotiation.VideoEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;


/** The test bed's devices for the cross-device tests, found by driver and name, never by number. */
final class TestBed {
    static final int WIDTH = 640;
    static final int HEIGHT = 480;
    /** How long any wait for a pipeline's progress may take on a loaded, emulated machine. */
    static final Duration PROGRESS = Duration.ofSeconds(60);
    /** The user data of the vblank event {@link Writeback#await} waits for. */
    private static final long VBLANK_AFTER_WRITEBACK = 0x5752_4243L;

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
        return negotiation(producer, producerSource, producerSink, consumers, consumerSources, consumerSinks,
                preference, WIDTH, HEIGHT);
    }

    /** {@link #negotiation} of {@code width x height} frames. */
    static Negotiation negotiation(Endpoint producer, Optional<BufferSource> producerSource, BufferSink producerSink,
                                   List<Endpoint> consumers, List<Optional<BufferSource>> consumerSources,
                                   List<BufferSink> consumerSinks, Preference preference, int width, int height)
            throws IOException {
        Planner.Builder planner = Planner.builder(width, height).producer(producer).preference(preference);
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

    /**
     * vivid's capture node opened at 30 frames per second (half vkms's 60 Hz: the display is the faster one) with
     * "Start of Exposure" timestamps (its default, "End of Frame", is a computed time up to 90% of a period after
     * it hands the buffer over); {@link #close} puts both back and closes the device.
     */
    record Vivid(VideoDevice device, Fraction rateWas) implements AutoCloseable {
        /** 30 frames per second: half vkms's 60 Hz. */
        static final Fraction RATE = new Fraction(1, 30);

        static Vivid at30fps() throws IOException {
            VideoDevice device = VideoDevice.open(vividCapture(0));
            Fraction was = device.streamParameters(BufferType.VIDEO_CAPTURE).timePerFrame();
            Vivid vivid = new Vivid(device, was);
            try {
                device.setTimePerFrame(BufferType.VIDEO_CAPTURE, RATE);
                device.controls().set(TIMESTAMP_SOURCE, "Start of Exposure");
                return vivid;
            } catch (KernelException | RuntimeException | Error e) {
                vivid.close();
                throw e;
            }
        }

        /** The camera's frame rate now, the driver's answer to {@code VIDIOC_G_PARM}. */
        double rate() throws KernelException {
            return device.streamParameters(BufferType.VIDEO_CAPTURE).timePerFrame().perSecond();
        }

        @Override
        public void close() {
            try {
                restoreCamera(device, Optional.of(rateWas));
            } catch (KernelException e) {
                throw new UncheckedIOException(e);
            } finally {
                device.close();
            }
        }
    }

    /**
     * The RGB (0xRRGGBB, the X byte dropped) of the top left {@code width x height} pixels of an XRGB8888 frame,
     * mapped read-only and read inside a {@code DMA_BUF_IOCTL_SYNC} read bracket; the mapping is gone on return.
     * As a {@link Png}, the tests' RGB image, to compare with screenshots and with other frames.
     */
    static Png rgb(Frame frame, int width, int height) throws KernelException {
        boolean packed = frame.format().equals(PixelFormat.RGB888);
        if (!frame.format().equals(PixelFormat.XRGB8888) && !packed) {
            throw new IllegalArgumentException("reads XRGB8888 and RGB888 only, not " + frame.format());
        }
        Frame.Plane plane = frame.plane(0);
        int[] rgb = new int[width * height];
        byte[] row = new byte[width * 3];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pixels = plane.buffer().map(arena, Access.READ);
            try (CpuAccess ignored = plane.buffer().cpuAccess(Access.READ)) {
                for (int y = 0; y < height; y++) { // a row at a time: per-pixel reads crawl in the emulated test bed
                    long at = plane.offset() + y * plane.pitch();
                    if (!packed) {
                        MemorySegment.copy(pixels, ValueLayout.JAVA_INT, at, rgb, y * width, width);
                        continue;
                    }
                    MemorySegment.copy(pixels, ValueLayout.JAVA_BYTE, at, row, 0, row.length);
                    for (int x = 0; x < width; x++) { // bytes B, G, R
                        rgb[y * width + x] = Byte.toUnsignedInt(row[3 * x]) | Byte.toUnsignedInt(row[3 * x + 1]) << 8
                                | Byte.toUnsignedInt(row[3 * x + 2]) << 16;
                    }
                }
            }
        }
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] &= 0xffffff;
        }
        return new Png(width, height, rgb);
    }

    /**
     * RGB pixels (0xRRGGBB) as bytes B, G, R a pixel, with {@code bytesPerPixel} 4 followed by a zero X byte: the bytes
     * of an XRGB8888 frame, or with 3 the colour channels for a PSNR.
     */
    static byte[] bgr(int[] rgb, int bytesPerPixel) {
        byte[] bytes = new byte[rgb.length * bytesPerPixel];
        for (int i = 0; i < rgb.length; i++) {
            bytes[bytesPerPixel * i] = (byte) rgb[i];
            bytes[bytesPerPixel * i + 1] = (byte) (rgb[i] >> 8);
            bytes[bytesPerPixel * i + 2] = (byte) (rgb[i] >> 16);
        }
        return bytes;
    }

    /** {@link #rgb(Frame, int, int)} of the whole frame. */
    static Png rgb(Frame frame) throws KernelException {
        return rgb(frame, frame.width(), frame.height());
    }

    /**
     * How many pixels of {@code frame} {@code screen} does not show at {@code (x, y)}: the rectangle of the frame's
     * size there, cropped to the screen, compared pixel by pixel (RGB).
     */
    static long differing(Png frame, Png screen, int x, int y) {
        long wrong = 0;
        for (int row = 0; row < frame.height() && y + row < screen.height(); row++) {
            for (int column = 0; column < frame.width() && x + column < screen.width(); column++) {
                if (frame.pixel(column, row) != screen.pixel(x + column, y + row)) {
                    wrong++;
                }
            }
        }
        return wrong;
    }

    /**
     * How many pixels of {@code screen} outside the {@code width x height} rectangle at {@code (x, y)} are not
     * {@code rgb}.
     */
    static long differingOutside(Png screen, int x, int y, int width, int height, int rgb) {
        long wrong = 0;
        for (int row = 0; row < screen.height(); row++) {
            for (int column = 0; column < screen.width(); column++) {
                boolean inside = column >= x && column < x + width && row >= y && row < y + height;
                if (!inside && screen.pixel(column, row) != rgb) {
                    wrong++;
                }
            }
        }
        return wrong;
    }

    /**
     * vkms's writeback connector with a system-heap XRGB8888 frame of the mode's size to write the CRTC's output
     * into, and its framebuffer: {@link #route} it in a commit (with {@link #target}), {@link #await} the commit's
     * writeback fence, {@link #unroute} it. vkms 6.12 cannot clone its Virtual and Writeback encoders, so routing
     * turns the Virtual connector off and unrouting turns it back on. {@link #close} gives the CRTC back to the
     * display's connector if a failed test left it routed, then frees the frame and its framebuffer.
     *
     * <p><b>vkms loses a writeback when two come too close.</b> vkms 6.12 turns its composer on when a writeback
     * is committed ({@code vkms_wb_atomic_commit}) and off when a finished writeback job is cleaned up
     * ({@code vkms_wb_cleanup_job}, queued on a kernel workqueue after the job's fence signals); the switch is a
     * flag, not a count. A writeback committed between a fence's signal and that clean-up has its composer turned off
     * under it: its fence never signals, and every later writeback on this boot signals one job late (the
     * kernel signals the oldest queued job). {@link #await} lets a vblank pass after each writeback before the next
     * can be committed and says what happened if a fence does not come; that narrows the window but did not close
     * it (one CI run still lost a writeback among 120 back-to-back ones), so tests space their writebacks.
     */
    record Writeback(DrmDevice card, Display display, Connector connector, Heap heap, Frame output,
                     Framebuffer framebuffer) implements AutoCloseable {
        static Writeback open(DrmDevice card, Display display) throws IOException {
            Connector connector = writeback(card);
            FrameLayout layout = FrameLayout.of(PixelFormat.XRGB8888, display.mode().hdisplay(),
                    display.mode().vdisplay());
            Heap heap = Heap.open("system");
            Frame output = null;
            try {
                output = Frame.allocate(heap, layout);
                return new Writeback(card, display, connector, heap, output, card.addFramebuffer(output));
            } catch (IOException | RuntimeException | Error e) {
                if (output != null) {
                    output.close();
                }
                heap.close();
                throw e;
            }
        }

        /** Moves the CRTC's output from the display's connector to the writeback connector (a modeset). */
        void route(AtomicRequest req, Display display) throws KernelException {
            req.set(display.connector().id(), "CRTC_ID", 0);
            req.set(connector.id(), "CRTC_ID", display.crtc().id());
        }

        /** Asks the commit to write the CRTC's output into {@link #output} and to return a fence for it. */
        void target(AtomicRequest req) throws KernelException {
            req.set(connector.id(), "WRITEBACK_FB_ID", framebuffer.id());
            req.requestWritebackFence(connector.id());
        }

        /**
         * Waits (up to 10 s) for the committed {@code req}'s writeback to complete, lets the next vblank pass (see
         * the class comment) and reads what it wrote.
         */
        Png await(AtomicRequest req) throws KernelException {
            try (SyncFile done = req.takeOutFence(connector.id())
                    .orElseThrow(() -> new AssertionError("the commit returned no writeback fence"))) {
                if (!done.await(Duration.ofSeconds(10))) {
                    throw new AssertionError("the writeback did not complete within 10 s: if an earlier writeback on"
                            + " this boot was committed before vkms cleaned up the one before it, vkms turned its"
                            + " composer off under it and now signals each writeback one job late (see"
                            + " TestBed.Writeback); the first test to fail this way is the one to read");
                }
            }
            card.queueSequenceEvent(display.crtc().id(), 1, VBLANK_AFTER_WRITEBACK);
            DrmEvent event = new DrmEvent();
            do {
                if (!card.events().read(event, 2000)) {
                    throw new AssertionError("no vblank within 2 s after a writeback on " + display.crtc().id());
                }
            } while (event.userData() != VBLANK_AFTER_WRITEBACK);
            return rgb(output);
        }

        /** Gives the CRTC back to the display's connector in one blocking modeset. */
        void unroute(DrmDevice card, Display display) throws KernelException {
            try (AtomicRequest off = card.newAtomicRequest()) {
                off.set(connector.id(), "CRTC_ID", 0);
                off.set(connector.id(), "WRITEBACK_FB_ID", 0);
                off.set(display.connector().id(), "CRTC_ID", display.crtc().id());
                off.commit(EnumSet.of(CommitFlag.ALLOW_MODESET), 0);
            }
        }

        /**
         * What the CRTC shows now, as it stands (mode and planes untouched): routed to the writeback connector in one
         * blocking modeset, written back, routed back to the display's connector (also when the writeback failed).
         */
        Png capture(DrmDevice card, Display display) throws KernelException {
            Png written;
            try (AtomicRequest req = card.newAtomicRequest()) {
                route(req, display);
                target(req);
                req.commit(EnumSet.of(CommitFlag.ALLOW_MODESET), 0);
                written = await(req);
            } catch (KernelException | RuntimeException | Error e) {
                try {
                    unroute(card, display);
                } catch (KernelException | RuntimeException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
            unroute(card, display);
            return written;
        }

        @Override
        public void close() {
            try {
                // a test that failed between route and unroute left the CRTC on the writeback connector, where the
                // display's restoring commit (and the next test's modeset) cannot reach it
                if (card.connectorCurrent(connector.id()).properties().value("CRTC_ID").orElse(0) != 0) {
                    unroute(card, display);
                }
            } catch (KernelException e) {
                throw new IllegalStateException("could not give " + display.crtc().id() + " back to "
                        + display.connector().id() + " after a writeback", e);
            } finally {
                framebuffer.close();
                output.close();
                heap.close();
            }
        }
    }

    /** The CRTC shows what it showed {@code before}: same framebuffer, mode and {@code ACTIVE}. */
    static void assertRestored(DrmDevice card, Crtc before) throws KernelException {
        Crtc after = card.crtc(before.id());
        assertEquals(before.framebuffer(), after.framebuffer(), "the CRTC's framebuffer was not restored");
        assertEquals(before.mode(), after.mode(), "the CRTC's mode was not restored");
        assertEquals(before.properties().value("ACTIVE"), after.properties().value("ACTIVE"),
                "the CRTC's ACTIVE was not restored");
    }

    /**
     * What a display's CRTC, connector and plane showed when {@link #of} read them, to put back with one blocking
     * modeset ({@link #restore}) after a test changed them: a CRTC that had no mode is turned off.
     */
    record Saved(Display display, Crtc crtc, long active, long connectorCrtc, long[] plane) {
        private static final List<String> PLANE_STATE = List.of("FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W",
                "SRC_H", "CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H");

        static Saved of(DrmDevice card, Display display) throws KernelException {
            Crtc crtc = card.crtc(display.crtc().id());
            long connectorCrtc = card.connectorCurrent(display.connector().id()).properties().value("CRTC_ID")
                    .orElse(0);
            Plane now = card.plane(display.plane().id());
            long[] plane = PLANE_STATE.stream().mapToLong(name -> now.properties().value(name).orElse(0)).toArray();
            return new Saved(display, crtc, crtc.properties().value("ACTIVE").orElse(0), connectorCrtc, plane);
        }

        void restore(DrmDevice card) throws KernelException {
            try (AtomicRequest back = card.newAtomicRequest()) {
                if (crtc.mode().isPresent()) {
                    back.set(crtc.id(), "MODE_ID", crtc.mode().get());
                    back.set(crtc.id(), "ACTIVE", active);
                    back.set(display.connector().id(), "CRTC_ID", connectorCrtc);
                    for (int i = 0; i < plane.length; i++) {
                        back.set(display.plane().id(), PLANE_STATE.get(i), plane[i]);
                    }
                } else {
                    back.set(crtc.id(), "ACTIVE", 0);
                    back.set(crtc.id(), "MODE_ID", 0);
                    back.set(display.connector().id(), "CRTC_ID", 0);
                    back.set(display.plane().id(), "FB_ID", 0);
                    back.set(display.plane().id(), "CRTC_ID", 0);
                }
                back.commit(EnumSet.of(CommitFlag.ALLOW_MODESET), 0);
            }
        }
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

    /**
     * What the process holds at one point of a long run, for checking that a pipeline keeps nothing per frame: its
     * open fds (NoLeaks's snapshot) and its resident set.
     */
    record Footprint(Map<Integer, String> fds, long rssKib) {
        static Footprint take() throws IOException {
            return new Footprint(io.zeroframe.bindings.testing.NoLeaks.Snapshot.take().fds(), residentKib());
        }

        /**
         * Fails unless every footprint has the first one's open fds and the resident set never grew by
         * {@code rssBoundKib} or more over the first one's; returns the largest growth, KiB.
         */
        static long assertFlat(List<Footprint> samples, long rssBoundKib) {
            for (int i = 1; i < samples.size(); i++) {
                assertEquals(samples.getFirst().fds(), samples.get(i).fds(), "the open fds changed between samples 0"
                        + " and " + i);
            }
            long growth = samples.stream().mapToLong(Footprint::rssKib).max().orElseThrow()
                    - samples.getFirst().rssKib();
            assertTrue(growth < rssBoundKib, "VmRSS grew by " + growth + " KiB after the first sample: "
                    + samples.stream().map(Footprint::rssKib).toList());
            return growth;
        }

        /** The fd counts and resident sets of {@code samples}, for a report. */
        static String describe(List<Footprint> samples) {
            return "open fds " + samples.stream().map(f -> f.fds().size()).toList() + "; VmRSS KiB "
                    + samples.stream().map(Footprint::rssKib).toList();
        }
    }

    /**
     * What a test opened so far, closed in reverse order if it fails before handing them on ({@link #keep}): the
     * acquire-step-by-step shape of a test's set-up.
     */
    static final class Opened implements AutoCloseable {
        private final List<AutoCloseable> opened = new ArrayList<>();

        <T extends AutoCloseable> T add(T made) {
            opened.add(made);
            return made;
        }

        /** The set-up succeeded: whoever it handed them to closes them now. */
        void keep() {
            opened.clear();
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable made : opened.reversed()) {
                made.close();
            }
            opened.clear();
        }
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
        return await(pipeline, run, now -> now.shown() >= frames, frames + " frames shown", bound);
    }

    /** As {@link #awaitShown}, until the live statistics pass {@code done}, which {@code what} names. */
    static CaptureToScanout.Statistics await(CaptureToScanout pipeline, Future<?> run,
                                             Predicate<CaptureToScanout.Statistics> done, String what,
                                             Duration bound) {
        return await(pipeline::statistics, run, done, what, bound);
    }

    /** As {@link #awaitShown}, for any pipeline's live {@code statistics}, until they pass {@code done}. */
    static <S> S await(Supplier<S> statistics, Future<?> run, Predicate<S> done, String what, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            S now = statistics.get();
            if (done.test(now)) {
                return now;
            }
            if (run.isDone()) {
                throw new AssertionError("the run ended before " + what + ": " + now + ", " + outcome(run));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not " + what + " in " + bound + ": " + now);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    /** Ends a test's pipeline runner: interrupts a run still going and fails unless it ends within 30 s. */
    static void shutDown(ExecutorService runner) throws InterruptedException {
        runner.shutdownNow();
        assertTrue(runner.awaitTermination(30, TimeUnit.SECONDS), "a pipeline run did not end");
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
