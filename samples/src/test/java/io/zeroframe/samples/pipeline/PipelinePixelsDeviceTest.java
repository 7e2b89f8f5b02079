package io.zeroframe.samples.pipeline;

import static io.zeroframe.samples.pipeline.TestBed.HEIGHT;
import static io.zeroframe.samples.pipeline.TestBed.WIDTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.bindings.testing.Png;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.dmabuf.negotiation.Preference;
import io.zeroframe.dmabuf.negotiation.Role;
import io.zeroframe.drm.AtomicRequest;
import io.zeroframe.drm.CommitFlag;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DumbBuffer;
import io.zeroframe.drm.Framebuffer;
import io.zeroframe.drm.PlaneType;
import io.zeroframe.v4l2.BufferType;
import io.zeroframe.v4l2.VideoQueue;
import io.zeroframe.v4l2.negotiation.VideoEndpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 16's pixel checks of the pipeline on the real drivers: a run ends with its last frame held on screen
 * ({@link CaptureToScanout#keepLastFrame}), and what the display shows then (virtio-gpu: the test bed's screenshot of
 * its scan-out; vkms: its writeback connector's copy of the CRTC's output) is compared, pixel by pixel, with that
 * frame's buffer ({@link CaptureToScanout#lastShown}), mapped read-only after the stream stopped.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class PipelinePixelsDeviceTest {
    /** The overlay test's capture size: vivid's Webcam input offers 320x180, not 320x240. */
    private static final int SMALL_WIDTH = 320;
    private static final int SMALL_HEIGHT = 180;
    private static final int OVERLAY_X = 96;
    private static final int OVERLAY_Y = 64;
    /** The overlay test's primary plane colour (XRGB8888): not one of vivid's colour bars. */
    private static final int BACKDROP = 0x00206080;

    @Test
    void vividToVirtioGpuThreeHundredFramesAndTheScreenshotIsTheHeldLastFrame() throws Exception {
        try (TestBed.Vivid vivid = TestBed.Vivid.at30fps();
             VideoQueue queue = vivid.device().openQueue(BufferType.VIDEO_CAPTURE);
             DrmDevice card = TestBed.card("virtio_gpu")) {
            TestBed.Display display = TestBed.display(card, PlaneType.PRIMARY);
            Crtc before = card.crtc(display.crtc().id());
            try (Pipeline p = Pipeline.open(queue, card, display, Preference.DEFAULT
                    .formatsFirst(PixelFormat.XRGB8888), WIDTH, HEIGHT, 0, 0)) {
                assertEquals(PixelFormat.XRGB8888, p.plan().chosen().format(), p.plan().explain());
                CaptureToScanout.Statistics stats = p.pipeline().run(300);
                try {
                    assertEquals(300, stats.shown(), stats.toString());
                    assertEquals(stats.captured(), stats.shown() + stats.skipped() + stats.inFlight(),
                            stats.toString());
                    BufferPool.Slot last = p.assertHeld(card, display);

                    Png screen = Png.screenshot("pipeline-virtio-held");
                    assertEquals(display.mode().hdisplay(), screen.width());
                    assertEquals(display.mode().vdisplay(), screen.height());
                    Png frame = TestBed.rgb(last.frame());
                    long wrong = TestBed.differing(frame, screen, 0, 0);
                    // the comparison can fail: another slot's frame (an earlier capture), and one changed pixel
                    BufferPool.Slot other = p.pool().slots().stream().filter(s -> s != last).findFirst()
                            .orElseThrow();
                    long otherWrong = TestBed.differing(TestBed.rgb(other.frame()), screen, 0, 0);
                    int[] changed = screen.rgb().clone();
                    changed[changed.length / 2] ^= 0x010101;
                    long oneWrong = TestBed.differing(frame, new Png(screen.width(), screen.height(), changed), 0, 0);
                    System.out.printf("vivid (%.2f fps) -> virtio_gpu %s, %s %s x%d: %s; screenshot %dx%d vs the held"
                                    + " slot %d: %d pixels differ (slot %d: %d; one pixel changed: %d)%n",
                            vivid.rate(), display.mode().name(), p.plan().allocator(), p.plan().chosen().format(),
                            p.plan().count(), stats, screen.width(), screen.height(), last.index(), wrong,
                            other.index(), otherWrong, oneWrong);
                    assertEquals(0, wrong, "pixels of the screenshot that differ from the last shown frame");
                    assertTrue(otherWrong > 0, "slot " + other.index() + "'s frame is not told apart");
                    assertEquals(1, oneWrong);
                } finally {
                    p.pipeline().restoreDisplay();
                }
                assertEquals(Optional.empty(), p.pool().onScreen(), "a slot is still on screen after restoreDisplay");
            }
            TestBed.assertRestored(card, before);
        }
    }

    @Test
    void vividToVkmsCameraAllocatingTheWritebackOfTheHeldFrameIsTheLastShownFrame() throws Exception {
        heldFrameWrittenBack(null);
    }

    @Test
    void vividToVkmsSystemHeapAllocatingTheWritebackOfTheHeldFrameIsTheLastShownFrame() throws Exception {
        heldFrameWrittenBack("system");
    }

    /** Forces {@code allocator} (the camera's own MMAP buffers when null), runs 60 frames, writes back the held one. */
    private static void heldFrameWrittenBack(String allocator) throws Exception {
        try (TestBed.Vivid vivid = TestBed.Vivid.at30fps();
             VideoQueue queue = vivid.device().openQueue(BufferType.VIDEO_CAPTURE);
             DrmDevice card = TestBed.card("vkms")) {
            TestBed.Display display = TestBed.display(card, PlaneType.PRIMARY);
            Crtc before = card.crtc(display.crtc().id());
            String forced = allocator != null ? allocator
                    : VideoEndpoint.of(queue, Role.PRODUCER, WIDTH, HEIGHT).endpoint().name();
            try (Pipeline p = Pipeline.open(queue, card, display, Preference.DEFAULT.forceAllocator(forced)
                    .formatsFirst(PixelFormat.XRGB8888), WIDTH, HEIGHT, 0, 0);
                 TestBed.Writeback writeback = TestBed.Writeback.open(card, display)) {
                assertEquals(forced, p.plan().allocator().name(), p.plan().explain());
                assertEquals(allocator != null ? Allocator.Source.DMA_HEAP : Allocator.Source.V4L2_EXPORT,
                        p.plan().allocator().source(), p.plan().explain());
                assertEquals(PixelFormat.XRGB8888, p.plan().chosen().format(), p.plan().explain());
                CaptureToScanout.Statistics stats = p.pipeline().run(60);
                try {
                    assertEquals(60, stats.shown(), stats.toString());
                    assertEquals(stats.captured(), stats.shown() + stats.skipped() + stats.inFlight(),
                            stats.toString());
                    BufferPool.Slot last = p.assertHeld(card, display);
                    Png written = writeback.capture(card, display);
                    long wrong = TestBed.differing(TestBed.rgb(last.frame()), written, 0, 0);
                    System.out.printf("vivid (%.2f fps) -> vkms from %s (%s x%d): %s; writeback of the held slot %d:"
                                    + " %d of %d pixels differ%n", vivid.rate(), p.plan().allocator(),
                            p.plan().chosen().format(), p.plan().count(), stats, last.index(), wrong,
                            written.rgb().length);
                    assertEquals(0, wrong, "written-back pixels that differ from the last shown frame");
                } finally {
                    p.pipeline().restoreDisplay();
                }
            }
            TestBed.assertRestored(card, before);
        }
    }

    @Test
    void vividOnAVkmsOverlayAtAnOffsetOverASolidPrimaryWritesBackTheFrameThereAndTheColourElsewhere()
            throws Exception {
        try (TestBed.Vivid vivid = TestBed.Vivid.at30fps();
             VideoQueue queue = vivid.device().openQueue(BufferType.VIDEO_CAPTURE);
             DrmDevice card = TestBed.card("vkms");
             Arena arena = Arena.ofConfined()) {
            TestBed.Display primary = TestBed.display(card, PlaneType.PRIMARY);
            TestBed.Display overlay = TestBed.display(card, PlaneType.OVERLAY);
            Crtc before = card.crtc(primary.crtc().id());
            TestBed.Saved saved = TestBed.Saved.of(card, primary);
            int width = primary.mode().hdisplay();
            int height = primary.mode().vdisplay();
            try (DumbBuffer solid = card.createDumbBuffer(width, height, 32)) {
                MemorySegment pixels = solid.map(arena);
                int[] row = new int[width];
                Arrays.fill(row, BACKDROP);
                for (int y = 0; y < height; y++) {
                    MemorySegment.copy(row, 0, pixels, ValueLayout.JAVA_INT, (long) y * solid.pitch(), width);
                }
                try (Framebuffer backdrop = card.addFramebuffer(solid, PixelFormat.XRGB8888)) {
                    try {
                        try (AtomicRequest req = card.newAtomicRequest()) {
                            req.set(primary.crtc().id(), "MODE_ID", primary.mode());
                            req.set(primary.crtc().id(), "ACTIVE", 1);
                            req.set(primary.connector().id(), "CRTC_ID", primary.crtc().id());
                            Scanout.place(req, primary.plane().id(), primary.crtc().id(), backdrop, 0, 0,
                                    width, height);
                            req.commit(EnumSet.of(CommitFlag.ALLOW_MODESET), 0);
                        }
                        showOverlay(vivid, queue, card, primary, overlay, backdrop);
                    } finally {
                        saved.restore(card);
                    }
                }
            }
            assertEquals(List.of(), card.resources().framebuffers(), "a framebuffer of the test is left on vkms");
            TestBed.assertRestored(card, before);
        }
    }

    /** The overlay test's pipeline, with the primary plane showing {@code backdrop}. */
    private static void showOverlay(TestBed.Vivid vivid, VideoQueue queue, DrmDevice card, TestBed.Display primary,
                                    TestBed.Display overlay, Framebuffer backdrop) throws Exception {
        try (Pipeline p = Pipeline.open(queue, card, overlay, Preference.DEFAULT.formatsFirst(PixelFormat.XRGB8888),
                SMALL_WIDTH, SMALL_HEIGHT, OVERLAY_X, OVERLAY_Y);
             TestBed.Writeback writeback = TestBed.Writeback.open(card, overlay)) {
            assertEquals(PixelFormat.XRGB8888, p.plan().chosen().format(), p.plan().explain());
            CaptureToScanout.Statistics stats = p.pipeline().run(30);
            try {
                assertEquals(30, stats.shown(), stats.toString());
                assertEquals(stats.captured(), stats.shown() + stats.skipped() + stats.inFlight(), stats.toString());
                BufferPool.Slot last = p.assertHeld(card, overlay);
                Png written = writeback.capture(card, overlay);
                Png frame = TestBed.rgb(last.frame());
                assertEquals(SMALL_WIDTH, frame.width());
                long inside = TestBed.differing(frame, written, OVERLAY_X, OVERLAY_Y);
                long outside = TestBed.differingOutside(written, OVERLAY_X, OVERLAY_Y, SMALL_WIDTH, SMALL_HEIGHT,
                        BACKDROP);
                // the comparison can fail: the frame where it is not (at the top left) does not match
                long misplaced = TestBed.differing(frame, written, 0, 0);
                System.out.printf("vivid (%.2f fps) %dx%d -> vkms overlay at (%d, %d) over a 0x%06x primary, %s (%s"
                                + " x%d): %s; writeback %dx%d: %d frame pixels differ at (%d, %d), %d outside are not"
                                + " the primary's colour (the frame compared at (0, 0): %d differ)%n", vivid.rate(),
                        SMALL_WIDTH, SMALL_HEIGHT, OVERLAY_X, OVERLAY_Y, BACKDROP, p.plan().allocator(),
                        p.plan().chosen().format(), p.plan().count(), stats, written.width(), written.height(),
                        inside, OVERLAY_X, OVERLAY_Y, outside, misplaced);
                assertEquals(0, inside, "frame pixels the overlay does not show at its offset");
                assertEquals(0, outside, "pixels outside the overlay that are not the primary plane's colour");
                assertTrue(misplaced > 0, "the frame compared at the wrong place is not told apart");
            } finally {
                p.pipeline().restoreDisplay();
            }
            assertEquals(Optional.of(backdrop.id()), card.plane(primary.plane().id()).framebuffer(),
                    "restoreDisplay changed the primary plane");
            assertEquals(Optional.empty(), card.plane(overlay.plane().id()).framebuffer(),
                    "restoreDisplay left the overlay plane on");
        }
    }

    /** A planned pool and a pipeline over it, placing frames at {@code (x, y)}; closes both. */
    private record Pipeline(Plan plan, BufferPool pool, CaptureToScanout pipeline) implements AutoCloseable {
        static Pipeline open(VideoQueue queue, DrmDevice card, TestBed.Display display, Preference preference,
                             int width, int height, int x, int y) throws Exception {
            VideoEndpoint camera = VideoEndpoint.of(queue, Role.PRODUCER, width, height);
            var plane = TestBed.plane(card, display);
            TestBed.Negotiation negotiation = TestBed.negotiation(camera.endpoint(), camera.source(), camera.sink(),
                    List.of(plane.endpoint()), List.of(plane.source()), List.of(plane.sink()), preference, width,
                    height);
            Plan plan = negotiation.planner().plan(negotiation.trials());
            BufferPool pool = BufferPool.allocate(plan, queue, card, negotiation.source(plan.allocator()));
            try {
                CaptureToScanout pipeline = CaptureToScanout.open(pool, queue, card, display.crtc(), display.plane(),
                        display.connector(), display.mode(), x, y);
                pipeline.keepLastFrame(true);
                return new Pipeline(plan, pool, pipeline);
            } catch (Exception | Error e) {
                pool.close();
                throw e;
            }
        }

        /**
         * The run's last shown slot, checked to be what the plane scans out: the pool's slot on screen, its
         * framebuffer the plane's.
         */
        BufferPool.Slot assertHeld(DrmDevice card, TestBed.Display display) throws Exception {
            BufferPool.Slot last = pipeline.lastShown().orElseThrow(() -> new AssertionError("no frame was shown"));
            assertEquals(Optional.of(last), pool.onScreen(), "the pool's slot on screen is not the last shown");
            assertEquals(BufferPool.State.ON_SCREEN, last.state());
            assertEquals(Optional.of(last.framebuffer().id()), card.plane(display.plane().id()).framebuffer(),
                    "the plane does not scan out the last shown slot's framebuffer");
            assertNotEquals(Optional.empty(), card.crtc(display.crtc().id()).mode(), "the CRTC is off");
            return last;
        }

        @Override
        public void close() {
            pipeline.close();
            pool.close();
        }
    }
}
