package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.Poller;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.Framebuffer;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.Plane;
import io.zeroframe.v4l2.VideoBuffer;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Shows a camera on a KMS plane after any number of memory-to-memory stages ({@link CodecStage}: encoders, decoders,
 * converters), every hop by dma-buf, driven by one thread in one poll loop. The camera's buffers are the first
 * stage's inputs, each stage's results the next stage's inputs (a packet buffer, or a frame), and the last stage's
 * frames ({@link CodecStage.Result#frame}) are registered as framebuffers ({@code DRM_IOCTL_PRIME_FD_TO_HANDLE},
 * {@code DRM_IOCTL_MODE_ADDFB2}) and committed as they are. The CPU never maps or reads pixel memory. Typical chains:
 * camera -> encoder -> decoder -> plane (a video call's self-view), camera -> converter -> plane (a colour converter
 * or scaler the display needs). Who allocates each hop and in which format is decided for the whole chain at once by
 * {@link StagePlanner}; {@link Stages} allocates and starts it.
 *
 * <p><b>The loop.</b> {@link #run} queues the camera's free buffers ({@code VIDIOC_QBUF}), {@linkplain
 * CodecStage#attach attaches} every stage to its {@link Poller}, starts the camera ({@code VIDIOC_STREAMON}) and
 * then waits in that one poller on the camera queue, every stage's queues and events, the display's
 * {@link io.zeroframe.drm.DrmEvents} and, with {@link CaptureToScanout.Release#OUT_FENCE out-fences}, the flip in
 * flight's sync_file; no sleep, no timed polling. A captured buffer is offered to the first stage with its V4L2
 * timestamp, which every stage copies to what it makes; a stage gives an input back once it has read it
 * ({@link CodecStage#takeProcessed}) and it goes back upstream (to the camera, or {@link CodecStage#release} to the
 * stage before). A result is offered to the next stage, or back to its stage when it carries nothing. The last
 * stage's frames are shown as {@link CaptureToScanout} shows a captured one: a modeset first, then non-blocking
 * flips, one in flight; a frame made while a flip is in flight waits, and a newer one replaces it (the older goes back
 * at once, counted as {@link Statistics#skipped}). A shown frame goes back to its stage only once the flip that
 * replaced it on screen completed: its page-flip event by default, or the CRTC's out-fence ({@code OUT_FENCE_PTR})
 * with {@link #release(CaptureToScanout.Release)}. Note that a software codec (vicodec) codes inside
 * {@code VIDIOC_QBUF}, so its work is on this loop's thread and counts in {@link Statistics#cpuNanosPerFrame}.
 *
 * <p><b>Source changes.</b> A decoder sets its CAPTURE queue up when the stream's format is known and again after a
 * resolution change, and only once every frame is back with it ({@link CodecStage#changePending}). The pipeline then
 * gives back the frame on screen (once no flip is in flight): its framebuffer goes on showing it, since the display's
 * import keeps the memory after the decoder freed its buffers. When the first frame of the new set comes, every new
 * frame is registered as a framebuffer, and the framebuffers of the old set are removed ({@code DRM_IOCTL_MODE_RMFB})
 * once the first flip to a new one completed, never while one is scanned out. A frame given back is never committed
 * again. A converter after a decoder is started on the decoder's first set of frames and restarted on each new set
 * ({@link CodecStage#feed}), keeping its output size (a scaler scales the new size to it). A camera change ({@link
 * #changeCamera}) restarts the first stage's input on the camera's new frames.
 *
 * <p><b>The application as the consumer.</b> {@link #toApplication} ends the chain in the application instead of a
 * display: the last stage's results (an encoder's packets to send or store, a decoder's frames to analyse) are given
 * to a {@link ResultTap} on the loop's thread and go back to the stage when it returns. Any stage's results can also
 * be {@linkplain #tap tapped} on their way (recording an encoder's packets while the chain shows the camera).
 *
 * <p><b>Ending.</b> A run ends after the asked number of frames was shown, the asked time passed, or {@link #stop}
 * (any thread). Then, as in {@link CaptureToScanout}, it waits for the flip in flight, gives the waiting frame back
 * unshown, restores the display as {@link #open} found it (one blocking commit with {@code ALLOW_MODESET}) and only
 * then gives the last stage the frames the display held and removes the framebuffers. It stops the camera
 * ({@code VIDIOC_STREAMOFF}) and lets the stages finish what they hold for at most {@value #FLUSH_MILLIS} ms, without
 * a drain (a later run goes on with the same streams): each stage's inputs come back upstream, and the last stage's
 * frames go back to it unshown. Every stage is then detached.
 *
 * <p><b>Ownership.</b> The camera queue, the stages (or the {@link Stages} holding them), the device and the display
 * objects are borrowed; close the pipeline first, then the stages, then the camera and the device. The pipeline owns
 * its poller, its atomic requests and the framebuffers of the last stage's frames (each run's, removed at its end).
 *
 * <p><b>Threads.</b> {@link #run} on one thread at a time; {@link #stop}, {@link #statistics} and {@link #close}
 * from any thread. {@link #close} during a run ends it as {@link #stop} does, waits for it to return and then frees
 * what it owns. A stage closed from another thread mid-run ends the run with the {@link IllegalStateException} its
 * next call throws, after the same ending. The per-frame loop allocates nothing of its own (the stages' results, the
 * requests and the counters are preallocated); each out-fence is a sync_file object per frame, and registering a new
 * set of frames allocates.
 *
 * {@snippet :
 * StagePlan plan = StagePlanner.builder(camera, 640, 480).encoder(encoder, FourCc.of("FWHT")).decoder(decoder)
 *         .display(card, crtc, plane, connector, mode).build().plan();
 * try (Stages stages = Stages.start(plan, 4);
 *      ThroughStages pipeline = ThroughStages.open(camera, stages.stages(), card, crtc, plane, connector, mode)) {
 *     ThroughStages.Statistics stats = pipeline.run(300);
 * }
 * }
 */
public final class ThroughStages implements AutoCloseable {
    /** How long the end of a run lets the stages finish what they hold. */
    static final int FLUSH_MILLIS = 5000;

    private final VideoQueue camera;
    /** The stages, camera side first; the last one's frames are shown. */
    private final CodecStage[] stages;
    private final CodecStage last;
    /** The display and its end, or {@code null} both when the application is the consumer ({@link #sink}). */
    private final DrmDevice display;
    private final Scanout scanout;
    /** The application consuming the last stage's results when there is no display, else {@code null}. */
    private final ResultTap sink;
    private final Scanout.Shown shown = this::shown;
    private final Poller poller;
    private final RunLoop loop;
    private final Tally tally = new Tally();
    private volatile CaptureToScanout.Release release = CaptureToScanout.Release.FLIP_EVENT;
    /** A camera change asked for ({@link #changeCamera}) and not done yet; taken by the loop. */
    private volatile CameraChange cameraChange;
    /** The application's taps by stage ({@link #tap}), read at each run's start. */
    private final ResultTap[] taps;
    /** This run's taps (the loop's copy of {@link #taps}). */
    private final ResultTap[] tapping;
    /** For each stage, the upstream stage's set of results it was fed ({@link CodecStage#feed}); by stage index. */
    private final List<?>[] fedFrom;
    /** The change the loop is making: the camera stopped, waiting for the first stage to give its frames back. */
    private CameraChange changing;
    /** Tests: check each out-fence's state with {@code SYNC_IOC_FILE_INFO} when its replaced frame is released. */
    volatile boolean auditFences;
    /**
     * Tests: called on the run's thread at the end of a run whose last flip completed, the last frame still on screen,
     * before the display is restored (a writeback of the screen); given the frames shown.
     */
    volatile RunLoop.Step beforeRestore;
    private final CameraWatch cameraWatch;
    private boolean timed;
    /** The last stage's set of frames the framebuffers are for, by result index. */
    private List<CodecStage.Result> registered = List.of();
    private Framebuffer[] framebuffers = new Framebuffer[0];
    /** The framebuffers of earlier sets: removed once a flip to one of the current set completed. */
    private final List<Framebuffer> retired = new ArrayList<>();
    private CodecStage.Result waiting;
    private CodecStage.Result flipping;
    /**
     * The frame on screen, held from the last stage; null once given back for a source change (its framebuffer shows
     * on).
     */
    private CodecStage.Result onScreen;

    private ThroughStages(VideoQueue camera, List<CodecStage> stages, DrmDevice display, Scanout scanout,
                          ResultTap sink, Poller poller) {
        this.loop = new RunLoop(poller, scanout, camera, this::start, this::serve, tally::shownCount, this::finish,
                tally::ended);
        this.cameraWatch = loop.camera();
        this.camera = camera;
        this.stages = stages.toArray(new CodecStage[0]);
        this.last = this.stages[this.stages.length - 1];
        this.taps = new ResultTap[this.stages.length];
        this.tapping = new ResultTap[this.stages.length];
        this.fedFrom = new List<?>[this.stages.length];
        for (int k = 1; k < this.stages.length; k++) {
            fedFrom[k] = this.stages[k].isStarted() ? this.stages[k - 1].results() : null;
        }
        this.display = display;
        this.scanout = scanout;
        this.sink = sink;
        this.poller = poller;
    }

    /**
     * A pipeline from {@code camera} through {@code stages} to {@code plane} on {@code crtc}, driving
     * {@code connector} in {@code mode}, each frame's top left corner at the CRTC's; it reads the display's state to
     * restore it after each run (see {@link CaptureToScanout#open}).
     *
     * @param camera  the capture queue, not streaming, whose buffer {@code i} is the first stage's input {@code i}
     * @param stages  started ({@link Stages#start}), camera side first: each one's inputs are the results of the one
     *                before, by index; the last makes frames (a decoder or a converter); a stage after a decoder is
     *                a converter {@linkplain CodecStage#prepareConverter prepared}, which the pipeline
     *                {@linkplain CodecStage#feed feeds} the decoder's frames when they exist
     * @param display the device of the plane, master, opened with atomic and universal planes
     * @throws IllegalArgumentException for stages not paired with the camera and each other, or in an order that
     *         cannot be shown
     * @throws KernelException reading the display's state, or EMFILE opening the poller
     */
    public static ThroughStages open(VideoQueue camera, List<CodecStage> stages, DrmDevice display, Crtc crtc,
                                     Plane plane, Connector connector, Mode mode) throws KernelException {
        return open(camera, stages, display, crtc, plane, connector, mode, 0, 0);
    }

    /**
     * As {@link #open(VideoQueue, List, DrmDevice, Crtc, Plane, Connector, Mode)}, with each frame's top left corner
     * at {@code (x, y)} on the CRTC, unscaled and cropped to the mode (an overlay plane).
     */
    public static ThroughStages open(VideoQueue camera, List<CodecStage> stages, DrmDevice display, Crtc crtc,
                                     Plane plane, Connector connector, Mode mode, int x, int y)
            throws KernelException {
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(display, "display");
        List<CodecStage> chain = List.copyOf(stages);
        requireChain(camera, chain, true);
        Poller poller = Poller.open();
        try {
            return new ThroughStages(camera, chain, display,
                    Scanout.open(display, crtc, plane, connector, mode, x, y, poller), null, poller);
        } catch (KernelException | RuntimeException | Error e) {
            poller.close();
            throw e;
        }
    }

    /**
     * A pipeline from {@code camera} through {@code stages} to the application: each result of the last stage (an
     * encoder's packet, a decoder's or a converter's frame) that carries data is given to {@code sink} on the loop's
     * thread and goes back to the stage when {@code sink} returns; the sink reads it there (a packet's
     * {@link CodecStage.Result#bytes}, a frame's dma-bufs) and must not keep it. Everything else is as with a display:
     * {@link #run} counts the results given as {@link Statistics#shown}, their latency from the camera's timestamp to
     * the sink's call; a sink that throws ends the run with its exception.
     *
     * @param stages started as for {@link #open(VideoQueue, List, DrmDevice, Crtc, Plane, Connector, Mode)}; the last
     *               may be an encoder
     * @throws IllegalArgumentException for stages not paired with the camera and each other
     * @throws KernelException EMFILE opening the poller
     */
    public static ThroughStages toApplication(VideoQueue camera, List<CodecStage> stages, ResultTap sink)
            throws KernelException {
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(sink, "sink");
        List<CodecStage> chain = List.copyOf(stages);
        requireChain(camera, chain, false);
        return new ThroughStages(camera, chain, null, null, sink, Poller.open());
    }

    /** Refuses stages that are not started on the camera and on each other, or that end in packets on a display. */
    static void requireChain(VideoQueue camera, List<CodecStage> chain, boolean toDisplay) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no stage between " + camera + " and the display: use CaptureToScanout");
        }
        int upstream = camera.buffers().size();
        String from = camera.toString();
        for (int k = 0; k < chain.size(); k++) {
            CodecStage stage = chain.get(k);
            boolean afterDecoder = k > 0 && chain.get(k - 1).kind() == CodecStage.Kind.DECODER;
            if (afterDecoder) {
                if (stage.kind() != CodecStage.Kind.CONVERTER || stage.isStarted()) {
                    throw new IllegalArgumentException("stage " + k + " (" + stage + ") follows a decoder, whose"
                            + " frames exist only once its stream plays: it must be a converter prepared"
                            + " (prepareConverter), not started");
                }
            } else if (!stage.isStarted()) {
                throw new IllegalArgumentException("stage " + k + " (" + stage + ") is not started: start the chain"
                        + " first (Stages.start of a StagePlan)");
            } else if (stage.inputs().size() != upstream) {
                throw new IllegalArgumentException("stage " + k + " (" + stage + ") must be started on the "
                        + upstream + " buffers of " + from + ": it has " + stage.inputs().size() + " inputs");
            }
            if (stage.kind() != CodecStage.Kind.DECODER && !afterDecoder && stage.results().isEmpty()) {
                throw new IllegalArgumentException("stage " + k + " (" + stage + ") has no results: start it first");
            }
            upstream = stage.results().size();
            from = stage.toString();
        }
        CodecStage end = chain.getLast();
        if (toDisplay && !end.kind().makesFrames()) {
            throw new IllegalArgumentException("the last stage (" + end + ") is an encoder: a display shows frames,"
                    + " not packets; end with a decoder or a converter");
        }
    }

    /**
     * The application's view of a stage's results (an encoder's packets to record while the chain shows the camera,
     * a frame to inspect): called on the loop's thread with each result that carries data, before it moves on to the
     * next stage or the display. The result stays the stage's: read it ({@link CodecStage.Result#bytes} maps a
     * packet once per buffer) but do not keep or release it. A tap that throws ends the run with its exception.
     */
    @FunctionalInterface
    public interface ResultTap {
        void take(CodecStage.Result result) throws java.io.IOException;
    }

    /**
     * Taps stage {@code k}'s results from the next run on ({@code null} removes the tap). Any thread. The loop calls
     * the tap and allocates nothing more per frame; what the tap does costs the loop's time.
     */
    public synchronized void tap(int k, ResultTap tap) {
        Objects.checkIndex(k, stages.length);
        taps[k] = tap;
    }

    /**
     * Chooses what frees a frame replaced on screen for the last stage: the flip event (the default) or the CRTC's
     * out-fence. Any thread; takes effect at the next run.
     */
    public void release(CaptureToScanout.Release how) {
        release = Objects.requireNonNull(how, "how");
    }

    /**
     * What a camera's resolution change does to the camera, on the run's thread, once the camera is stopped
     * ({@code VIDIOC_STREAMOFF}) and the first stage has given every camera buffer back: free the camera's buffers, set
     * its new format and make its new buffers, and name the frames (buffer {@code i} = frame {@code i}) the first stage
     * restarts on ({@link CodecStage#restartInput}). The caller owns the frames, as it owned the old ones.
     */
    @FunctionalInterface
    public interface CameraChange {
        /** The camera's new layout and its frames, by buffer index. */
        Restart apply(VideoQueue camera) throws java.io.IOException;
    }

    /** The camera's new layout and the frames of its buffers, by index. */
    public record Restart(io.zeroframe.dmabuf.FrameLayout layout, List<Frame> frames) {}

    /**
     * Changes the camera mid-run (a new resolution): the loop stops the camera, lets the first stage finish the frames
     * it holds, calls {@code change}, restarts the first stage's input on the new frames and the camera; the display
     * goes on showing the last frames meanwhile, and the new size reaches the screen through the stages (an encoder's
     * packets carry it to a decoder's source change; a converter scales it to its output). Any thread; done at the
     * loop's next wake-up.
     *
     * @throws IllegalStateException when the first stage is a decoder, whose input is packets
     */
    public void changeCamera(CameraChange change) {
        if (!stages[0].kind().takesFrames()) {
            throw new IllegalStateException("changeCamera: the first stage (" + stages[0] + ") is a decoder");
        }
        cameraChange = Objects.requireNonNull(change, "change");
        poller.wakeup();
    }

    /** Ends the current run, or the next one if none is in progress. Any thread; allocates nothing. */
    public void stop() {
        loop.stop();
    }

    /**
     * Streams until {@code frames} frames of the last stage were shown or {@link #stop} is called.
     *
     * @return the run's statistics
     * @throws KernelException from the camera, a stage or the display; the display is restored and the camera
     *         stopped first
     * @throws IllegalStateException a stage closed meanwhile (from its next call), or a closed pipeline
     */
    public Statistics run(long frames) throws KernelException {
        return stream(RunLock.frames(frames), Long.MAX_VALUE);
    }

    /** Streams for {@code duration} or until {@link #stop} is called; as {@link #run(long)} otherwise. */
    public Statistics run(Duration duration) throws KernelException {
        return stream(Long.MAX_VALUE, RunLock.deadline(duration));
    }

    /** The statistics of the current run so far, or of the last one; from any thread. */
    public Statistics statistics() {
        List<CodecStage.Statistics> each = new ArrayList<>(stages.length);
        for (CodecStage stage : stages) {
            each.add(stage.statistics());
        }
        return tally.snapshot(each);
    }

    /** Frames released while the out-fence of the flip that replaced them was not signalled. For the tests. */
    long freedBeforeFence() {
        return scanout == null ? 0 : scanout.freedBeforeFence();
    }

    private Statistics stream(long frames, long deadline) throws KernelException {
        loop.run(frames, deadline);
        return statistics();
    }

    /** Before the loop: counters reset, the camera's free buffers queued, the stages attached, the stream on. */
    private void start(long cpuStart) throws KernelException {
        tally.reset();
        synchronized (this) {
            System.arraycopy(taps, 0, tapping, 0, taps.length);
        }
        if (scanout != null) {
            scanout.begin(release == CaptureToScanout.Release.OUT_FENCE, false, auditFences);
        }
        cameraWatch.begin();
        timed = false;
        tally.running(cpuStart);
        for (VideoBuffer buffer : camera.buffers()) {
            if (!stages[0].inputs().get(buffer.index()).isWithCodec()) {
                toCamera(buffer);
            }
        }
        for (CodecStage stage : stages) {
            if (stage.isStarted()) {
                stage.attach(poller); // one fed later is attached then
            }
        }
        camera.streamOn();
    }

    /** After each wait: flips completed, frames captured, each stage's work, a source change. */
    private void serve(long frames) throws KernelException {
        if (scanout != null && scanout.service(shown)) {
            showWaiting(frames);
        }
        if (cameraWatch.ready()) {
            takeCaptured();
        }
        for (int k = 0; k < stages.length; k++) {
            if (stages[k].isStarted() && stages[k].ready()) {
                takeFrom(k, frames, false);
            }
        }
        followSourceChange();
        changeCameraStep();
    }

    /**
     * A camera change ({@link #changeCamera}): first the camera stops; once the first stage holds none of its buffers,
     * the change is applied, its input restarted on the new frames and the camera started again.
     */
    private void changeCameraStep() throws KernelException {
        if (changing == null) {
            changing = cameraChange;
            if (changing == null) {
                return;
            }
            cameraChange = null;
            camera.streamOff(); // returns every buffer the camera held
            cameraWatch.stopped();
        }
        if (holdsInputs(stages[0])) {
            return; // the next wake-up, when the first stage gives them back
        }
        Restart restart;
        try {
            restart = changing.apply(camera);
        } catch (KernelException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("changing the camera " + camera + " failed: " + e.getMessage(), e);
        }
        changing = null;
        stages[0].restartInput(restart.layout(), restart.frames());
        for (VideoBuffer buffer : camera.buffers()) {
            toCamera(buffer);
        }
        cameraWatch.begin();
        camera.streamOn();
    }

    private void toCamera(VideoBuffer buffer) throws KernelException {
        camera.enqueue(buffer);
        cameraWatch.queued();
    }

    /** Offers every captured buffer to the first stage with its timestamp; one it refuses goes back to the camera. */
    private void takeCaptured() throws KernelException {
        for (Optional<VideoBuffer> captured = cameraWatch.holds() ? camera.dequeue(0) : Optional.empty();
                captured.isPresent(); captured = cameraWatch.holds() ? camera.dequeue(0) : Optional.empty()) {
            cameraWatch.taken();
            VideoBuffer buffer = captured.get();
            long dropped = cameraWatch.droppedBefore(buffer.sequence());
            boolean offered = !buffer.isError()
                    && stages[0].offer(buffer.index(), buffer.bytesUsed(0), buffer.timestampNanos());
            if (!offered) {
                toCamera(buffer);
            }
            tally.captured(dropped, offered);
        }
    }

    /**
     * Stage {@code k}'s work: the inputs it has read go upstream (to the camera unless a camera change holds them,
     * or back to the stage before); each result goes to the next stage, or back when it carries nothing or the next
     * refuses it; the last stage's frames go to the display, or straight back when {@code discard} (the end of a
     * run) or when the stage flagged them.
     */
    private void takeFrom(int k, long frames, boolean discard) throws KernelException {
        CodecStage stage = stages[k];
        for (Optional<CodecStage.Input> read = stage.takeProcessed(); read.isPresent();
                read = stage.takeProcessed()) {
            int index = read.get().index();
            if (k > 0) {
                CodecStage before = stages[k - 1];
                before.release(before.results().get(index));
            } else if (changing == null && !discard) {
                toCamera(camera.buffers().get(index));
            }
        }
        if (stage == last) {
            takeFrames(frames, discard);
            return;
        }
        CodecStage next = stages[k + 1];
        for (Optional<CodecStage.Result> made = stage.takeResult(); made.isPresent(); made = stage.takeResult()) {
            CodecStage.Result result = made.get();
            boolean carries = result.bytesUsed(0) > 0 && !result.isError();
            if (carries) {
                tapped(k, result);
                if (fedFrom[k + 1] != stage.results()) {
                    feed(k + 1);
                }
            }
            if (!carries || !next.offer(result.index(), result.bytesUsed(0), result.timestampNanos())) {
                stage.release(result);
            }
        }
    }

    /**
     * Feeds stage {@code k} the current frames of the stage before it (a decoder's first set, or a new one after its
     * source change: every old frame came back to the decoder first, so stage {@code k} holds none of them) and
     * attaches it to the loop. Allocates: once per set.
     */
    private void feed(int k) throws KernelException {
        CodecStage upstream = stages[k - 1];
        VideoFormat format = upstream.resultFormat();
        FrameLayout layout = format.toLayout().orElseThrow(() -> new IllegalStateException(upstream
                + " makes " + format + ", which has no frame layout for " + stages[k]));
        List<Frame> frames = new ArrayList<>(upstream.results().size());
        upstream.results().forEach(result -> frames.add(result.frame()));
        boolean first = !stages[k].isStarted();
        stages[k].feed(layout, frames);
        fedFrom[k] = upstream.results();
        if (first) {
            stages[k].attach(poller);
        }
    }

    /** Hands {@code result} of stage {@code k} to its tap, if any; the tap's failure ends the run. */
    private void tapped(int k, CodecStage.Result result) throws KernelException {
        ResultTap tap = tapping[k];
        if (tap == null) {
            return;
        }
        java.io.IOException failed = handTo(tap, result);
        if (failed != null) {
            throw new java.io.UncheckedIOException("the tap of stage " + k + " (" + stages[k] + ") failed: "
                    + failed.getMessage(), failed);
        }
    }

    /**
     * Gives {@code result} to {@code tap}: its IOException returned (the caller names it; nothing is built per frame),
     * a {@link KernelException} thrown as it is.
     */
    private static java.io.IOException handTo(ResultTap tap, CodecStage.Result result) throws KernelException {
        try {
            tap.take(result);
            return null;
        } catch (KernelException e) {
            throw e;
        } catch (java.io.IOException e) {
            return e;
        }
    }

    /** The last stage's frames: each to the display, or back to the stage (see {@link #takeFrom}). */
    private void takeFrames(long frames, boolean discard) throws KernelException {
        for (Optional<CodecStage.Result> made = last.takeResult(); made.isPresent(); made = last.takeResult()) {
            CodecStage.Result frame = made.get();
            if (discard || frame.isError() || (scanout == null && frame.bytesUsed(0) == 0)) {
                last.release(frame);
                tally.notShown(discard || !frame.isError() ? 0 : 1);
                continue;
            }
            tally.arrived();
            tapped(stages.length - 1, frame);
            if (scanout == null) {
                deliver(frame, frames);
                continue;
            }
            if (waiting != null && scanout.inFlight()) {
                // the stages' work in this pass (vicodec codes inside VIDIOC_QBUF) took long enough for the flip to
                // complete: look again (one poll, not waiting) before the waiting frame is replaced
                poller.await(Duration.ZERO);
                if (scanout.service(shown)) {
                    showWaiting(frames);
                }
            }
            if (waiting != null) {
                last.release(waiting);
                tally.skipped();
            }
            waiting = frame;
            showWaiting(frames);
        }
    }

    /**
     * The application's consumer: the result given to {@link #sink} while the run has results to give, then back to
     * the last stage (also when the sink throws).
     */
    private void deliver(CodecStage.Result result, long frames) throws KernelException {
        if (tally.shownCount() >= frames) {
            last.release(result);
            tally.notShown(1);
            return;
        }
        java.io.IOException failed;
        try {
            failed = handTo(sink, result);
        } finally {
            last.release(result);
        }
        if (failed != null) {
            throw new java.io.UncheckedIOException("the application's sink failed on " + result + ": "
                    + failed.getMessage(), failed);
        }
        long now = System.nanoTime(); // CLOCK_MONOTONIC, the clock of V4L2 timestamps
        tally.shown(now - result.timestampNanos(), now);
    }

    /** Commits the waiting frame if no flip is in flight and the run still has frames to show. */
    private void showWaiting(long frames) throws KernelException {
        if (!scanout.inFlight() && waiting != null && tally.shownCount() < frames) {
            scanout.commit(framebufferOf(waiting), waiting.index(), null);
            flipping = waiting;
            waiting = null;
        }
    }

    /**
     * The framebuffer of a frame of the last stage; the first frame of a new set (the first, or one after a source
     * change) registers the whole set ({@code DRM_IOCTL_PRIME_FD_TO_HANDLE}, {@code DRM_IOCTL_MODE_ADDFB2}) and retires
     * the framebuffers of the set before.
     */
    private Framebuffer framebufferOf(CodecStage.Result frame) throws KernelException {
        if (last.results() != registered) {
            for (Framebuffer old : framebuffers) {
                if (old != null) {
                    retired.add(old);
                }
            }
            if (!registered.isEmpty()) {
                tally.sourceChange();
            }
            registered = last.results();
            framebuffers = new Framebuffer[registered.size()];
            for (int i = 0; i < framebuffers.length; i++) {
                framebuffers[i] = display.addFramebuffer(registered.get(i).frame());
            }
        }
        return framebuffers[frame.index()];
    }

    /** The flip in flight completed: its frame is on screen and the one it replaced goes back to the last stage. */
    private void shown(long timestampNanos) throws KernelException {
        CodecStage.Result now = flipping;
        flipping = null;
        if (timed) {
            tally.shown(timestampNanos - now.timestampNanos(), timestampNanos);
        } else {
            tally.shown(-1, timestampNanos); // the modeset's: a driver has no scan-out time for a CRTC just enabled
            timed = true;
        }
        CodecStage.Result before = onScreen;
        onScreen = now;
        if (before != null) {
            last.release(before);
        }
        closeRetired(); // the plane shows a framebuffer of the current set
    }

    private void closeRetired() {
        for (Framebuffer old : retired) {
            old.close();
        }
        retired.clear();
    }

    /**
     * A decoder's resolution change (or its first set-up) waits for every frame to be back with it: once no flip is in
     * flight, the waiting frame and the one on screen go back; the latter's framebuffer keeps showing it.
     */
    private void followSourceChange() throws KernelException {
        if (scanout == null || !last.changePending() || scanout.inFlight()) {
            return;
        }
        if (waiting != null) {
            last.release(waiting);
            waiting = null;
            tally.skipped();
        }
        if (onScreen != null) {
            CodecStage.Result held = onScreen;
            onScreen = null;
            last.release(held);
        }
    }

    /**
     * The end of a run (see the class comment); each step is tried even when one before failed.
     */
    private Exception finish(Exception failure) {
        boolean abandoned = false;
        if (scanout != null) {
            try {
                abandoned = scanout.finish(shown);
            } catch (KernelException | RuntimeException e) {
                failure = RunLock.add(failure, e);
            }
            RunLoop.Step atEnd = beforeRestore;
            if (atEnd != null && scanout.modeSet() && !abandoned && failure == null) {
                try {
                    atEnd.take(tally.shownCount());
                } catch (KernelException | RuntimeException e) {
                    failure = RunLock.add(failure, e);
                }
            }
            if (scanout.modeSet()) {
                try {
                    scanout.restore();
                } catch (KernelException | RuntimeException e) {
                    failure = RunLock.add(failure, e);
                }
            }
        }
        // nothing of the last stage's is scanned out any more (or the restore failed and its framebuffers go below)
        for (CodecStage.Result held : new CodecStage.Result[] {waiting, abandoned ? flipping : null, onScreen}) {
            if (held != null) {
                failure = giveBack(held, failure);
            }
        }
        tally.notShown((waiting != null ? 1 : 0) + (abandoned && flipping != null ? 1 : 0));
        waiting = flipping = onScreen = null;
        for (Framebuffer fb : framebuffers) {
            if (fb != null) {
                fb.close();
            }
        }
        closeRetired();
        framebuffers = new Framebuffer[0];
        registered = List.of();
        try {
            camera.streamOff(); // returns every buffer the camera held
        } catch (KernelException | RuntimeException e) {
            failure = RunLock.add(failure, e);
        }
        cameraWatch.stopped();
        try {
            flush();
        } catch (KernelException | RuntimeException e) {
            failure = RunLock.add(failure, e);
        }
        for (CodecStage stage : stages) {
            stage.detach();
        }
        return failure;
    }

    private Exception giveBack(CodecStage.Result frame, Exception failure) {
        try {
            last.release(frame);
        } catch (KernelException | RuntimeException e) {
            return RunLock.add(failure, e);
        }
        return failure;
    }

    /** The stages finish what they hold, at most {@link #FLUSH_MILLIS}: inputs back, the last frames released. */
    private void flush() throws KernelException {
        for (CodecStage stage : stages) {
            if (!stage.isOpen()) {
                return;
            }
        }
        long until = System.nanoTime() + FLUSH_MILLIS * 1_000_000L;
        while (anyHoldsInputs()) {
            long left = until - System.nanoTime();
            if (left <= 0 || poller.await(Duration.ofNanos(left)) == 0) {
                return;
            }
            for (int k = 0; k < stages.length; k++) {
                if (stages[k].isStarted()) {
                    takeFrom(k, 0, true);
                }
            }
        }
    }

    private boolean anyHoldsInputs() {
        for (CodecStage stage : stages) {
            if (holdsInputs(stage)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holdsInputs(CodecStage stage) {
        for (CodecStage.Input input : stage.inputs()) {
            if (input.isWithCodec()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Closes the poller and the atomic requests; the borrowed camera, stages and device stay open. During a run it
     * first ends the run as {@link #stop} does and waits for it to return. Idempotent; any thread.
     */
    @Override
    public void close() {
        loop.close();
    }

    /**
     * What a run did, hop by hop, as a value.
     *
     * @param captured         camera: frames dequeued from the camera
     * @param droppedByCamera  camera: frames it never delivered (gaps in the V4L2 sequence numbers)
     * @param notTaken         camera: captured frames the first stage refused (flagged by the camera, or a draining
     *                         stage), queued back
     * @param stages           each stage's counters since it was opened, camera side first
     * @param arrived          display: frames of the last stage it was given
     * @param shown            display: frames whose flip completed; with the application as the consumer, results
     *                         it was given
     * @param skipped          display: frames replaced by a newer one, or given back for a source change, before they
     *                         could be committed
     * @param inFlight         display: frames neither shown nor skipped when the run ended, and frames the last stage
     *                         flagged as errors; {@code arrived + flagged == shown + skipped + inFlight}
     * @param framesPerSecond  shown frames per second between the first and the last timed flip (0 below two)
     * @param latencyP50Nanos  median capture-to-scanout latency: the camera's V4L2 timestamp, carried through every
     *                         stage as the buffer timestamp, to the flip event's timestamp (or when the out-fence was
     *                         seen signalled), both {@code CLOCK_MONOTONIC}; to 250 us, up to 5 s (longer ones count as
     *                         5 s but in the maximum); the modeset's frame is not timed
     * @param latencyP99Nanos  its 99th percentile
     * @param latencyMaxNanos  its maximum, exact
     * @param cpuNanosPerFrame CPU time of the pipeline's thread per shown frame (a software codec's work included)
     * @param sourceChanges    new sets of the last stage's frames after the first (a decoder's resolution changes)
     */
    public record Statistics(long captured, long droppedByCamera, long notTaken, List<CodecStage.Statistics> stages,
                             long arrived, long shown, long skipped, long inFlight, double framesPerSecond,
                             long latencyP50Nanos, long latencyP99Nanos, long latencyMaxNanos, long cpuNanosPerFrame,
                             long sourceChanges) {
        public Statistics {
            stages = List.copyOf(stages);
        }

        /** The counters of stage {@code k}, camera side first. */
        public CodecStage.Statistics stage(int k) {
            return stages.get(k);
        }

        @Override
        public String toString() {
            StringBuilder each = new StringBuilder();
            for (int k = 0; k < stages.size(); k++) {
                each.append("; stage ").append(k).append(": ").append(stages.get(k));
            }
            return String.format("camera: captured %d, dropped %d, not taken %d%s;"
                            + " display: arrived %d, shown %d, skipped %d, in flight %d, %.2f fps, source changes %d;"
                            + " capture-to-scanout latency p50 %.2f ms p99 %.2f ms max %.2f ms; CPU %d us/frame",
                    captured, droppedByCamera, notTaken, each, arrived, shown, skipped, inFlight, framesPerSecond,
                    sourceChanges, latencyP50Nanos / 1e6, latencyP99Nanos / 1e6, latencyMaxNanos / 1e6,
                    cpuNanosPerFrame / 1000);
        }
    }

    /** Each hop's counters, written by the loop and read by {@link #statistics} under this object's lock. */
    private static final class Tally {
        private long captured;
        private long dropped;
        private long notTaken;
        private long arrived;
        private long shown;
        private long skipped;
        private long notShown;
        private long timed;
        private long firstFlip;
        private long lastFlip;
        private long sourceChanges;
        /** 250 us buckets up to 5 s: two codecs on the loop's thread take hundreds of ms under emulation. */
        private final Latencies latencies = new Latencies(250_000);
        private final RunCpu cpu = new RunCpu();

        synchronized void reset() {
            latencies.reset();
            captured = dropped = notTaken = arrived = shown = skipped = notShown = 0;
            timed = firstFlip = lastFlip = sourceChanges = 0;
        }

        synchronized void captured(long droppedBefore, boolean taken) {
            captured++;
            dropped += droppedBefore;
            if (!taken) {
                notTaken++;
            }
        }

        synchronized void arrived() {
            arrived++;
        }

        synchronized void skipped() {
            skipped++;
        }

        synchronized void notShown(long frames) {
            notShown += frames;
        }

        synchronized void sourceChange() {
            sourceChanges++;
        }

        /** A frame shown at {@code flipNanos}, {@code latency} after its capture; untimed when negative. */
        synchronized void shown(long latency, long flipNanos) {
            shown++;
            if (latency < 0) {
                return;
            }
            timed++;
            if (timed == 1) {
                firstFlip = flipNanos;
            }
            lastFlip = flipNanos;
            latencies.add(latency);
        }

        synchronized long shownCount() {
            return shown;
        }

        synchronized void running(long cpuStart) {
            cpu.running(cpuStart);
        }

        synchronized void ended(long cpuNanos) {
            cpu.ended(cpuNanos);
        }

        synchronized Statistics snapshot(List<CodecStage.Statistics> stages) {
            double fps = timed < 2 || lastFlip == firstFlip ? 0 : (timed - 1) * 1e9 / (lastFlip - firstFlip);
            return new Statistics(captured, dropped, notTaken, stages, arrived, shown, skipped, notShown,
                    fps, latencies.percentile(0.50), latencies.percentile(0.99), latencies.max(),
                    shown == 0 ? 0 : cpu.used() / shown, sourceChanges);
        }
    }
}
