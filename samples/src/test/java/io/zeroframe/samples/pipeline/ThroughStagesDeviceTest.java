package io.zeroframe.samples.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.Poller;
import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.bindings.testing.Png;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.dmabuf.negotiation.Preference;
import io.zeroframe.drm.AtomicRequest;
import io.zeroframe.drm.CommitFlag;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.Framebuffer;
import io.zeroframe.drm.PlaneType;
import io.zeroframe.heaps.Heap;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoDevices;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.control.Controls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ThroughStages} in the test bed: vivid (30 fps, a still colour-bar picture) -> vicodec's stateful encoder ->
 * vicodec's stateful decoder -> vkms, every hop by dma-buf in one poll loop. The screen is read back through vkms's
 * writeback connector at the end of a run, the last decoded frame still on screen, and compared with a frame the
 * camera captured; no frame is mapped while streaming.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class ThroughStagesDeviceTest {
    private static final FourCc FWHT = FourCc.of("FWHT");
    /** A FWHT packet's first four bytes: the header's magic1 (0x4f4f4f4f, the same in either byte order). */
    private static final int FWHT_MAGIC = 0x4f4f4f4f;
    private static final int FRAMES = 300;
    /** Packet buffers and decoded frames of each stage. */
    private static final int RESULTS = 4;
    /** vivid's picture with nothing moving and no text in it: every frame is the same picture. */
    private static final Map<String, Integer> STILL = new LinkedHashMap<>(Map.of("test_pattern", 0,
            "osd_text_mode", 2, "horizontal_movement", 3, "vertical_movement", 3));

    private final ExecutorService runner = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopRunner() throws InterruptedException {
        TestBed.shutDown(runner);
    }

    @Test
    void threeHundredDecodedFramesAreShownWithoutMappingAFrameAndTheScreenIsTheCameraWithinFwhtLoss()
            throws Exception {
        try (Chain chain = Chain.open(TestBed.WIDTH, TestBed.HEIGHT, PlaneType.PRIMARY);
             TestBed.Writeback writeback = TestBed.Writeback.open(chain.card, chain.display)) {
            chain.assertZeroCopy();
            Streamed streamed = stream(chain, writeback, FRAMES);
            ThroughStages.Statistics stats = streamed.stats();
            List<String> mappedWhileStreaming = streamed.mappedWhileStreaming();
            Png camera = TestBed.rgb(chain.stages.cameraFrames().getFirst()); // the camera stopped: a still frame
            double psnr = CodecStageDeviceTest.psnr(bytes(camera), bytes(streamed.screen()));
            long differing = TestBed.differing(camera, streamed.screen(), 0, 0);
            System.out.printf("through the codecs, %d frames: %s; frame mappings at frame %d: %s; the screen against"
                            + " a frame from vivid: PSNR %.2f dB, %d of %d pixels differ%n", FRAMES, stats, FRAMES / 2,
                    mappedWhileStreaming, psnr, differing, camera.width() * camera.height());
            assertEquals(FRAMES, stats.shown(), stats.toString());
            assertEquals(List.of(), mappedWhileStreaming, "frame memory mapped while streaming");
            assertEquals(stats.arrived(), stats.shown() + stats.skipped() + stats.inFlight(), stats.toString());
            assertEquals(0, stats.stage(1).refused(), stats.toString());
            assertTrue(stats.latencyP50Nanos() > 0, "capture-to-scanout latency measured: " + stats);
            assertTrue(psnr > 30, "the screen is not the camera's picture: PSNR " + psnr + " dB");
        }
    }

    /**
     * virtio-gpu refuses foreign dma-bufs (ENODEV from {@code DRM_IOCTL_PRIME_FD_TO_HANDLE}), so the planner has the
     * decoder write into the display's own dumb buffers (its trials of the decoder's exports and the heaps fail): the
     * framebuffers are then of virtio-gpu's memory, and the test bed's screenshot of the screen, the last decoded frame
     * still on it, is the camera's picture.
     */
    @Test
    void onVirtioGpuTheDecoderWritesIntoTheDisplaysDumbBuffersAndTheScreenIsTheCamera() throws Exception {
        int frames = 100;
        try (Chain chain = Chain.open(TestBed.WIDTH, TestBed.HEIGHT, PlaneType.PRIMARY, "virtio_gpu", Route.CODECS)) {
            chain.assertZeroCopy();
            AtomicReference<Png> screen = new AtomicReference<>();
            chain.pipeline.beforeRestore = shown -> {
                try {
                    screen.set(Png.screenshot("through-codec-virtio"));
                } catch (java.io.IOException | java.util.zip.DataFormatException e) {
                    throw new AssertionError("screenshot", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            Future<ThroughStages.Statistics> run = runner.submit(() -> chain.pipeline.run(frames));
            TestBed.await(chain.pipeline::statistics, run, now -> now.shown() >= frames / 2, frames / 2 + " shown",
                    TestBed.PROGRESS);
            List<String> mappedWhileStreaming = TestBed.frameMappings();
            ThroughStages.Statistics stats = run.get(2 * TestBed.PROGRESS.toSeconds(), TimeUnit.SECONDS);
            assertEquals(io.zeroframe.dmabuf.negotiation.Allocator.Source.DRM_DUMB_EXPORT,
                    chain.plan.allocator(2).orElseThrow().source(), chain.plan.explain());
            Png camera = TestBed.rgb(chain.stages.cameraFrames().getFirst());
            assertNotNull(screen.get(), "no screenshot");
            double psnr = CodecStageDeviceTest.psnr(bytes(camera), bytes(screen.get()));
            long differing = TestBed.differing(camera, screen.get(), 0, 0);
            System.out.printf("through the codecs into virtio-gpu's dumb buffers, %d frames: %s; frame mappings at"
                            + " frame %d: %s; the screenshot against a frame from vivid: PSNR %.2f dB, %d of %d pixels"
                            + " differ%n", frames, stats, frames / 2, mappedWhileStreaming, psnr, differing,
                    camera.width() * camera.height());
            assertEquals(frames, stats.shown(), stats.toString());
            assertEquals(List.of(), mappedWhileStreaming, "frame memory mapped while streaming");
            assertEquals(stats.arrived(), stats.shown() + stats.skipped() + stats.inFlight(), stats.toString());
            assertTrue(psnr > 30, "the screen is not the camera's picture: PSNR " + psnr + " dB");
        }
    }

    /**
     * camera -> converter -> plane, planned at once: vivid gives RGB888 (first by preference), vim2m reads it and writes
     * a format vkms scans out, which the planner chose for the second hop (vkms takes no 24-bit RGB); 100 frames, no
     * frame mapped while streaming, and the screen (vkms's writeback, the last frame on it) is the camera's picture
     * within the display format's loss.
     */
    @Test
    void aConverterBetweenCameraAndDisplayMakesTheFormatTheDisplayTakesAndTheScreenIsTheCamera() throws Exception {
        int frames = 100;
        try (Chain chain = Chain.open(TestBed.WIDTH, TestBed.HEIGHT, PlaneType.PRIMARY, "vkms", Route.CONVERTER);
             TestBed.Writeback writeback = TestBed.Writeback.open(chain.card, chain.display)) {
            CodecStage converter = chain.stages.stage(0);
            for (CodecStage.Input input : converter.inputs()) {
                assertTrue(input.dmaBuf(0).sameBufferAs(chain.stages.cameraFrames().get(input.index()).plane(0)
                        .buffer()), input + " is not the camera's buffer " + input.index());
            }
            PixelFormat shownFormat = chain.plan.hops().get(1).plan().chosen().format();
            assertEquals(shownFormat, converter.results().getFirst().frame().format());
            Streamed streamed = stream(chain, writeback, frames);
            ThroughStages.Statistics stats = streamed.stats();
            List<String> mappedWhileStreaming = streamed.mappedWhileStreaming();
            Png camera = TestBed.rgb(chain.stages.cameraFrames().getFirst());
            double psnr = CodecStageDeviceTest.psnr(bytes(camera), bytes(streamed.screen()));
            long farOff = farOff(camera, streamed.screen(), 8);
            System.out.printf("through vim2m (%s -> %s), %d frames: %s; frame mappings at frame %d: %s; the screen"
                            + " against a frame from vivid: PSNR %.2f dB, %d of %d pixels off by more than 8 in a"
                            + " channel%n", chain.plan.hops().getFirst().plan().chosen().format(), shownFormat, frames,
                    stats, frames / 2, mappedWhileStreaming, psnr, farOff, camera.width() * camera.height());
            assertFalse(shownFormat.equals(PixelFormat.RGB888), "vkms was planned RGB888: " + chain.plan.explain());
            assertEquals(frames, stats.shown(), stats.toString());
            assertEquals(List.of(), mappedWhileStreaming, "frame memory mapped while streaming");
            assertEquals(stats.arrived(), stats.shown() + stats.skipped() + stats.inFlight(), stats.toString());
            assertTrue(stats.latencyP50Nanos() > 0, "capture-to-scanout latency measured: " + stats);
            assertEquals(0, farOff, "the screen is not the camera's picture: PSNR " + psnr + " dB");
        }
    }

    /**
     * Three stages: camera -> encoder -> decoder -> vim2m -> vkms. vim2m is fed the decoder's frames once the stream
     * plays; the camera then changes resolution mid-run (640x480 to 640x360), the decoder meets it as a source change,
     * and vim2m is restarted on the decoder's new frames, scaling them to the output it was planned for, while the
     * display goes on. 100 frames shown; the screen is the camera's new picture scaled; nothing leaks (NoLeaks).
     */
    @Test
    void aConverterAfterTheDecoderIsFedItsFramesAndRestartedOnTheNewSetAfterACameraChange() throws Exception {
        try (Chain chain = Chain.open(TestBed.WIDTH, TestBed.HEIGHT, PlaneType.PRIMARY, "vkms",
                Route.CODECS_THEN_CONVERTER);
             TestBed.Writeback writeback = TestBed.Writeback.open(chain.card, chain.display)) {
            CodecStage decoder = chain.stages.stage(1);
            CodecStage converter = chain.stages.stage(2);
            assertFalse(converter.isStarted(), "the converter started before the decoder had frames");
            Streamed streamed = stream(chain, writeback, 100, 20, true);
            ThroughStages.Statistics stats = streamed.stats();
            io.zeroframe.dmabuf.Frame decoded = decoder.results().getFirst().frame();
            for (CodecStage.Input input : converter.inputs()) {
                assertTrue(input.dmaBuf(0).sameBufferAs(decoder.results().get(input.index()).dmaBuf(0)),
                        input + " is not the decoder's frame " + input.index());
            }
            Png camera = TestBed.rgb(chain.stages.cameraFrames().getFirst());
            Png expected = scaled(camera, TestBed.WIDTH, TestBed.HEIGHT);
            double psnr = CodecStageDeviceTest.psnr(bytes(expected), bytes(streamed.screen()));
            System.out.printf("camera -> encoder -> decoder -> vim2m -> vkms, camera 640x480 -> 640x360 mid-run: %s;"
                            + " decoder now %dx%d %s, vim2m makes %s; the screen against the camera's new frame"
                            + " scaled to %dx%d: PSNR %.2f dB%n", stats, decoded.width(), decoded.height(),
                    decoded.format(), converter.results().getFirst().frame(), TestBed.WIDTH, TestBed.HEIGHT, psnr);
            assertEquals(100, stats.shown(), stats.toString());
            assertEquals(360, camera.height());
            assertEquals(640, decoded.width());
            assertTrue(decoded.height() >= 360 && decoded.height() < 480, "decoded " + decoded);
            assertEquals(TestBed.HEIGHT, converter.results().getFirst().frame().height());
            assertEquals(stats.arrived(), stats.shown() + stats.skipped() + stats.inFlight(), stats.toString());
            assertTrue(psnr > 20, "the screen is not the camera's new picture: PSNR " + psnr + " dB");
        }
    }

    /**
     * The application as the consumer: camera -> encoder -> decoder -> the application's sink, which is given every
     * decoded frame (30) on the loop's thread and reads the last one; it is the camera's picture within FWHT's loss,
     * and the frames go back to the decoder as the sink returns (nothing leaks: NoLeaks).
     */
    @Test
    void aChainEndingInTheApplicationGivesItEveryDecodedFrame() throws Exception {
        int frames = 30;
        AtomicInteger given = new AtomicInteger();
        AtomicReference<Png> last = new AtomicReference<>();
        ThroughStages.ResultTap sink = frame -> {
            if (given.incrementAndGet() == frames) {
                last.set(TestBed.rgb(frame.frame()));
            }
        };
        try (Chain chain = Chain.toApplication(TestBed.WIDTH, TestBed.HEIGHT, Route.CODECS, sink)) {
            ThroughStages.Statistics stats = chain.pipeline.run(frames);
            Png camera = TestBed.rgb(chain.stages.cameraFrames().getFirst());
            double psnr = CodecStageDeviceTest.psnr(bytes(camera), bytes(last.get()));
            System.out.printf("%s%ncamera -> encoder -> decoder -> application, %d frames: %s; the last frame given"
                    + " against a frame from vivid: PSNR %.2f dB%n", chain.plan.explain(), frames, stats, psnr);
            assertTrue(chain.plan.explain().contains("-> application, 3 hops"), chain.plan.explain());
            assertEquals(frames, stats.shown(), stats.toString());
            assertEquals(frames, given.get());
            assertEquals(stats.arrived(), stats.shown() + stats.skipped() + stats.inFlight(), stats.toString());
            assertTrue(stats.latencyP50Nanos() > 0, "capture-to-application latency measured: " + stats);
            assertTrue(psnr > 30, "the frame given is not the camera's picture: PSNR " + psnr + " dB");
        }
    }

    /**
     * camera -> encoder -> the application: every packet the encoder made is written by a {@link PacketWriter} (the
     * sink), 30 of them, and the bytes written are the packets' own.
     */
    @Test
    void anEncoderAsTheLastStageGivesTheApplicationItsPackets() throws Exception {
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        PacketWriter packets = new PacketWriter(java.nio.channels.Channels.newChannel(file));
        try (Chain chain = Chain.toApplication(TestBed.WIDTH, TestBed.HEIGHT, Route.ENCODER, packets)) {
            ThroughStages.Statistics stats = chain.pipeline.run(30);
            System.out.printf("camera -> encoder -> application: %s; %d packets, %d bytes written%n", stats,
                    packets.packets(), packets.bytes());
            assertEquals(30, stats.shown(), stats.toString());
            assertEquals(30, packets.packets());
            assertEquals(file.size(), packets.bytes());
            assertTrue(packets.bytes() > 30 * 16, "packets carry a header and data: " + packets.bytes());
            assertEquals(FWHT_MAGIC, java.nio.ByteBuffer.wrap(file.toByteArray()).getInt(0), "not a FWHT stream");
        }
    }

    /**
     * No plan: vim2m makes no format virtio-gpu scans out (XRGB8888 is all it takes), whatever the camera gives it.
     * The refusal names the hop for every camera format tried, and the trials leave nothing behind (NoLeaks).
     */
    @Test
    void aChainWhoseConverterMakesNothingTheDisplayTakesIsRefusedNamingTheHop() throws Exception {
        try (TestBed.Vivid vivid = TestBed.Vivid.at30fps();
             VideoQueue queue = vivid.device().openQueue(BufferType.VIDEO_CAPTURE);
             DrmDevice card = TestBed.card("virtio_gpu");
             CodecStage converter = CodecStage.open(vim2m(), CodecStage.Kind.CONVERTER)) {
            TestBed.Display display = TestBed.display(card, PlaneType.PRIMARY);
            StagePlanner planner = StagePlanner.builder(queue, TestBed.WIDTH, TestBed.HEIGHT).converter(converter)
                    .display(card, display.crtc(), display.plane(), display.connector(), display.mode()).build();
            StagePlanner.NoStagePlanException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    StagePlanner.NoStagePlanException.class, planner::plan);
            System.out.println("vivid -> vim2m -> virtio-gpu: " + refused.getMessage());
            assertTrue(refused.getMessage().contains("hop 1 (vim2m"), refused.getMessage());
            assertTrue(refused.getMessage().startsWith("no plan for camera -> converter "), refused.getMessage());
            assertFalse(converter.isStarted());
        }
    }

    /** {@code picture} scaled to {@code width x height}, nearest neighbour. */
    private static Png scaled(Png picture, int width, int height) {
        int[] rgb = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                rgb[y * width + x] = picture.pixel(x * picture.width() / width, y * picture.height() / height);
            }
        }
        return new Png(width, height, rgb);
    }

    /** The stages between camera and display, and the camera format planned first. */
    private enum Route {
        /** camera -> vicodec encoder -> vicodec decoder -> display, XRGB8888 (vkms shows it, vicodec codes it). */
        CODECS(PixelFormat.XRGB8888),
        /** camera -> vim2m -> display, RGB888: no display here takes 24-bit RGB, so vim2m must convert. */
        CONVERTER(PixelFormat.RGB888),
        /** camera -> encoder -> decoder -> vim2m -> display: a converter fed a decoder's frames. */
        CODECS_THEN_CONVERTER(PixelFormat.RGB888),
        /** camera -> encoder, its packets to the application. */
        ENCODER(PixelFormat.XRGB8888);

        final PixelFormat cameraFormat;

        Route(PixelFormat cameraFormat) {
            this.cameraFormat = cameraFormat;
        }
    }

    private static Path vim2m() throws Exception {
        List<io.zeroframe.v4l2.VideoDeviceInfo> found = VideoDevices.findByDriver("vim2m");
        assertFalse(found.isEmpty(), "no vim2m node; device tests need the kernel test bed");
        return found.getFirst().path();
    }

    /** A run's statistics, the frame mappings seen halfway through it, and the screen at its end. */
    private record Streamed(ThroughStages.Statistics stats, List<String> mappedWhileStreaming, Png screen) {}

    /**
     * Runs {@code chain} for {@code frames} shown frames on the runner, reading the process's frame mappings once
     * half of them were shown and the screen through {@code writeback} at the end, the last frame still on it.
     */
    private Streamed stream(Chain chain, TestBed.Writeback writeback, int frames) throws Exception {
        return stream(chain, writeback, frames, frames / 2, false);
    }

    /**
     * As {@link #stream(Chain, TestBed.Writeback, int)}, the mappings read once {@code at} frames were shown, and
     * then, with {@code changeCamera}, the camera changed to 640x360 ({@link ThroughStages#changeCamera}).
     */
    private Streamed stream(Chain chain, TestBed.Writeback writeback, int frames, int at, boolean changeCamera)
            throws Exception {
        AtomicReference<Png> screen = new AtomicReference<>();
        chain.pipeline.beforeRestore = shown -> screen.set(writeback.capture(chain.card, chain.display));
        Future<ThroughStages.Statistics> run = runner.submit(() -> chain.pipeline.run(frames));
        TestBed.await(chain.pipeline::statistics, run, now -> now.shown() >= at, at + " shown", TestBed.PROGRESS);
        List<String> mappedWhileStreaming = TestBed.frameMappings();
        if (changeCamera) {
            chain.pipeline.changeCamera(chain.stages.cameraChange(640, 360, java.util.Optional.empty()));
        }
        ThroughStages.Statistics stats = run.get(2 * TestBed.PROGRESS.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(screen.get(), "the screen was not written back");
        return new Streamed(stats, mappedWhileStreaming, screen.get());
    }

    /** Pixels where a colour channel of {@code screen} is more than {@code tolerance} off {@code frame}'s. */
    private static long farOff(Png frame, Png screen, int tolerance) {
        long off = 0;
        for (int y = 0; y < frame.height(); y++) {
            for (int x = 0; x < frame.width(); x++) {
                int a = frame.pixel(x, y);
                int b = screen.pixel(x, y);
                for (int shift = 0; shift < 24; shift += 8) {
                    if (Math.abs((a >> shift & 0xff) - (b >> shift & 0xff)) > tolerance) {
                        off++;
                        break;
                    }
                }
            }
        }
        return off;
    }

    /**
     * The camera changes resolution mid-run (640x480 to 640x360): the encoder restarts on its new buffers, the decoder
     * meets the new size as a source change, and the screen shows the camera's new picture; no frame from a released
     * buffer is shown (the old framebuffers go only after a flip to a new one), nothing leaks (NoLeaks).
     */
    @Test
    void aCameraResolutionChangeMidRunReachesTheScreenThroughTheDecodersSourceChange() throws Exception {
        try (Chain chain = Chain.open(TestBed.WIDTH, TestBed.HEIGHT, PlaneType.PRIMARY);
             TestBed.Writeback writeback = TestBed.Writeback.open(chain.card, chain.display)) {
            Streamed streamed = stream(chain, writeback, 100, 30, true);
            ThroughStages.Statistics stats = streamed.stats();
            Png camera = TestBed.rgb(chain.stages.cameraFrames().getFirst());
            long differing = TestBed.differing(camera, streamed.screen(), 0, 0);
            System.out.printf("camera 640x480 -> 640x360 mid-run: %s; camera frame %dx%d, the screen against it: %d"
                    + " pixels differ%n", stats, camera.width(), camera.height(), differing);
            assertEquals(100, stats.shown(), stats.toString());
            assertEquals(1, stats.sourceChanges(), stats.toString());
            assertEquals(360, camera.height());
            assertEquals(0, differing, "the screen does not show the camera's new picture");
        }
    }

    @Test
    void withOutFencesNoDecodedFrameGoesBackToTheDecoderBeforeTheFenceOfTheFlipThatReplacedIt() throws Exception {
        try (Chain chain = Chain.open(TestBed.WIDTH, TestBed.HEIGHT, PlaneType.PRIMARY)) {
            chain.pipeline.release(CaptureToScanout.Release.OUT_FENCE);
            chain.pipeline.auditFences = true;
            ThroughStages.Statistics stats = chain.pipeline.run(FRAMES);
            System.out.printf("through the codecs with out-fences, %d frames: %s; decoded frames released before"
                    + " their out-fence signalled: %d%n", FRAMES, stats, chain.pipeline.freedBeforeFence());
            assertEquals(FRAMES, stats.shown(), stats.toString());
            assertEquals(0, chain.pipeline.freedBeforeFence(), "frames released before their out-fence signalled");
            assertEquals(stats.arrived(), stats.shown() + stats.skipped() + stats.inFlight(), stats.toString());
            assertTrue(stats.latencyP50Nanos() > 0, "latencies measured at the fence: " + stats);
        }
    }

    /**
     * Chains that cannot run are refused before anything is tried, each with a message naming the stage and why: a
     * decoder with no encoder before it, an encoder feeding a display, a converter after an encoder, a stage added as
     * another kind than it was opened as, no consumer, and stages not started handed to the pipeline.
     */
    @Test
    void chainsThatCannotRunAreRefusedNamingTheStage() throws Exception {
        try (TestBed.Vivid vivid = TestBed.Vivid.at30fps();
             VideoQueue queue = vivid.device().openQueue(BufferType.VIDEO_CAPTURE);
             DrmDevice card = TestBed.card("vkms");
             CodecStage encoder = CodecStage.open(CodecStageDeviceTest.vicodec("stateful-encoder"),
                     CodecStage.Kind.ENCODER);
             CodecStage decoder = CodecStage.open(CodecStageDeviceTest.vicodec("stateful-decoder"),
                     CodecStage.Kind.DECODER);
             CodecStage converter = CodecStage.open(vim2m(), CodecStage.Kind.CONVERTER)) {
            TestBed.Display display = TestBed.display(card, PlaneType.PRIMARY);
            java.util.function.Supplier<StagePlanner.Builder> chain = () -> StagePlanner.builder(queue, 640, 480);
            java.util.function.UnaryOperator<StagePlanner.Builder> shown = builder -> builder.display(card,
                    display.crtc(), display.plane(), display.connector(), display.mode());
            Map<String, org.junit.jupiter.api.function.Executable> refused = new LinkedHashMap<>();
            refused.put("is a decoder that does not follow an encoder",
                    () -> shown.apply(chain.get().decoder(decoder)).build());
            refused.put("is an encoder: a display shows frames, not packets",
                    () -> shown.apply(chain.get().encoder(encoder, FWHT)).build());
            refused.put("follows an encoder: only a decoder takes packets",
                    () -> shown.apply(chain.get().encoder(encoder, FWHT).converter(converter)).build());
            refused.put("was opened as DECODER, not ENCODER", () -> chain.get().encoder(decoder, FWHT));
            refused.put("no consumer: call display(...) or toApplication()",
                    () -> chain.get().converter(converter).build());
            refused.put("is not started: start the chain first", () -> ThroughStages.open(queue, List.of(converter), card,
                    display.crtc(), display.plane(), display.connector(), display.mode()));
            for (Map.Entry<String, org.junit.jupiter.api.function.Executable> each : refused.entrySet()) {
                RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                        each.getValue(), each.getKey());
                System.out.println("refused: " + e.getMessage());
                assertTrue(e.getMessage().contains(each.getKey()), e.getMessage());
            }
            assertFalse(encoder.isStarted() || decoder.isStarted() || converter.isStarted());
        }
    }

    /**
     * A tap that fails (a full disk, here an IOException it throws on the 5th packet) ends the run with its exception,
     * naming the stage; the display is restored and nothing is left open (NoLeaks).
     */
    @Test
    void aTapThatFailsEndsTheRunWithItsExceptionAndRestoresTheDisplay() throws Exception {
        try (Chain chain = Chain.open(TestBed.WIDTH, TestBed.HEIGHT, PlaneType.PRIMARY)) {
            TestBed.DisplayState before = TestBed.displayState(chain.card, chain.display);
            AtomicInteger packets = new AtomicInteger();
            chain.pipeline.tap(0, packet -> {
                if (packets.incrementAndGet() == 5) {
                    throw new java.io.IOException("No space left on device");
                }
            });
            java.io.UncheckedIOException failed = org.junit.jupiter.api.Assertions.assertThrows(
                    java.io.UncheckedIOException.class, () -> chain.pipeline.run(100));
            System.out.println("a failing tap: " + failed.getMessage());
            assertTrue(failed.getMessage().startsWith("the tap of stage 0 (CodecStage[ENCODER "), failed.getMessage());
            assertTrue(failed.getMessage().endsWith("No space left on device"), failed.getMessage());
            assertEquals(before, TestBed.displayState(chain.card, chain.display), "the display was not restored");
            org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                    () -> chain.pipeline.tap(2, packet -> { }));
        }
    }

    /**
     * A stage closed between planning and starting: {@link Stages#start} fails naming it, and what it had made (the
     * camera's buffers and frames) is freed: the camera has no buffers and nothing is left open (NoLeaks).
     */
    @Test
    void aStageClosedBeforeTheStartFailsItAndFreesWhatWasMade() throws Exception {
        try (TestBed.Vivid vivid = TestBed.Vivid.at30fps();
             VideoQueue queue = vivid.device().openQueue(BufferType.VIDEO_CAPTURE);
             DrmDevice card = TestBed.card("vkms")) {
            TestBed.Display display = TestBed.display(card, PlaneType.PRIMARY);
            CodecStage converter = CodecStage.open(vim2m(), CodecStage.Kind.CONVERTER);
            StagePlan plan = StagePlanner.builder(queue, TestBed.WIDTH, TestBed.HEIGHT).converter(converter)
                    .display(card, display.crtc(), display.plane(), display.connector(), display.mode())
                    .build().plan();
            converter.close();
            IllegalStateException failed = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> Stages.start(plan, RESULTS));
            System.out.println("start with a closed stage: " + failed.getMessage());
            assertTrue(failed.getMessage().contains("CONVERTER stage on " + converter.path() + " is closed"),
                    failed.getMessage());
            assertEquals(List.of(), queue.buffers(), "the camera kept its buffers");
        }
    }

    /**
     * The pipeline closed from another thread mid-run: the run ends as a stop ends it (it returns its statistics),
     * the display is as it was before the run, and nothing is left open (NoLeaks).
     */
    @Test
    void closingThePipelineFromAnotherThreadMidRunEndsItAndRestoresTheDisplay() throws Exception {
        try (Chain chain = Chain.open(TestBed.WIDTH, TestBed.HEIGHT, PlaneType.PRIMARY)) {
            TestBed.DisplayState before = TestBed.displayState(chain.card, chain.display);
            Future<ThroughStages.Statistics> run = runner.submit(() -> chain.pipeline.run(100_000));
            TestBed.await(chain.pipeline::statistics, run, now -> now.shown() >= 20, "20 shown", TestBed.PROGRESS);
            chain.pipeline.close();
            assertTrue(run.isDone(), "close returned before the run ended");
            ThroughStages.Statistics stats = run.get();
            System.out.println("closed mid-run: " + stats);
            assertTrue(stats.shown() >= 20 && stats.shown() < 100_000, stats.toString());
            assertEquals(before, TestBed.displayState(chain.card, chain.display), "the display was not restored");
            for (CodecStage.Input input : chain.stages.stage(0).inputs()) {
                assertTrue(!input.isWithCodec(), "the encoder still holds " + input + " after the run");
            }
        }
    }

    /**
     * The pipeline closed from another thread while a camera change is under way (the change applying on the loop's
     * thread, a latch counted down just before {@code close}): the change completes (the camera's new frames are
     * 640x360, the encoder holds none), the run ends as a stop ends it, the display is as it was, and nothing is left
     * open (NoLeaks).
     */
    @Test
    void closingThePipelineWhileACameraChangeIsUnderWayEndsTheRunCleanly() throws Exception {
        try (Chain chain = Chain.open(TestBed.WIDTH, TestBed.HEIGHT, PlaneType.PRIMARY)) {
            TestBed.DisplayState before = TestBed.displayState(chain.card, chain.display);
            ThroughStages.CameraChange resize = chain.stages.cameraChange(640, 360, java.util.Optional.empty());
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch closing = new CountDownLatch(1);
            Future<ThroughStages.Statistics> run = runner.submit(() -> chain.pipeline.run(100_000));
            TestBed.await(chain.pipeline::statistics, run, now -> now.shown() >= 10, "10 shown", TestBed.PROGRESS);
            chain.pipeline.changeCamera(queue -> {
                inside.countDown();
                try {
                    if (!closing.await(TestBed.PROGRESS.toSeconds(), TimeUnit.SECONDS)) {
                        throw new java.io.IOException("the test never closed the pipeline");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted");
                }
                return resize.apply(queue);
            });
            assertTrue(inside.await(TestBed.PROGRESS.toSeconds(), TimeUnit.SECONDS), "the change never began");
            closing.countDown();
            chain.pipeline.close();
            assertTrue(run.isDone(), "close returned before the run ended");
            ThroughStages.Statistics stats = run.get();
            System.out.println("closed during a camera change: " + stats);
            assertEquals(before, TestBed.displayState(chain.card, chain.display), "the display was not restored");
            assertEquals(360, chain.stages.cameraFrames().getFirst().height(), "the change did not complete");
            for (CodecStage.Input input : chain.stages.stage(0).inputs()) {
                assertFalse(input.isWithCodec(), "the encoder still holds " + input + " after the run");
            }
        }
    }

    /**
     * 3,000 camera frames (100 s at 30 fps; the codecs take the ones they have room for: vicodec codes on the loop's
     * thread, a few frames per second in the emulated test bed, and the camera drops the rest): the process's open fds
     * are the same at every 300th camera frame and at the end, and its resident set grows by less than 8 MiB after
     * the first sample.
     */
    @Test
    void overThreeThousandCameraFramesTheOpenFdsStayTheSameAndTheResidentSetFlat() throws Exception {
        long cameraFrames = 3_000;
        long rssBoundKib = 8 * 1024;
        List<TestBed.Footprint> footprints = new ArrayList<>();
        ThroughStages.Statistics stats;
        try (Chain chain = Chain.open(TestBed.WIDTH, TestBed.HEIGHT, PlaneType.PRIMARY)) {
            Future<ThroughStages.Statistics> run = runner.submit(() -> chain.pipeline.run(Duration.ofMinutes(4)));
            try {
                for (long frames = 300; frames <= cameraFrames; frames += 300) {
                    long due = frames;
                    TestBed.await(chain.pipeline::statistics, run,
                            now -> now.captured() + now.droppedByCamera() >= due, due + " camera frames",
                            TestBed.PROGRESS);
                    if (due < cameraFrames) {
                        footprints.add(TestBed.Footprint.take());
                    }
                }
            } finally {
                chain.pipeline.stop();
            }
            stats = run.get(TestBed.PROGRESS.toSeconds(), TimeUnit.SECONDS);
            footprints.add(TestBed.Footprint.take());
        }
        System.out.printf("through the codecs, %d camera frames: %s; %s (growth bound %d KiB)%n", cameraFrames, stats,
                TestBed.Footprint.describe(footprints), rssBoundKib);
        assertTrue(stats.captured() + stats.droppedByCamera() >= cameraFrames, stats.toString());
        assertTrue(stats.shown() >= 100, "frames shown through the codecs: " + stats);
        TestBed.Footprint.assertFlat(footprints, rssBoundKib);
    }

    /**
     * What {@link ThroughStages} relies on at a source change, checked with the kernel: a decoded frame's framebuffer
     * keeps showing its picture after the decoder freed the frame's buffer ({@code VIDIOC_REQBUFS} 0 and the export
     * closed, for the CAPTURE set-up in the new size), because the display's import holds the memory. Packets of two
     * 640x480 frames then two 640x368 ones (XRGB8888, encoded from heap frames; vicodec codes 640x360 and up) go to
     * vicodec's decoder; the first 640x480 frame is shown on vkms's overlay plane and held while the decoder ends the
     * 640x480 stream; it is then released, the decoder sets CAPTURE up again, and the screen, written back, still
     * shows the 640x480 picture. The first 640x368 frame then replaces it, and only then are the old framebuffers
     * removed.
     */
    @Test
    void aDecodedFramesFramebufferKeepsShowingItAfterTheDecoderFreedItsBufferForASourceChange() throws Exception {
        int[] big = picture(640, 480, 0xc04020, 0x2080e0);
        int[] small = picture(640, 368, 0x30c060, 0x30c060);
        List<byte[]> packets = new ArrayList<>();
        try (Heap heap = Heap.open("system")) {
            CodecStageDeviceTest.encode(heap, FrameLayout.of(PixelFormat.XRGB8888, 640, 480), 2, n -> TestBed.bgr(big, 4),
                    packets);
            CodecStageDeviceTest.encode(heap, FrameLayout.of(PixelFormat.XRGB8888, 640, 368), 2, n -> TestBed.bgr(small, 4),
                    packets);
        }
        List<DmaBuf> inputs = new ArrayList<>();
        List<Framebuffer> framebuffers = new ArrayList<>();
        try (Heap heap = Heap.open("system");
             DrmDevice card = TestBed.card("vkms")) {
            TestBed.Display overlay = TestBed.display(card, PlaneType.OVERLAY);
            TestBed.Saved saved = TestBed.Saved.of(card, overlay);
            try (TestBed.Writeback writeback = TestBed.Writeback.open(card, overlay);
                 CodecStage decoder = CodecStage.open(CodecStageDeviceTest.vicodec("stateful-decoder"),
                         CodecStage.Kind.DECODER);
                 Poller poller = Poller.open();
                 AtomicRequest show = card.newAtomicRequest()) {
                for (int i = 0; i < 2; i++) {
                    inputs.add(heap.allocate(4 << 20)); // at least the format's sizeimage
                }
                decoder.startDecoder(FWHT, 640, 480, inputs, 2);
                decoder.attach(poller);
                CodecStageDeviceTest.Feeder feeder = new CodecStageDeviceTest.Feeder(decoder, inputs, packets);
                CodecStage.Result held = null;
                List<CodecStage.Result> oldSet = null;
                Png whileFreed = null;
                boolean replaced = false;
                try {
                    while (!replaced) {
                        feeder.feed();
                        assertTrue(poller.await(Duration.ofSeconds(10)) > 0, "the decoder stalled");
                        for (var taken = decoder.takeResult(); taken.isPresent(); taken = decoder.takeResult()) {
                            CodecStage.Result frame = taken.get();
                            if (oldSet == null) { // the first 640x480 frame: registered with its set, shown, held
                                oldSet = decoder.results();
                                for (CodecStage.Result each : oldSet) {
                                    framebuffers.add(card.addFramebuffer(each.frame()));
                                }
                                show.set(overlay.crtc().id(), "MODE_ID", overlay.mode());
                                show.set(overlay.crtc().id(), "ACTIVE", true);
                                show.set(overlay.connector().id(), "CRTC_ID", overlay.crtc().id());
                                Scanout.place(show, overlay.plane().id(), overlay.crtc().id(),
                                        framebuffers.get(frame.index()), 0, 0, 640, 480);
                                show.commit(EnumSet.of(CommitFlag.ALLOW_MODESET), 0);
                                held = frame;
                            } else if (whileFreed == null) {
                                decoder.release(frame); // the rest of the 640x480 stream
                            } else { // the first 640x368 frame replaces the held one's framebuffer on screen
                                assertEquals(368, frame.frame().height());
                                Framebuffer next = card.addFramebuffer(frame.frame());
                                framebuffers.add(next);
                                show.clear();
                                Scanout.place(show, overlay.plane().id(), overlay.crtc().id(), next, 0, 0, 640, 368);
                                show.commit(EnumSet.noneOf(CommitFlag.class), 0); // blocking: done when on screen
                                for (int i = 0; i < oldSet.size(); i++) {
                                    framebuffers.get(i).close(); // no longer scanned out
                                }
                                decoder.release(frame);
                                replaced = true;
                                break;
                            }
                        }
                        if (held != null && decoder.changePending()) {
                            decoder.release(held); // its framebuffer keeps showing it
                            held = null;
                            assertFalse(decoder.results() == oldSet, "CAPTURE not set up again");
                            assertFalse(oldSet.getFirst().frame().isOpen(), "the old frames were not freed");
                            whileFreed = writeback.capture(card, overlay);
                        }
                    }
                } finally {
                    decoder.detach();
                    saved.restore(card);
                }
                assertNotNull(whileFreed, "the decoder never changed its source");
                double psnr = psnr(big, whileFreed, 640, 480);
                System.out.printf("a source change: the 640x480 frame shown while the decoder freed its buffer and set"
                        + " up 640x368 still shows on screen: PSNR %.2f dB against the picture encoded%n", psnr);
                assertTrue(psnr > 30, "the framebuffer of a freed decoder buffer does not show its picture: PSNR "
                        + psnr + " dB");
            } finally {
                framebuffers.forEach(Framebuffer::close);
                inputs.forEach(DmaBuf::close);
            }
        }
    }

    /** {@code width x height} RGB pixels: the left half {@code left}, the right half {@code right}. */
    private static int[] picture(int width, int height, int left, int right) {
        int[] rgb = new int[width * height];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = i % width < width / 2 ? left : right;
        }
        return rgb;
    }

    /** The PSNR of the top left {@code width x height} of {@code screen} against {@code expected}, over RGB. */
    private static double psnr(int[] expected, Png screen, int width, int height) {
        int[] shown = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                shown[y * width + x] = screen.pixel(x, y);
            }
        }
        return CodecStageDeviceTest.psnr(bytes(new Png(width, height, expected)), bytes(new Png(width, height, shown)));
    }

    /** The RGB bytes of a picture, for a PSNR over the colour channels. */
    private static byte[] bytes(Png picture) {
        return TestBed.bgr(picture.rgb(), 3);
    }

    /**
     * vivid still at 30 fps, camera -> encoder -> decoder -> the plane of {@code type} planned at once
     * ({@link StagePlanner}, XRGB8888 first: vkms shows it and vicodec codes it), the stages started ({@link Stages})
     * and the pipeline; {@link #close} closes them downstream first and puts vivid's settings back.
     */
    private record Chain(TestBed.Vivid vivid, Map<String, Integer> controlsWas, VideoQueue queue, DrmDevice card,
                         TestBed.Display display, StagePlan plan, Stages stages, ThroughStages pipeline)
            implements AutoCloseable {
        static Chain open(int width, int height, PlaneType type) throws Exception {
            return open(width, height, type, "vkms", Route.CODECS);
        }

        /** On the display of {@code driver}, through the stages of {@code route}. */
        static Chain open(int width, int height, PlaneType type, String driver, Route route) throws Exception {
            return open(width, height, type, driver, route, null);
        }

        /** Through the codecs to the application's {@code sink}: no display ({@code card} and {@code display} null). */
        static Chain toApplication(int width, int height, Route route, ThroughStages.ResultTap sink)
                throws Exception {
            return open(width, height, null, null, route, Objects.requireNonNull(sink, "sink"));
        }

        private static Chain open(int width, int height, PlaneType type, String driver, Route route,
                                  ThroughStages.ResultTap sink) throws Exception {
            try (TestBed.Opened opened = new TestBed.Opened()) {
                TestBed.Vivid vivid = opened.add(TestBed.Vivid.at30fps());
                Controls controls = vivid.device().controls();
                Map<String, Integer> was = new LinkedHashMap<>();
                for (String name : STILL.keySet()) {
                    was.put(name, controls.getInt(name));
                }
                opened.add((AutoCloseable) () -> {
                    for (Map.Entry<String, Integer> entry : was.entrySet()) {
                        controls.set(entry.getKey(), entry.getValue());
                    }
                });
                for (Map.Entry<String, Integer> entry : STILL.entrySet()) {
                    controls.set(entry.getKey(), entry.getValue());
                }
                VideoQueue queue = opened.add(vivid.device().openQueue(BufferType.VIDEO_CAPTURE));
                DrmDevice card = sink != null ? null : opened.add(TestBed.card(driver));
                TestBed.Display display = sink != null ? null : TestBed.display(card, type);
                StagePlanner.Builder chain = StagePlanner.builder(queue, width, height)
                        .preference(Preference.DEFAULT.formatsFirst(route.cameraFormat));
                if (route != Route.CONVERTER && route != Route.ENCODER) {
                    chain.encoder(opened.add(CodecStage.open(CodecStageDeviceTest.vicodec("stateful-encoder"),
                                    CodecStage.Kind.ENCODER)), FWHT)
                            .decoder(opened.add(CodecStage.open(CodecStageDeviceTest.vicodec("stateful-decoder"),
                                    CodecStage.Kind.DECODER)));
                }
                if (route == Route.ENCODER) {
                    chain.encoder(opened.add(CodecStage.open(CodecStageDeviceTest.vicodec("stateful-encoder"),
                            CodecStage.Kind.ENCODER)), FWHT);
                }
                if (route == Route.CONVERTER || route == Route.CODECS_THEN_CONVERTER) {
                    chain.converter(opened.add(CodecStage.open(vim2m(), CodecStage.Kind.CONVERTER)));
                }
                StagePlan plan = (sink != null ? chain.toApplication() : chain.display(card, display.crtc(),
                        display.plane(), display.connector(), display.mode())).build().plan();
                System.out.println(plan.explain());
                for (StagePlan.Hop hop : plan.hops()) {
                    hop.frames().ifPresent(frames -> assertEquals(Plan.Kind.ZERO_COPY, frames.kind(), plan.explain()));
                }
                assertEquals(route.cameraFormat, plan.hops().getFirst().plan().chosen().format(), plan.explain());
                Stages stages = opened.add(Stages.start(plan, RESULTS));
                ThroughStages pipeline = opened.add(sink != null
                        ? ThroughStages.toApplication(queue, stages.stages(), sink)
                        : ThroughStages.open(queue, stages.stages(), card, display.crtc(), display.plane(),
                                display.connector(), display.mode()));
                opened.keep(); // the chain closes them now
                return new Chain(vivid, was, queue, card, display, plan, stages, pipeline);
            }
        }

        /** The encoder reads the camera's memory, the decoder the encoder's packets: no buffer in between. */
        void assertZeroCopy() throws KernelException {
            for (CodecStage.Input input : stages.stage(0).inputs()) {
                assertTrue(input.dmaBuf(0).sameBufferAs(stages.cameraFrames().get(input.index()).plane(0).buffer()),
                        input + " is not the camera's buffer " + input.index());
            }
            for (CodecStage.Input input : stages.stage(1).inputs()) {
                assertTrue(input.dmaBuf(0).sameBufferAs(stages.stage(0).results().get(input.index()).dmaBuf(0)),
                        input + " is not the encoder's packet buffer " + input.index());
            }
        }

        @Override
        public void close() throws Exception {
            try {
                pipeline.close();
                stages.close();
                queue.close();
                if (card != null) {
                    card.close();
                }
                Controls controls = vivid.device().controls();
                for (Map.Entry<String, Integer> entry : controlsWas.entrySet()) {
                    controls.set(entry.getKey(), entry.getValue());
                }
            } finally {
                vivid.close();
            }
        }
    }
}
