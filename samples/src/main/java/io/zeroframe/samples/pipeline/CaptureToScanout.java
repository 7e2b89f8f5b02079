package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.Poller;
import io.zeroframe.dmabuf.Access;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.SyncFile;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DrmEvents;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.Plane;
import io.zeroframe.v4l2.VideoQueue;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Streams a V4L2 capture queue onto a KMS plane without copying: every captured buffer of a {@link BufferPool} is
 * committed as it is, by its framebuffer, and goes back to the camera only once the display has stopped scanning
 * it out.
 *
 * <p><b>The loop.</b> {@link #run} queues every free slot ({@code VIDIOC_QBUF}), starts the stream
 * ({@code VIDIOC_STREAMON}) and then waits in one {@link Poller} on the capture queue, the device's
 * {@link DrmEvents} and the poller's wake-up; no sleep, no timed polling. The first captured frame is committed
 * with a modeset (blocking {@code DRM_IOCTL_MODE_ATOMIC} with {@code ALLOW_MODESET | PAGE_FLIP_EVENT}: mode,
 * {@code ACTIVE}, the connector's {@code CRTC_ID}, the plane), every later one as a flip
 * ({@code NONBLOCK | PAGE_FLIP_EVENT}, only {@code FB_ID} changing). One flip is in flight at a time: a frame
 * captured meanwhile waits, and a newer one replaces it (the older goes back to the camera at once, counted as
 * {@link Statistics#skipped}). When a flip-complete event arrives, {@link BufferPool#shown} frees the slot the
 * flip replaced on screen, which is queued to the camera again, and the waiting frame, if any, is committed before
 * any newer frame is dequeued (so that a wait ending with both the event and a frame ready shows both, skipping
 * none), as is a frame captured while the display is idle. The CPU never maps or reads pixel memory.
 *
 * <p><b>Ending.</b> A run ends after the asked number of frames was shown, the asked time passed, or {@link #stop}
 * (any thread). Then it waits for a flip still in flight (its event is due within a refresh period), gives a
 * captured frame not yet committed back unshown ({@link Statistics#inFlight}), restores the display as
 * {@link #open} found it in one blocking commit with {@code ALLOW_MODESET} (the CRTC's mode and {@code ACTIVE},
 * the connector's {@code CRTC_ID} and the plane's framebuffer, CRTC and rectangles, also those of a plane that
 * was off; a CRTC that had no mode is turned off and its connector detached) and stops the stream
 * ({@code VIDIOC_STREAMOFF}, which returns every buffer the camera held). The slot the pipeline showed last is then
 * no longer scanned out, unless {@link #keepLastFrame} asked to leave it on screen until {@link #restoreDisplay};
 * {@link #lastShown} names it.
 *
 * <p><b>Ownership.</b> The pool, the queue, the device and the display objects are borrowed: the pipeline
 * releases no buffer, framebuffer or fd of theirs; the caller closes the pool (after the run, which leaves the
 * camera stopped) and then the queue and the device. The pipeline owns its {@link Poller} and its two atomic
 * requests (their mode blobs), freed by {@link #close}.
 *
 * <p><b>Explicit fences.</b> {@link #release(Release)} chooses what tells the pipeline that a frame replaced on
 * screen is free: the flip-complete event (the default), or the CRTC's out-fence ({@code OUT_FENCE_PTR}, a
 * sync_file per commit, polled in the same wait as the camera; no page-flip events are asked for then). With
 * {@link #inFences(FrameFence)} each commit takes the producer's fence for its frame ({@code IN_FENCE_FD}): the
 * kernel holds the flip until the fence signals, while the loop goes on serving the camera (newer frames replace
 * the waiting one and are skipped; the loop never waits on a fence). {@link FrameFence#IMPLICIT} bridges a
 * producer that only knows implicit sync: the frame's dma-buf's write fences, exported as a sync_file
 * ({@code DMA_BUF_IOCTL_EXPORT_SYNC_FILE}). With fences the first commit, the modeset, is non-blocking too. The way
 * back, {@link #implicitRelease}, puts each out-fence into the dma-bufs of the frame its commit replaces, as a read
 * fence ({@code DMA_BUF_IOCTL_IMPORT_SYNC_FILE}): a writer that only knows implicit sync waits in the kernel until
 * the display has let go of the buffer.
 *
 * <p><b>Taps.</b> A {@link FrameTap} ({@link #tap}) reads every captured frame besides the display, in the same
 * loop: an encoder recording what the camera sees. It is offered each frame as it is dequeued; a frame it takes
 * goes back to the camera only once both the tap and the display are done with it ({@link BufferPool.Slot#isTapped}).
 * Its sources are in the loop's one wait; after each wait it does its work ({@link FrameTap#service}) and gives
 * back the frames it finished. At the end of a run it finishes what it holds ({@link FrameTap#end}).
 *
 * <p><b>Threads.</b> {@link #run} on one thread at a time; {@link #stop}, {@link #statistics} and {@link #close}
 * from any thread. {@link #close} during a run ends it as {@link #stop} does (the run restores the display, stops
 * the stream and returns its statistics normally), waits for it to return, and only then frees the poller and the
 * requests: the run never uses a freed object or a recycled fd, and once {@code close} returns the caller may close
 * the pool, the queue and the device. A run started after {@code close} throws {@link IllegalStateException}.
 * The loop allocates no memory per frame of its own: the counters and the latency histogram are preallocated,
 * the atomic requests, the event holder and the pool's slot {@code Optional}s reused (a run with a
 * {@link Duration} makes one {@code Duration} per wait). Fences are the exception: each out-fence
 * ({@link Release#OUT_FENCE}) is a new sync_file object per frame, and each in-fence is what the
 * {@link FrameFence} makes.
 */
public final class CaptureToScanout implements AutoCloseable {
    /** How long the end of a run lets a tap finish the frames it holds (an encoder draining under emulation). */
    private static final int TAP_END_MILLIS = 5000;

    private final BufferPool pool;
    private final VideoQueue camera;
    private final DrmDevice display;
    private final Scanout scanout;
    private final Scanout.Shown onScreen = this::onScreen;
    private final Poller poller;
    /** The V4L2 timestamp of the frame in each slot, by slot index, taken when it was dequeued. */
    private final long[] captureNanos;
    private final Tally tally = new Tally();
    private volatile Release release = Release.FLIP_EVENT;
    private volatile FrameFence inFences;
    private volatile boolean implicitRelease;
    private boolean implicitReleaseRun;
    /** Tests: with {@link #implicitRelease}, check the replaced frame's dma-buf for writers at commit and at release. */
    volatile boolean auditImplicit;
    private long implicitDisagreements;
    private long implicitBusyAfterCommit;
    private volatile FrameTap tap;
    /** The run's tap, read from {@link #tap} when it starts. */
    private FrameTap tapRun;
    /** The run's choices, read from {@link #release} and {@link #inFences} when it starts. */
    private FrameFence fenceRun;
    /** Tests: check each out-fence's state with {@code SYNC_IOC_FILE_INFO} when its frame's slot is freed. */
    volatile boolean auditFences;
    private final RunLoop loop;
    private volatile boolean keepLastFrame;
    /** The slot of the last completed flip of the last run, kept after the run for {@link #lastShown}. */
    private volatile BufferPool.Slot lastShown;
    /** Whether a run left its last frame on screen ({@link #keepLastFrame}): {@link #restoreDisplay} is due. */
    private boolean displayHeld;
    private final CameraWatch cameraWatch;
    private BufferPool.Slot waiting;
    private BufferPool.Slot flipping;
    /** Whether the next flip event is timed: all but the modeset's. */
    private boolean timed;

    private CaptureToScanout(BufferPool pool, VideoQueue camera, DrmDevice display, Scanout scanout,
                             Poller poller) {
        this.pool = pool;
        this.camera = camera;
        this.display = display;
        this.scanout = scanout;
        this.poller = poller;
        this.loop = new RunLoop(poller, scanout, camera, this::start, this::serve, tally::shownCount, this::finish,
                tally::ended);
        this.cameraWatch = loop.camera();
        this.captureNanos = new long[pool.slots().size()];
    }

    /**
     * A pipeline from {@code camera} through {@code pool} to {@code plane} on {@code crtc}, driving
     * {@code connector} in {@code mode}; it reads and keeps the display's current state ({@code DRM_IOCTL_MODE_GETCRTC},
     * {@code DRM_IOCTL_MODE_OBJ_GETPROPERTIES} of the CRTC, plane and connector) to restore it after each run.
     *
     * @param pool      the buffers of a zero-copy plan for this camera and plane, every slot {@link BufferPool.State#FREE}
     * @param camera    the capture queue the pool was allocated on, not streaming
     * @param display   the device of the plane, master, opened with atomic and universal planes
     * @throws KernelException reading the display's state, or EMFILE opening the poller
     */
    public static CaptureToScanout open(BufferPool pool, VideoQueue camera, DrmDevice display, Crtc crtc, Plane plane,
                                        Connector connector, Mode mode) throws KernelException {
        return open(pool, camera, display, crtc, plane, connector, mode, 0, 0);
    }

    /**
     * As {@link #open(BufferPool, VideoQueue, DrmDevice, Crtc, Plane, Connector, Mode)}, with each frame's top left
     * corner at {@code (x, y)} on the CRTC ({@code CRTC_X}, {@code CRTC_Y}), unscaled: what would fall outside the
     * mode is cropped ({@code SRC_W}/{@code SRC_H} and {@code CRTC_W}/{@code CRTC_H} shrink). For an overlay plane
     * over whatever the primary plane shows; a primary plane must usually cover the whole CRTC (virtio-gpu refuses
     * anything else with EINVAL at the first commit).
     *
     * @throws IllegalArgumentException when {@code (x, y)} is not inside {@code mode}
     */
    public static CaptureToScanout open(BufferPool pool, VideoQueue camera, DrmDevice display, Crtc crtc, Plane plane,
                                        Connector connector, Mode mode, int x, int y) throws KernelException {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(display, "display");
        Objects.requireNonNull(crtc, "crtc");
        Objects.requireNonNull(plane, "plane");
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(mode, "mode");
        Poller poller = Poller.open();
        try {
            return new CaptureToScanout(pool, camera, display,
                    Scanout.open(display, crtc, plane, connector, mode, x, y, poller), poller);
        } catch (KernelException | RuntimeException | Error e) {
            poller.close();
            throw e;
        }
    }

    /**
     * Streams until {@code frames} frames were shown (flip events received) or {@link #stop} is called.
     *
     * @return the run's statistics
     * @throws KernelException from the camera (e.g. a {@link io.zeroframe.bindings.DeviceGoneException} when it goes
     *         away) or the display (a commit it refuses); the display is restored and the stream stopped first
     */
    public Statistics run(long frames) throws KernelException {
        return stream(RunLock.frames(frames), Long.MAX_VALUE);
    }

    /** Streams for {@code duration} or until {@link #stop} is called; as {@link #run(long)} otherwise. */
    public Statistics run(Duration duration) throws KernelException {
        return stream(Long.MAX_VALUE, RunLock.deadline(duration));
    }

    /**
     * Ends the current run, or the next one if none is in progress: wakes its wait; the run then returns within
     * one refresh period plus the restoring commit. Callable from any thread; allocates nothing.
     */
    public void stop() {
        loop.stop();
    }

    /**
     * Whether a run ends with its last frame still on screen (the stream stopped, its slot
     * {@link BufferPool.State#ON_SCREEN}) instead of restoring the display: for a screenshot of it, or to leave it
     * shown for a while. The caller then calls {@link #restoreDisplay} on the run's thread, before closing the pool
     * (closing a framebuffer on screen turns its plane off, {@code DRM_IOCTL_MODE_RMFB}); the next run replaces the
     * frame with its own. Off by default. Any thread; takes effect at the end of a run.
     */
    public void keepLastFrame(boolean keep) {
        keepLastFrame = keep;
    }

    /** What tells the pipeline that a frame replaced on screen is free again. */
    public enum Release {
        /** The page-flip event of the commit that replaced it ({@code DRM_MODE_PAGE_FLIP_EVENT}). */
        FLIP_EVENT,
        /**
         * The out-fence of that commit ({@code OUT_FENCE_PTR}), a sync_file that signals when the new frame is on
         * screen; the latency is then measured to when the loop saw the fence signalled. Each frame's out-fence is
         * an fd the pipeline owns until then, so this costs a few small objects and system calls per frame more
         * than {@link #FLIP_EVENT} (the sync_file, its close, and the wake eventfd the poller gives each fd).
         */
        OUT_FENCE
    }

    /** Where each shown frame's in-fence comes from: a producer that finishes writing the frame later. */
    @FunctionalInterface
    public interface FrameFence {
        /**
         * The frame's dma-buf's implicit write fences, exported as a sync_file
         * ({@code DMA_BUF_IOCTL_EXPORT_SYNC_FILE} for reading): what a device that only knows implicit sync
         * (a GPU driver writing the buffer) attached to it; already signalled when nothing is writing.
         */
        FrameFence IMPLICIT = slot -> slot.frame().buffers().getFirst().exportSyncFile(Access.READ);

        /**
         * The fence the commit that shows {@code slot} waits for, handed to the pipeline (it closes it once the
         * commit was made), or {@code null} for none. Called on the run's thread for each frame committed.
         */
        SyncFile fenceFor(BufferPool.Slot slot) throws KernelException;
    }

    /**
     * A reader of every captured frame besides the display, driven by the pipeline's loop: see the class comment.
     * Its calls are made on the run's thread.
     */
    public interface FrameTap {
        /** At the start of a run: registers its sources in the loop's {@code poller}. */
        void attach(Poller poller) throws KernelException;

        /**
         * A frame just captured: whether the tap takes it (it then reads the slot's frame until {@link #takeDone}
         * gives the slot back); {@code false} when it cannot now (its queue is full), and the frame is not its.
         */
        boolean offer(BufferPool.Slot slot) throws KernelException;

        /** After each wait of the loop, whatever woke it: the tap does what its sources are ready for. */
        void service() throws KernelException;

        /** A slot whose frame the tap has finished reading, or {@code null} when there is none (now). */
        BufferPool.Slot takeDone() throws KernelException;

        /**
         * At the end of a run, the camera stopped: finishes what it holds, at most {@code bound}, so that
         * {@link #takeDone} then gives back every slot it took; and removes its sources from the loop's poller.
         */
        void end(Duration bound) throws KernelException;
    }

    /**
     * Gives each captured frame to {@code tap} as well as to the display, or to the display only when {@code null}
     * (the default). Any thread; takes effect at the next run.
     */
    public void tap(FrameTap tap) {
        this.tap = tap;
    }

    /**
     * Chooses what frees a frame replaced on screen (see {@link Release}); {@link Release#FLIP_EVENT} by default.
     * Any thread; takes effect at the next run.
     */
    public void release(Release how) {
        release = Objects.requireNonNull(how, "how");
    }

    /**
     * Gives each commit its frame's in-fence from {@code source} ({@code IN_FENCE_FD} on the plane), or none when
     * {@code null} (the default). Any thread; takes effect at the next run.
     */
    public void inFences(FrameFence source) {
        inFences = source;
    }

    /**
     * With {@link Release#OUT_FENCE}, also imports each commit's out-fence into every dma-buf of the frame that
     * commit replaces on screen, as a read fence ({@code DMA_BUF_IOCTL_IMPORT_SYNC_FILE} with {@code READ}): a
     * producer that only knows implicit sync (a GPU driver that waits on a buffer's reservation before it writes,
     * or anyone polling the dma-buf for {@code POLLOUT}) then sees the buffer busy until the display has stopped
     * scanning it out, without asking this pipeline. One ioctl per plane buffer per frame, no allocation. Off by
     * default; any thread; takes effect at the next run, which throws {@link IllegalStateException} if it does
     * not release by out-fence.
     */
    public void implicitRelease(boolean on) {
        implicitRelease = on;
    }

    /**
     * What {@link #auditImplicit} saw of the replaced frames' dma-bufs in the current or last run. For the tests.
     *
     * @param disagreements commits after which the replaced frame's dma-buf was idle for writers while the out-fence
     *                      was still unsignalled, plus releases at which it was still busy for writers after the fence
     *                      had signalled
     * @param busyAfterCommit commits after which it was busy for writers (the check saw the fence at work)
     */
    record ImplicitAudit(long disagreements, long busyAfterCommit) {
    }

    /** With {@link #auditImplicit}: what it saw so far. For the tests. */
    synchronized ImplicitAudit implicitAudit() {
        return new ImplicitAudit(implicitDisagreements, implicitBusyAfterCommit);
    }

    /**
     * Frames of the current or last run whose slot was freed while the out-fence of the commit that replaced
     * them was not signalled, as {@code SYNC_IOC_FILE_INFO} said at that moment; counted only with
     * {@link #auditFences}. For the tests.
     */
    long freedBeforeFence() {
        return scanout.freedBeforeFence();
    }

    /**
     * Restores the display as {@link #open} found it when a run left its last frame on screen
     * ({@link #keepLastFrame}); does nothing otherwise. On the thread that runs, between runs.
     *
     * @throws KernelException the restoring commit refused (the slot is off screen in the pool all the same)
     */
    public void restoreDisplay() throws KernelException {
        if (displayHeld) {
            displayHeld = false;
            restore();
        }
    }

    /**
     * The slot whose frame the last run showed last (its flip completed), if it showed any. After the run its
     * buffer still holds that frame: the camera no longer streams, and nothing writes it until the next run
     * queues it. Map it with a CPU-access bracket to read it, never during a run.
     */
    public Optional<BufferPool.Slot> lastShown() {
        return Optional.ofNullable(lastShown);
    }

    /** The statistics of the current run so far, or of the last one; a consistent snapshot, from any thread. */
    public Statistics statistics() {
        return tally.snapshot();
    }

    /**
     * Flips of the current or last run whose event came more than 1.5 refresh periods after their commit: the
     * display missed the vblank the flip was due at (a late driver, or a host too loaded to run its vblank timer);
     * a frame captured meanwhile may then be skipped through no fault of the pipeline. Measured with the event's
     * timestamp for flips, and with the time the event was read for the modeset (a driver has no scan-out time
     * for a CRTC it has just enabled). For the tests, which tell the display's skips from the pipeline's.
     */
    long lateFlips() {
        return tally.lateFlips();
    }

    /**
     * Skips of the current or last run made while the flip in flight had been committed more than 1.5 refresh
     * periods before and its event had still not come: skips the display caused. For the tests.
     */
    long skipsBehindLateFlips() {
        return tally.skipsBehindLateFlips();
    }

    /**
     * Skips of the current or last run made with no flip in flight: the display could have taken the older frame,
     * so these are the pipeline's own. For the tests.
     */
    long skipsWhileIdle() {
        return tally.skipsWhileIdle();
    }

    private Statistics stream(long frames, long deadline) throws KernelException {
        loop.run(frames, deadline);
        return tally.snapshot();
    }

    /** Before the loop: the run's choices read, counters reset, free slots queued, the tap attached, the stream on. */
    private void start(long cpuStart) throws KernelException {
        tally.reset();
        fenceRun = inFences;
        tapRun = tap;
        implicitReleaseRun = implicitRelease;
        if (implicitReleaseRun && release != Release.OUT_FENCE) {
            throw new IllegalStateException("implicitRelease needs release(Release.OUT_FENCE): there is no out-fence"
                    + " to put into the replaced frames' dma-bufs");
        }
        synchronized (this) {
            implicitDisagreements = 0;
            implicitBusyAfterCommit = 0;
        }
        scanout.begin(release == Release.OUT_FENCE, fenceRun != null, auditFences);
        lastShown = null;
        cameraWatch.begin();
        timed = false;
        tally.running(cpuStart);
        for (BufferPool.Slot slot : pool.slots()) {
            if (slot.state() == BufferPool.State.FREE) {
                toCamera(slot);
            }
        }
        if (tapRun != null) {
            tapRun.attach(poller);
        }
        camera.streamOn();
    }

    /** After each wait: flips completed, frames captured, the tap's work. */
    private void serve(long frames) throws KernelException {
        if (scanout.service(onScreen)) {
            showWaiting(frames); // before taking frames: a newer one must not replace it now
        }
        if (cameraWatch.ready()) {
            takeFrames(frames);
        }
        if (tapRun != null) {
            tapRun.service();
            takeTapped(true);
        }
    }

    private void toCamera(BufferPool.Slot slot) throws KernelException {
        pool.toCamera(slot);
        cameraWatch.queued();
    }

    /** A slot the display is done with goes back to the camera, unless the tap still reads it. */
    private void giveBack(BufferPool.Slot slot) throws KernelException {
        if (!slot.isTapped()) {
            toCamera(slot);
        }
    }

    /** The slots the tap has finished; those the display is done with too go back to the camera when {@code queue}. */
    private void takeTapped(boolean queue) throws KernelException {
        for (BufferPool.Slot done = tapRun.takeDone(); done != null; done = tapRun.takeDone()) {
            if (pool.untap(done) && queue) {
                toCamera(done);
            }
        }
    }

    /**
     * Dequeues every captured frame; each goes to the display at once when it is idle, and a newer one replaces
     * the one waiting for a flip in flight.
     */
    private void takeFrames(long frames) throws KernelException {
        while (cameraWatch.holds()) {
            Optional<BufferPool.Slot> captured = pool.fromCamera(0);
            if (captured.isEmpty()) {
                return;
            }
            cameraWatch.taken();
            BufferPool.Slot slot = captured.get();
            long dropped = cameraWatch.droppedBefore(slot.videoBuffer().sequence());
            captureNanos[slot.index()] = slot.videoBuffer().timestampNanos();
            if (tapRun != null && tapRun.offer(slot)) {
                pool.tap(slot);
            }
            boolean skipped = waiting != null;
            if (skipped) {
                pool.skip(waiting);
                giveBack(waiting);
            }
            waiting = slot;
            tally.captured(dropped, skipped, skipped && flipping == null,
                    skipped && flipping != null && scanout.lateAt(System.nanoTime()));
            showWaiting(frames);
        }
    }

    /** Commits the waiting frame if no flip is in flight and the run still has frames to show. */
    private void showWaiting(long frames) throws KernelException {
        if (flipping == null && waiting != null && tally.shownCount() < frames) {
            commit(waiting);
        }
    }

    /** The flip in flight completed at {@code timestampNanos} ({@code CLOCK_MONOTONIC}). */
    private void onScreen(long timestampNanos) throws KernelException {
        BufferPool.Slot shown = flipping;
        flipping = null;
        lastShown = shown;
        if (timed) {
            tally.shown(timestampNanos - captureNanos[shown.index()], timestampNanos, scanout.lateAt(timestampNanos));
        } else {
            tally.shownUntimed(scanout.lateAt(System.nanoTime())); // the modeset's: see Statistics
            timed = true;
        }
        if (auditImplicit && implicitReleaseRun) {
            Optional<BufferPool.Slot> replaced = pool.onScreen(); // the frame the completed flip replaced
            if (replaced.isPresent()
                    && !replaced.get().frame().buffers().getFirst().awaitIdle(Access.WRITE, Duration.ZERO)) {
                synchronized (this) {
                    implicitDisagreements++;
                }
            }
        }
        Optional<BufferPool.Slot> free = pool.shown(shown);
        if (free.isPresent()) {
            giveBack(free.get());
        }
    }

    /**
     * Commits {@code slot}: a modeset the first time in a run, a non-blocking flip after; with its in-fence and an
     * out-fence when the run uses them.
     */
    private void commit(BufferPool.Slot slot) throws KernelException {
        SyncFile inFence = fenceRun == null ? null : fenceRun.fenceFor(slot);
        try {
            scanout.commit(slot.framebuffer(), slot.index(), inFence);
        } finally {
            if (inFence != null) {
                inFence.close(); // the commit holds its own reference to the fence
            }
        }
        waiting = null;
        flipping = slot;
        if (implicitReleaseRun) {
            releaseImplicitly();
        }
    }

    /**
     * The out-fence just taken becomes a read fence of the frame on screen, which the commit replaces (none after the
     * modeset of a run that found nothing of its own on screen).
     */
    private void releaseImplicitly() throws KernelException {
        Optional<BufferPool.Slot> replaced = pool.onScreen();
        if (replaced.isEmpty()) {
            return;
        }
        SyncFile fence = scanout.outFence();
        List<DmaBuf> buffers = replaced.get().frame().buffers();
        for (int i = 0; i < buffers.size(); i++) {
            buffers.get(i).importSyncFile(fence, Access.READ);
        }
        if (auditImplicit) {
            boolean idle = buffers.getFirst().awaitIdle(Access.WRITE, Duration.ZERO);
            boolean pending = fence.status().isActive();
            synchronized (this) {
                implicitBusyAfterCommit += idle ? 0 : 1;
                implicitDisagreements += idle && pending ? 1 : 0;
            }
        }
    }

    /**
     * The end of a run: the flip in flight completes, the waiting frame goes back unshown, the display is
     * restored and the stream stopped; each step is tried even when one before failed.
     */
    private Exception finish(Exception failure) {
        try {
            scanout.finish(onScreen);
        } catch (KernelException | RuntimeException e) {
            failure = RunLock.add(failure, e);
        }
        if (waiting != null) {
            pool.skip(waiting);
            waiting = null;
            tally.unshown(1);
        }
        boolean abandoned = flipping != null;
        if (abandoned) { // its event never came: it may still be scanned out until the restore below
            pool.skip(flipping);
            flipping = null;
            tally.unshown(1);
        }
        if (scanout.modeSet() && failure == null && !abandoned && keepLastFrame && pool.onScreen().isPresent()) {
            displayHeld = true;
        } else if (scanout.modeSet()) {
            try {
                restore();
            } catch (KernelException | RuntimeException e) {
                failure = RunLock.add(failure, e);
            }
        }
        try {
            camera.streamOff();
        } catch (KernelException | RuntimeException e) {
            failure = RunLock.add(failure, e);
        }
        for (BufferPool.Slot slot : pool.slots()) {
            if (slot.state() == BufferPool.State.WITH_CAMERA) {
                pool.fromStream(slot);
            }
        }
        cameraWatch.stopped();
        // after the camera left the poller: a stopped queue with no buffers would report POLLERR to the tap's waits
        if (tapRun != null) {
            try {
                tapRun.end(Duration.ofMillis(TAP_END_MILLIS));
                takeTapped(false);
            } catch (KernelException | RuntimeException e) {
                failure = RunLock.add(failure, e);
            }
            for (BufferPool.Slot slot : pool.slots()) { // a tap that did not give everything back: its loss
                if (slot.isTapped()) {
                    pool.untap(slot);
                }
            }
        }
        return failure;
    }

    /** The display back as {@link #open} found it; the slot on screen is free again. */
    private void restore() throws KernelException {
        scanout.restore();
        pool.offScreen();
    }

    /**
     * Closes the poller and the atomic requests; the borrowed pool, queue and device stay open. During a run (on
     * another thread) it first ends the run as {@link #stop} does and waits for it to return, which takes what
     * {@link #stop} takes: a frame period, the flip in flight and the restoring commit. Idempotent; any thread.
     */
    @Override
    public void close() {
        loop.close();
    }

    /**
     * What a run did, as a value.
     *
     * @param captured          frames dequeued from the camera
     * @param shown             frames whose flip completed
     * @param droppedByCamera   frames the camera never delivered: gaps in the V4L2 sequence numbers
     * @param skipped           captured frames replaced by a newer one before the display could take them
     * @param inFlight          captured frames neither shown nor skipped: waiting or flipping when the run ended;
     *                          {@code captured == shown + skipped + inFlight}
     * @param framesPerSecond   shown frames per second, between the first and the last timed flip event (0 below
     *                          two)
     * @param latencyP50Nanos   median capture-to-scanout latency: V4L2 buffer timestamp to flip-event timestamp,
     *                          both {@code CLOCK_MONOTONIC}; to 50 us, 0 without frames. The modeset's event is
     *                          not timed: a driver has no scan-out time for a CRTC it has just enabled (vkms
     *                          reports 0, or the last vblank before the CRTC went off). What the V4L2 timestamp
     *                          marks is the camera's choice ({@code V4L2_BUF_FLAG_TSTAMP_SRC_SOE} or {@code _EOF}):
     *                          vivid's default, the end of the frame, is a computed time up to 90% of a frame
     *                          period after it hands the buffer over, so it can come after the flip: such frames
     *                          are counted in {@code stampedAfterFlip}, not in the latencies
     * @param latencyP99Nanos   its 99th percentile
     * @param latencyMaxNanos   its maximum, exact
     * @param cpuNanosPerFrame  CPU time of the pipeline thread per captured frame
     * @param stampedAfterFlip  shown frames whose V4L2 timestamp is later than their flip event, so their latency
     *                          says nothing (a camera stamping the end of a frame it has not finished, as vivid's
     *                          "End of Frame" does); when most frames are, the latencies cover the few left
     */
    public record Statistics(long captured, long shown, long droppedByCamera, long skipped, long inFlight,
                             double framesPerSecond, long latencyP50Nanos, long latencyP99Nanos, long latencyMaxNanos,
                             long cpuNanosPerFrame, long stampedAfterFlip) {
        @Override
        public String toString() {
            return String.format("captured %d, shown %d, dropped by the camera %d, skipped %d, in flight %d,"
                            + " %.2f fps, latency p50 %.2f ms p99 %.2f ms max %.2f ms%s, CPU %d us/frame", captured,
                    shown, droppedByCamera, skipped, inFlight, framesPerSecond, latencyP50Nanos / 1e6,
                    latencyP99Nanos / 1e6, latencyMaxNanos / 1e6, stampedAfterFlip == 0 ? ""
                            : " (" + stampedAfterFlip + " frames stamped after their flip, not measured)",
                    cpuNanosPerFrame / 1000);
        }
    }

    /** The counters, written by the loop and read by {@link #statistics} under this object's lock. */
    private static final class Tally {
        private final Latencies latencies = new Latencies(50_000);
        private final RunCpu cpu = new RunCpu();
        private long captured;
        private long shown;
        private long timed;
        private long stampedAfter;
        private long dropped;
        private long skipped;
        private long unshown;
        private long firstFlip;
        private long lastFlip;
        private long late;
        private long skippedBehindLate;
        private long skippedWhileIdle;

        synchronized void reset() {
            latencies.reset();
            captured = shown = timed = dropped = skipped = unshown = firstFlip = lastFlip = 0;
            stampedAfter = 0;
            late = skippedBehindLate = skippedWhileIdle = 0;
        }

        synchronized void captured(long droppedBefore, boolean skippedOne, boolean whileIdle,
                                   boolean behindLateFlip) {
            captured++;
            dropped += droppedBefore;
            if (skippedOne) {
                skipped++;
            }
            if (whileIdle) {
                skippedWhileIdle++;
            }
            if (behindLateFlip) {
                skippedBehindLate++;
            }
        }

        synchronized long skipsWhileIdle() {
            return skippedWhileIdle;
        }

        synchronized long skipsBehindLateFlips() {
            return skippedBehindLate;
        }

        synchronized void shown(long latency, long flipNanos, boolean lateFlip) {
            shown++;
            if (lateFlip) {
                late++;
            }
            timed++;
            if (timed == 1) {
                firstFlip = flipNanos;
            }
            lastFlip = flipNanos;
            if (latency < 0) {
                stampedAfter++;
                return;
            }
            latencies.add(latency);
        }

        synchronized void shownUntimed(boolean lateFlip) {
            shown++;
            if (lateFlip) {
                late++;
            }
        }

        synchronized long lateFlips() {
            return late;
        }

        synchronized void unshown(long frames) {
            unshown += frames;
        }

        /** A run started on this thread, whose CPU time was then {@code cpuStart}. */
        synchronized void running(long cpuStart) {
            cpu.running(cpuStart);
        }

        /** The run ended, having used {@code cpuNanos} of its thread's CPU time. */
        synchronized void ended(long cpuNanos) {
            cpu.ended(cpuNanos);
        }

        synchronized long shownCount() {
            return shown;
        }

        synchronized Statistics snapshot() {
            double fps = timed < 2 || lastFlip == firstFlip ? 0 : (timed - 1) * 1e9 / (lastFlip - firstFlip);
            long used = cpu.used();
            return new Statistics(captured, shown, dropped, skipped, unshown, fps, latencies.percentile(0.50),
                    latencies.percentile(0.99), latencies.max(), captured == 0 ? 0 : used / captured, stampedAfter);
        }
    }
}
