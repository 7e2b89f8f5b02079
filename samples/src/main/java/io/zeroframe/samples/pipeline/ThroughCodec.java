package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.Poller;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.Framebuffer;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.Plane;
import io.zeroframe.v4l2.FourCc;
import io.zeroframe.v4l2.VideoBuffer;
import io.zeroframe.v4l2.VideoQueue;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Shows a camera on a KMS plane after an encode and decode round trip (a video call's self-view): camera ->
 * stateful encoder -> stateful decoder -> plane, every hop by dma-buf, driven by one thread in one poll loop. The
 * camera's buffers are the encoder's inputs, the encoder's packet buffers the decoder's inputs, and the decoder's
 * frames ({@link CodecStage.Result#frame}) are registered as framebuffers ({@code DRM_IOCTL_PRIME_FD_TO_HANDLE},
 * {@code DRM_IOCTL_MODE_ADDFB2}) and committed as they are. The CPU never maps or reads pixel memory. A display that
 * imports no foreign buffer (virtio-gpu) shows the decoder's frames when it allocated them itself: start the decoder
 * with {@link DisplayFrames} as its {@link CodecStage#resultFrames} source.
 *
 * <p><b>The loop.</b> {@link #run} queues the camera's free buffers ({@code VIDIOC_QBUF}), {@linkplain
 * CodecStage#attach attaches} both stages to its {@link Poller}, starts the camera ({@code VIDIOC_STREAMON}) and
 * then waits in that one poller on the camera queue, both stages' queues and events, the display's
 * {@link io.zeroframe.drm.DrmEvents} and, with {@link CaptureToScanout.Release#OUT_FENCE out-fences}, the flip in
 * flight's sync_file; no sleep, no timed polling. A captured buffer is offered to the encoder with its V4L2
 * timestamp, which both codecs copy to what they make; the encoder gives it back once it has read it
 * ({@link CodecStage#takeProcessed}) and it goes back to the camera. A packet is offered to the decoder, and goes
 * back to the encoder once the decoder has read it. A decoded frame is shown as {@link CaptureToScanout} shows a
 * captured one: a modeset first, then non-blocking flips, one in flight; a frame decoded while a flip is in flight
 * waits, and a newer one replaces it (the older goes back to the decoder at once, counted as
 * {@link Statistics#skipped}). A shown frame goes back to the decoder ({@link CodecStage#release}) only once the flip
 * that replaced it on screen completed: its page-flip event by default, or the CRTC's out-fence
 * ({@code OUT_FENCE_PTR}) with {@link #release(CaptureToScanout.Release)}. Note that a software codec (vicodec) codes
 * inside {@code VIDIOC_QBUF}, so its work is on this loop's thread and counts in {@link Statistics#cpuNanosPerFrame}.
 *
 * <p><b>Source changes.</b> The decoder sets its CAPTURE queue up when the stream's format is known and again after
 * a resolution change, and only once every frame is back with it ({@link CodecStage#changePending}). The pipeline
 * then gives back the frame on screen (once no flip is in flight): its framebuffer goes on showing it, since the
 * display's import keeps the memory after the decoder freed its buffers. When the first frame of the new set comes,
 * every new frame is registered as a framebuffer, and the framebuffers of the old set are removed
 * ({@code DRM_IOCTL_MODE_RMFB}) once the first flip to a new one completed, never while one is scanned out. A frame
 * given back to the decoder is never committed again.
 *
 * <p><b>Ending.</b> A run ends after the asked number of frames was shown, the asked time passed, or {@link #stop}
 * (any thread). Then, as in {@link CaptureToScanout}, it waits for the flip in flight, gives the waiting frame back
 * unshown, restores the display as {@link #open} found it (one blocking commit with {@code ALLOW_MODESET}) and only
 * then gives the decoder the frames the display held and removes the framebuffers. It stops the camera
 * ({@code VIDIOC_STREAMOFF}) and lets the stages finish what they hold for at most {@value #FLUSH_MILLIS} ms, without
 * a drain (a later run goes on with the same streams): the camera's buffers come back from the encoder, the packets
 * from the decoder, and the decoded frames go back to the decoder unshown. Both stages are then detached.
 *
 * <p><b>Ownership.</b> The camera queue, the stages (or the {@link Codecs} holding them), the device and the
 * display objects are borrowed; close the pipeline first, then the codecs, then the camera and the device. The
 * pipeline owns its poller, its atomic requests and the framebuffers of the decoded frames (each run's, removed at
 * its end).
 *
 * <p><b>Threads.</b> {@link #run} on one thread at a time; {@link #stop}, {@link #statistics} and {@link #close}
 * from any thread. {@link #close} during a run ends it as {@link #stop} does, waits for it to return and then frees
 * what it owns. A stage closed from another thread mid-run ends the run with the {@link IllegalStateException} its
 * next call throws, after the same ending. The per-frame loop allocates nothing of its own (the stages' results, the
 * requests and the counters are preallocated); each out-fence is a sync_file object per frame, and registering a new
 * set of frames allocates.
 *
 * {@snippet :
 * try (ThroughCodec.Codecs codecs = ThroughCodec.Codecs.start(plan, camera, Optional.empty(), encoder, decoder,
 *              FourCc.of("FWHT"), 4);                             // plan: camera -> encoder's OUTPUT queue
 *      ThroughCodec pipeline = ThroughCodec.open(camera, codecs.encoder(), codecs.decoder(), card, crtc, plane,
 *              connector, mode)) {
 *     ThroughCodec.Statistics stats = pipeline.run(300);
 * }
 * }
 */
public final class ThroughCodec implements AutoCloseable {
    /** How long the end of a run lets the stages finish what they hold. */
    static final int FLUSH_MILLIS = 5000;

    private final VideoQueue camera;
    private final CodecStage encoder;
    private final CodecStage decoder;
    private final DrmDevice display;
    private final Scanout scanout;
    private final Scanout.Shown shown = this::shown;
    private final Poller poller;
    private final RunLoop loop;
    private final Tally tally = new Tally();
    private volatile CaptureToScanout.Release release = CaptureToScanout.Release.FLIP_EVENT;
    /** A camera change asked for ({@link #changeCamera}) and not done yet; taken by the loop. */
    private volatile CameraChange cameraChange;
    /** The change the loop is making: the camera stopped, waiting for the encoder to give its frames back. */
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
    /** The decoder's set of frames the framebuffers are for, by result index. */
    private List<CodecStage.Result> registered = List.of();
    private Framebuffer[] framebuffers = new Framebuffer[0];
    /** The framebuffers of earlier sets: removed once a flip to one of the current set completed. */
    private final List<Framebuffer> retired = new ArrayList<>();
    private CodecStage.Result waiting;
    private CodecStage.Result flipping;
    /** The frame on screen, held from the decoder; null once given back for a source change (its framebuffer shows on). */
    private CodecStage.Result onScreen;

    private ThroughCodec(VideoQueue camera, CodecStage encoder, CodecStage decoder, DrmDevice display, Scanout scanout,
                         Poller poller) {
        this.loop = new RunLoop(poller, scanout, camera, this::start, this::serve, tally::shownCount, this::finish,
                tally::ended);
        this.cameraWatch = loop.camera();
        this.camera = camera;
        this.encoder = encoder;
        this.decoder = decoder;
        this.display = display;
        this.scanout = scanout;
        this.poller = poller;
    }

    /**
     * A pipeline from {@code camera} through {@code encoder} and {@code decoder} to {@code plane} on {@code crtc},
     * driving {@code connector} in {@code mode}, each frame's top left corner at the CRTC's; it reads the display's
     * state to restore it after each run (see {@link CaptureToScanout#open}).
     *
     * @param camera  the capture queue, not streaming, whose buffer {@code i} is the encoder's input {@code i}
     * @param encoder started on the camera's buffers ({@link CodecStage#startEncoder})
     * @param decoder started on the encoder's packet buffers ({@link CodecStage#startDecoder} with
     *                {@link CodecStage#resultBuffers})
     * @param display the device of the plane, master, opened with atomic and universal planes
     * @throws IllegalArgumentException for stages not paired with the camera and each other
     * @throws KernelException reading the display's state, or EMFILE opening the poller
     */
    public static ThroughCodec open(VideoQueue camera, CodecStage encoder, CodecStage decoder, DrmDevice display,
                                    Crtc crtc, Plane plane, Connector connector, Mode mode) throws KernelException {
        return open(camera, encoder, decoder, display, crtc, plane, connector, mode, 0, 0);
    }

    /**
     * As {@link #open(VideoQueue, CodecStage, CodecStage, DrmDevice, Crtc, Plane, Connector, Mode)}, with each
     * frame's top left corner at {@code (x, y)} on the CRTC, unscaled and cropped to the mode (an overlay plane).
     */
    public static ThroughCodec open(VideoQueue camera, CodecStage encoder, CodecStage decoder, DrmDevice display,
                                    Crtc crtc, Plane plane, Connector connector, Mode mode, int x, int y)
            throws KernelException {
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(display, "display");
        if (encoder.kind() != CodecStage.Kind.ENCODER || decoder.kind() != CodecStage.Kind.DECODER) {
            throw new IllegalArgumentException("an encoder then a decoder, not " + encoder + " and " + decoder);
        }
        if (encoder.inputs().size() != camera.buffers().size() || encoder.results().isEmpty()
                || decoder.inputs().size() != encoder.results().size()) {
            throw new IllegalArgumentException("the encoder must be started on the camera's " + camera.buffers().size()
                    + " buffers (it has " + encoder.inputs().size() + " inputs) and the decoder on the encoder's "
                    + encoder.results().size() + " packet buffers (it has " + decoder.inputs().size() + " inputs)");
        }
        Poller poller = Poller.open();
        try {
            return new ThroughCodec(camera, encoder, decoder, display,
                    Scanout.open(display, crtc, plane, connector, mode, x, y, poller), poller);
        } catch (KernelException | RuntimeException | Error e) {
            poller.close();
            throw e;
        }
    }

    /**
     * Chooses what frees a frame replaced on screen for the decoder: the flip event (the default) or the CRTC's
     * out-fence. Any thread; takes effect at the next run.
     */
    public void release(CaptureToScanout.Release how) {
        release = Objects.requireNonNull(how, "how");
    }

    /**
     * What a camera's resolution change does to the camera, on the run's thread, once the camera is stopped
     * ({@code VIDIOC_STREAMOFF}) and the encoder has given every camera buffer back: free the camera's buffers, set its
     * new format and make its new buffers, and name the frames (buffer {@code i} = frame {@code i}) the encoder restarts
     * on ({@link CodecStage#restartInput}). The caller owns the frames, as it owned the old ones.
     */
    @FunctionalInterface
    public interface CameraChange {
        /** The camera's new layout and its frames, by buffer index. */
        Restart apply(VideoQueue camera) throws java.io.IOException;
    }

    /** The camera's new layout and the frames of its buffers, by index. */
    public record Restart(io.zeroframe.dmabuf.FrameLayout layout, List<Frame> frames) {}

    /**
     * Changes the camera mid-run (a new resolution): the loop stops the camera, lets the encoder finish the frames it
     * holds, calls {@code change}, restarts the encoder's input on the new frames and the camera; the display goes on
     * showing the decoded frames meanwhile, and the new size reaches the screen through the decoder's source change.
     * Any thread; done at the loop's next wake-up.
     */
    public void changeCamera(CameraChange change) {
        cameraChange = Objects.requireNonNull(change, "change");
        poller.wakeup();
    }

    /** Ends the current run, or the next one if none is in progress. Any thread; allocates nothing. */
    public void stop() {
        loop.stop();
    }

    /**
     * Streams until {@code frames} decoded frames were shown or {@link #stop} is called.
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
        return tally.snapshot(encoder.statistics(), decoder.statistics());
    }

    /** Decoded frames released while the out-fence of the flip that replaced them was not signalled. For the tests. */
    long freedBeforeFence() {
        return scanout.freedBeforeFence();
    }

    private Statistics stream(long frames, long deadline) throws KernelException {
        loop.run(frames, deadline);
        return statistics();
    }

    /** Before the loop: counters reset, the camera's free buffers queued, the stages attached, the stream on. */
    private void start(long cpuStart) throws KernelException {
        tally.reset();
        scanout.begin(release == CaptureToScanout.Release.OUT_FENCE, false, auditFences);
        cameraWatch.begin();
        timed = false;
        tally.running(cpuStart);
        for (VideoBuffer buffer : camera.buffers()) {
            if (!encoder.inputs().get(buffer.index()).isWithCodec()) {
                toCamera(buffer);
            }
        }
        encoder.attach(poller);
        decoder.attach(poller);
        camera.streamOn();
    }

    /** After each wait: flips completed, frames captured, the encoder's and the decoder's work, a source change. */
    private void serve(long frames) throws KernelException {
        if (scanout.service(shown)) {
            showWaiting(frames);
        }
        if (cameraWatch.ready()) {
            takeCaptured();
        }
        if (encoder.ready()) {
            takeFromEncoder(changing == null);
        }
        if (decoder.ready()) {
            takeFromDecoder(frames, false);
        }
        followSourceChange();
        changeCameraStep();
    }

    /**
     * A camera change ({@link #changeCamera}): first the camera stops; once the encoder holds none of its buffers, the
     * change is applied, the encoder's input restarted on the new frames and the camera started again.
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
        for (CodecStage.Input input : encoder.inputs()) {
            if (input.isWithCodec()) {
                return; // the next wake-up, when the encoder gives it back
            }
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
        encoder.restartInput(restart.layout(), restart.frames());
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

    /** Offers every captured buffer to the encoder with its timestamp; one it refuses goes back to the camera. */
    private void takeCaptured() throws KernelException {
        for (Optional<VideoBuffer> captured = cameraWatch.holds() ? camera.dequeue(0) : Optional.empty();
                captured.isPresent(); captured = cameraWatch.holds() ? camera.dequeue(0) : Optional.empty()) {
            cameraWatch.taken();
            VideoBuffer buffer = captured.get();
            long dropped = cameraWatch.droppedBefore(buffer.sequence());
            boolean offered = !buffer.isError()
                    && encoder.offer(buffer.index(), buffer.bytesUsed(0), buffer.timestampNanos());
            if (!offered) {
                toCamera(buffer);
            }
            tally.captured(dropped, offered);
        }
    }

    /**
     * Camera buffers the encoder has read go back to the camera when {@code requeue}; each packet goes to the decoder,
     * or back to the encoder when it carries nothing.
     */
    private void takeFromEncoder(boolean requeue) throws KernelException {
        for (Optional<CodecStage.Input> read = encoder.takeProcessed(); read.isPresent();
                read = encoder.takeProcessed()) {
            if (requeue) {
                toCamera(camera.buffers().get(read.get().index()));
            }
        }
        for (Optional<CodecStage.Result> coded = encoder.takeResult(); coded.isPresent();
                coded = encoder.takeResult()) {
            CodecStage.Result packet = coded.get();
            if (packet.bytesUsed(0) == 0 || packet.isError()
                    || !decoder.offer(packet.index(), packet.bytesUsed(0), packet.timestampNanos())) {
                encoder.release(packet);
            }
        }
    }

    /**
     * Packets the decoder has read go back to the encoder; each decoded frame goes to the display, or straight back to
     * the decoder when {@code discard} (the end of a run) or when the decoder flagged it.
     */
    private void takeFromDecoder(long frames, boolean discard) throws KernelException {
        for (Optional<CodecStage.Input> read = decoder.takeProcessed(); read.isPresent();
                read = decoder.takeProcessed()) {
            encoder.release(encoder.results().get(read.get().index()));
        }
        for (Optional<CodecStage.Result> decoded = decoder.takeResult(); decoded.isPresent();
                decoded = decoder.takeResult()) {
            CodecStage.Result frame = decoded.get();
            if (discard || frame.isError()) {
                decoder.release(frame);
                tally.notShown(discard ? 0 : 1);
                continue;
            }
            tally.decoded();
            if (waiting != null && scanout.inFlight()) {
                // the codecs' work in this pass (vicodec codes inside VIDIOC_QBUF) took long enough for the flip to
                // complete: look again (one poll, not waiting) before the waiting frame is replaced
                poller.await(Duration.ZERO);
                if (scanout.service(shown)) {
                    showWaiting(frames);
                }
            }
            if (waiting != null) {
                decoder.release(waiting);
                tally.skipped();
            }
            waiting = frame;
            showWaiting(frames);
        }
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
     * The framebuffer of a decoded frame; the first frame of a new set (the first, or one after a source change)
     * registers the whole set ({@code DRM_IOCTL_PRIME_FD_TO_HANDLE}, {@code DRM_IOCTL_MODE_ADDFB2}) and retires the
     * framebuffers of the set before.
     */
    private Framebuffer framebufferOf(CodecStage.Result frame) throws KernelException {
        if (decoder.results() != registered) {
            for (Framebuffer old : framebuffers) {
                if (old != null) {
                    retired.add(old);
                }
            }
            if (!registered.isEmpty()) {
                tally.sourceChange();
            }
            registered = decoder.results();
            framebuffers = new Framebuffer[registered.size()];
            for (int i = 0; i < framebuffers.length; i++) {
                framebuffers[i] = display.addFramebuffer(registered.get(i).frame());
            }
        }
        return framebuffers[frame.index()];
    }

    /** The flip in flight completed: its frame is on screen and the one it replaced goes back to the decoder. */
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
            decoder.release(before);
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
     * A resolution change (or the first set-up) waits for every frame to be back with the decoder: once no flip is in
     * flight, the waiting frame and the one on screen go back; the latter's framebuffer keeps showing it.
     */
    private void followSourceChange() throws KernelException {
        if (!decoder.changePending() || scanout.inFlight()) {
            return;
        }
        if (waiting != null) {
            decoder.release(waiting);
            waiting = null;
            tally.skipped();
        }
        if (onScreen != null) {
            CodecStage.Result held = onScreen;
            onScreen = null;
            decoder.release(held);
        }
    }

    /**
     * The end of a run (see the class comment); each step is tried even when one before failed.
     */
    private Exception finish(Exception failure) {
        boolean abandoned = false;
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
        // nothing of the decoder's is scanned out any more (or the restore failed and its framebuffers go below)
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
        encoder.detach();
        decoder.detach();
        return failure;
    }

    private Exception giveBack(CodecStage.Result frame, Exception failure) {
        try {
            decoder.release(frame);
        } catch (KernelException | RuntimeException e) {
            return RunLock.add(failure, e);
        }
        return failure;
    }

    /** The stages finish what they hold, at most {@link #FLUSH_MILLIS}: inputs back, decoded frames released. */
    private void flush() throws KernelException {
        if (!encoder.isOpen() || !decoder.isOpen()) {
            return;
        }
        long until = System.nanoTime() + FLUSH_MILLIS * 1_000_000L;
        while (holdsInputs(encoder) || holdsInputs(decoder)) {
            long left = until - System.nanoTime();
            if (left <= 0 || poller.await(Duration.ofNanos(left)) == 0) {
                return;
            }
            takeFromEncoder(false);
            takeFromDecoder(0, true);
        }
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
     * @param notEncoded       camera: captured frames the encoder refused (flagged by the camera, or a draining
     *                         encoder), queued back
     * @param encoder          the encoder stage's counters, since it was opened
     * @param decoder          the decoder stage's counters, since it was opened
     * @param decoded          display: decoded frames it was given
     * @param shown            display: frames whose flip completed
     * @param skipped          display: decoded frames replaced by a newer one, or given back for a source change,
     *                         before they could be committed
     * @param inFlight         display: decoded frames neither shown nor skipped when the run ended, and frames the
     *                         decoder flagged as errors; {@code decoded + flagged == shown + skipped + inFlight}
     * @param framesPerSecond  shown frames per second between the first and the last timed flip (0 below two)
     * @param latencyP50Nanos  median capture-to-scanout latency: the camera's V4L2 timestamp, carried through both
     *                         codecs as the buffer timestamp, to the flip event's timestamp (or when the out-fence
     *                         was seen signalled), both {@code CLOCK_MONOTONIC}; to 250 us, up to 5 s (longer ones
     *                         count as 5 s but in the maximum); the modeset's frame is not timed
     * @param latencyP99Nanos  its 99th percentile
     * @param latencyMaxNanos  its maximum, exact
     * @param cpuNanosPerFrame CPU time of the pipeline's thread per shown frame (a software codec's work included)
     * @param sourceChanges    new sets of decoded frames after the first (resolution changes)
     */
    public record Statistics(long captured, long droppedByCamera, long notEncoded, CodecStage.Statistics encoder,
                             CodecStage.Statistics decoder, long decoded, long shown, long skipped, long inFlight,
                             double framesPerSecond, long latencyP50Nanos, long latencyP99Nanos, long latencyMaxNanos,
                             long cpuNanosPerFrame, long sourceChanges) {
        @Override
        public String toString() {
            return String.format("camera: captured %d, dropped %d, not encoded %d; encoder: %s; decoder: %s;"
                            + " display: decoded %d, shown %d, skipped %d, in flight %d, %.2f fps, source changes %d;"
                            + " capture-to-scanout latency p50 %.2f ms p99 %.2f ms max %.2f ms; CPU %d us/frame",
                    captured, droppedByCamera, notEncoded, encoder, decoder, decoded, shown, skipped, inFlight,
                    framesPerSecond, sourceChanges, latencyP50Nanos / 1e6, latencyP99Nanos / 1e6,
                    latencyMaxNanos / 1e6, cpuNanosPerFrame / 1000);
        }
    }

    /** Each hop's counters, written by the loop and read by {@link #statistics} under this object's lock. */
    private static final class Tally {
        private long captured;
        private long dropped;
        private long notEncoded;
        private long decoded;
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
            captured = dropped = notEncoded = decoded = shown = skipped = notShown = 0;
            timed = firstFlip = lastFlip = sourceChanges = 0;
        }

        synchronized void captured(long droppedBefore, boolean encoded) {
            captured++;
            dropped += droppedBefore;
            if (!encoded) {
                notEncoded++;
            }
        }

        synchronized void decoded() {
            decoded++;
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

        synchronized Statistics snapshot(CodecStage.Statistics encoder, CodecStage.Statistics decoder) {
            double fps = timed < 2 || lastFlip == firstFlip ? 0 : (timed - 1) * 1e9 / (lastFlip - firstFlip);
            return new Statistics(captured, dropped, notEncoded, encoder, decoder, decoded, shown, skipped, notShown,
                    fps, latencies.percentile(0.50), latencies.percentile(0.99), latencies.max(),
                    shown == 0 ? 0 : cpu.used() / shown, sourceChanges);
        }
    }

    /**
     * The codec half of the chain, set up once: the camera's buffers allocated for a plan of the camera into the
     * encoder's OUTPUT queue ({@code VideoEndpoint.of(encoder.inputQueue(), Role.CONSUMER, ...)}), as
     * {@link BufferPool} allocates them (the camera's own exports imported back, or frames from the plan's source),
     * the encoder started on them and the decoder on the encoder's packet buffers. Owns both stages (also when
     * {@link #start} throws) and the camera's frames; {@link #close} closes the decoder, the encoder, frees the
     * camera's buffers ({@code VIDIOC_REQBUFS} 0) and closes the frames. Close the pipeline first.
     */
    public static final class Codecs implements AutoCloseable {
        private final VideoQueue camera;
        private final List<Frame> frames;
        private final CodecStage encoder;
        private final CodecStage decoder;
        private Plan plan;

        private Codecs(VideoQueue camera, List<Frame> frames, CodecStage encoder, CodecStage decoder, Plan plan) {
            this.camera = camera;
            this.frames = frames;
            this.encoder = encoder;
            this.decoder = decoder;
            this.plan = plan;
        }

        /**
         * The camera at {@code width x height} in the plan's format, from the plan's allocator
         * ({@link ThroughCodec#changeCamera}): the camera's buffers freed ({@code VIDIOC_REQBUFS} 0), the old frames
         * closed, new ones made as at the start.
         */
        public CameraChange cameraChange(int width, int height, Optional<BufferSource> source) {
            return queue -> {
                Candidate was = plan.chosen();
                queue.release();
                // the camera's answer is the new size (vivid makes 640x368 640x360)
                io.zeroframe.v4l2.VideoFormat answered = queue.device().setFormat(
                        io.zeroframe.v4l2.VideoFormat.of(queue.type(), was.format(), width, height));
                io.zeroframe.dmabuf.FrameLayout layout = answered.toLayout().orElseThrow(() ->
                        new IllegalStateException(queue + " answered " + answered + ": no frame layout"));
                Plan resized = new Plan(plan.kind(), new Candidate(was.allocator(), was.format(), was.modifier(),
                        layout), plan.importers(), plan.framebuffers(), plan.count(), plan.countReason(),
                        plan.rejected());
                frames.forEach(Frame::close);
                frames.clear();
                BufferPool.allocateFrames(resized, queue, source, frames);
                plan = resized;
                return new Restart(resized.layout(), List.copyOf(frames));
            };
        }

        /**
         * Allocates and starts, as the class comment says; {@code results} packet buffers and decoded frames (or the
         * codecs' minimum).
         *
         * @param source the plan's allocator's source; unused (may be empty) when the camera allocates
         * @throws IOException the camera, a source or a stage refused: what was made is freed, the stages closed
         */
        public static Codecs start(Plan plan, VideoQueue camera, Optional<BufferSource> source, CodecStage encoder,
                                   CodecStage decoder, FourCc coded, int results) throws IOException {
            List<Frame> frames = new ArrayList<>();
            Codecs codecs = new Codecs(camera, frames, encoder, decoder, plan);
            try {
                BufferPool.allocateFrames(plan, camera, source, frames);
                encoder.startEncoder(plan.layout(), coded, frames, results);
                decoder.startDecoder(coded, plan.layout().width(), plan.layout().height(), encoder.resultBuffers(),
                        results);
                return codecs;
            } catch (IOException | RuntimeException | Error e) {
                codecs.close();
                throw e;
            }
        }

        public CodecStage encoder() {
            return encoder;
        }

        public CodecStage decoder() {
            return decoder;
        }

        /** The camera's frames, by buffer index; owned here. */
        public List<Frame> cameraFrames() {
            return frames;
        }

        /** Downstream first: the decoder imports the encoder's packets, the encoder the camera's frames. */
        @Override
        public void close() {
            decoder.close();
            encoder.close();
            try {
                camera.release();
            } catch (KernelException | RuntimeException e) {
                // the queue's close frees them with its fd
            }
            frames.forEach(Frame::close);
        }
    }
}
