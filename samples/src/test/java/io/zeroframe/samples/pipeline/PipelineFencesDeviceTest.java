package io.zeroframe.samples.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import io.zeroframe.bindings.testing.SwSync;
import io.zeroframe.dmabuf.SyncFile;
import io.zeroframe.dmabuf.negotiation.Preference;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Explicit fences in the capture-to-scanout pipeline, vivid (30 fps) onto vkms: an in-fence ({@code IN_FENCE_FD},
 * here a sw_sync fence standing for a GPU job that has not finished the frame) holds the flip in the kernel while
 * the loop keeps serving the camera, and the display's out-fences ({@code OUT_FENCE_PTR}) decide when a replaced
 * frame goes back to the camera. The run is on another thread; this one watches the live statistics.
 */
@Tag("device")
@ExtendWith(NoLeaks.class)
class PipelineFencesDeviceTest {
    private static final Duration PROGRESS = TestBed.PROGRESS;
    /** The commit that gets the unsignalled fence: well after the modeset, in the steady flow. */
    private static final long FENCED_COMMIT = 20;
    /** Frames the camera must deliver while the fenced flip is held: a third of a second at 30 fps. */
    private static final long CAPTURED_WHILE_HELD = 10;

    private final ExecutorService runner = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopRunner() throws InterruptedException {
        TestBed.shutDown(runner);
    }

    @Test
    void aFrameWhoseInFenceHasNotSignalledIsNotShownAndTheCameraIsServedMeanwhile() throws Exception {
        heldByItsInFence(CaptureToScanout.Release.FLIP_EVENT);
    }

    @Test
    void withOutFencesTooAnUnsignalledInFenceHoldsOnlyItsOwnFrame() throws Exception {
        heldByItsInFence(CaptureToScanout.Release.OUT_FENCE);
    }

    private void heldByItsInFence(CaptureToScanout.Release release) throws Exception {
        try (TestBed.Rig rig = TestBed.Rig.open(0, "vkms", Preference.DEFAULT, Optional.of(TestBed.Vivid.RATE));
             CaptureToScanout pipeline = rig.pipeline();
             SwSync gpu = SwSync.open()) {
            CountDownLatch fenced = new CountDownLatch(1);
            AtomicLong commits = new AtomicLong();
            AtomicLong shownWhenFenced = new AtomicLong(-1);
            AtomicLong capturedWhenFenced = new AtomicLong(-1);
            AtomicLong skippedWhenFenced = new AtomicLong(-1);
            AtomicLong fencedAt = new AtomicLong();
            pipeline.release(release);
            pipeline.inFences(slot -> {
                if (commits.incrementAndGet() != FENCED_COMMIT) {
                    return null;
                }
                CaptureToScanout.Statistics now = pipeline.statistics();
                shownWhenFenced.set(now.shown());
                capturedWhenFenced.set(now.captured());
                skippedWhenFenced.set(now.skipped());
                fencedAt.set(System.nanoTime());
                fenced.countDown();
                return SyncFile.adopt(gpu.fence(1, "frame " + slot.index()));
            });
            Future<CaptureToScanout.Statistics> run = runner.submit(() -> pipeline.run(Duration.ofMinutes(5)));
            CaptureToScanout.Statistics held;
            long signalledAt;
            try {
                assertTrue(fenced.await(PROGRESS.toSeconds(), TimeUnit.SECONDS), "commit " + FENCED_COMMIT
                        + " never came: " + pipeline.statistics());
                long captured = capturedWhenFenced.get() + CAPTURED_WHILE_HELD;
                held = TestBed.await(pipeline, run, now -> now.captured() >= captured, captured + " frames captured"
                        + " while the flip waited for its in-fence", PROGRESS);
                signalledAt = System.nanoTime();
                gpu.advance(1);
                TestBed.awaitShown(pipeline, run, shownWhenFenced.get() + 10, PROGRESS);
            } finally {
                gpu.advance(1); // a fence left unsignalled would hold the restoring commit in the kernel
                pipeline.stop();
            }
            CaptureToScanout.Statistics stats = run.get(PROGRESS.toSeconds(), TimeUnit.SECONDS);
            System.out.printf("%s: the flip of commit %d waited %.0f ms for its sw_sync in-fence while the camera"
                            + " delivered %d frames (%d skipped: the loop never blocked); shown stayed %d until the"
                            + " signal; the run went on after it: %s%n", release, FENCED_COMMIT,
                    (signalledAt - fencedAt.get()) / 1e6, held.captured() - capturedWhenFenced.get(),
                    held.skipped() - skippedWhenFenced.get(), held.shown(), stats);
            assertEquals(shownWhenFenced.get(), held.shown(),
                    "a frame was shown while the fenced flip was held: " + held);
            // the first frame captured meanwhile waits for the display; each later one replaces it
            assertTrue(held.skipped() - skippedWhenFenced.get() >= CAPTURED_WHILE_HELD - 1,
                    "the frames captured meanwhile were not skipped: " + held);
            assertTrue(stats.shown() >= shownWhenFenced.get() + 10, stats.toString());
            assertEquals(stats.captured(), stats.shown() + stats.skipped() + stats.inFlight(), stats.toString());
        }
    }

    @Test
    void withOutFencesNoFrameGoesBackToTheCameraBeforeTheFenceOfTheCommitThatReplacedIt() throws Exception {
        try (TestBed.Rig rig = TestBed.Rig.open(0, "vkms", Preference.DEFAULT, Optional.of(TestBed.Vivid.RATE));
             CaptureToScanout pipeline = rig.pipeline()) {
            pipeline.release(CaptureToScanout.Release.OUT_FENCE);
            // vivid's buffers carry no implicit fences: the bridge exports an already signalled sync_file for each
            // frame, and each commit takes it as its in-fence
            pipeline.inFences(CaptureToScanout.FrameFence.IMPLICIT);
            pipeline.auditFences = true;
            CaptureToScanout.Statistics stats = pipeline.run(300);
            System.out.printf("out-fences and implicit in-fences, 300 frames: %s; slots freed before their"
                    + " out-fence signalled: %d%n", stats, pipeline.freedBeforeFence());
            assertEquals(300, stats.shown(), stats.toString());
            assertEquals(0, pipeline.freedBeforeFence(), "slots freed before their out-fence signalled");
            assertEquals(stats.captured(), stats.shown() + stats.skipped() + stats.inFlight(), stats.toString());
            assertTrue(stats.latencyP50Nanos() > 0, "latencies measured at the fence: " + stats);
        }
    }
    /**
     * The bridge back to implicit sync: each out-fence goes into the dma-buf of the frame its commit replaces as a
     * read fence, so a writer that only knows implicit sync (polling the dma-buf for POLLOUT, as a GPU driver's
     * reservation wait does) finds the buffer busy right after the commit, while the display still scans it out,
     * and idle once the fence signalled. vivid attaches no fences of its own: what the checks see is the import.
     */
    @Test
    void withImplicitReleaseAWriterSeesTheReplacedFrameBusyUntilItsOutFenceSignals() throws Exception {
        try (TestBed.Rig rig = TestBed.Rig.open(0, "vkms", Preference.DEFAULT, Optional.of(TestBed.Vivid.RATE));
             CaptureToScanout pipeline = rig.pipeline()) {
            pipeline.implicitRelease(true);
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> pipeline.run(10));
            System.out.println("implicit release without out-fences: " + refused.getMessage());
            assertTrue(refused.getMessage().contains("OUT_FENCE"), refused.getMessage());

            pipeline.release(CaptureToScanout.Release.OUT_FENCE);
            pipeline.auditImplicit = true;
            CaptureToScanout.Statistics stats = pipeline.run(300);
            CaptureToScanout.ImplicitAudit audit = pipeline.implicitAudit();
            System.out.printf("implicit release, 300 frames: %s; replaced frames busy for writers right after their"
                    + " commit: %d; idle while the fence was pending or busy after it signalled: %d%n", stats,
                    audit.busyAfterCommit(), audit.disagreements());
            assertEquals(300, stats.shown(), stats.toString());
            assertEquals(0, audit.disagreements(), "a replaced frame's dma-buf disagreed with its out-fence");
            assertTrue(audit.busyAfterCommit() >= 250,
                    "busy right after the commit only " + audit.busyAfterCommit() + " times of 299");
        }
    }
}
