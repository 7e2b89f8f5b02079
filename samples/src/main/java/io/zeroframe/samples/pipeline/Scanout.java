package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.Poller;
import io.zeroframe.dmabuf.SyncFile;
import io.zeroframe.drm.AtomicRequest;
import io.zeroframe.drm.CommitFlag;
import io.zeroframe.drm.Connector;
import io.zeroframe.drm.Crtc;
import io.zeroframe.drm.CrtcId;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.DrmEvent;
import io.zeroframe.drm.DrmEvents;
import io.zeroframe.drm.Framebuffer;
import io.zeroframe.drm.Mode;
import io.zeroframe.drm.Plane;
import io.zeroframe.drm.PlaneId;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The display end of a pipeline ({@link CaptureToScanout}, {@link ThroughStages}): one plane on one CRTC, shown
 * through a modeset and then non-blocking flips, one in flight, and put back as it was found.
 *
 * <p>{@link #commit} makes the run's first commit a modeset (blocking {@code DRM_IOCTL_MODE_ATOMIC} with
 * {@code ALLOW_MODESET | PAGE_FLIP_EVENT}: mode, {@code ACTIVE}, the connector's {@code CRTC_ID}, the plane) and the
 * later ones flips ({@code NONBLOCK | PAGE_FLIP_EVENT}, only {@code FB_ID} changing). With out-fences
 * ({@code OUT_FENCE_PTR}) no event is asked for: the commit's sync_file is polled in the pipeline's {@link Poller}
 * instead. With in-fences ({@code IN_FENCE_FD} on the plane) the modeset is non-blocking too. {@link #service} tells
 * the pipeline, after each wait, that the flip in flight completed (its event's timestamp, or the time its out-fence
 * was seen signalled). {@link #restore} puts back the CRTC, connector and plane state read at {@link #open}.
 *
 * <p>Owns its two atomic requests (their mode blobs), the out-fence of the flip in flight, and the registration of
 * the device's {@link DrmEvents} in the borrowed poller; borrows the device and the framebuffers it commits. Driven
 * by the pipeline's one thread; {@link #freedBeforeFence} may be read from any.
 */
final class Scanout implements AutoCloseable {
    private static final Set<CommitFlag> MODESET = EnumSet.of(CommitFlag.ALLOW_MODESET, CommitFlag.PAGE_FLIP_EVENT);
    private static final Set<CommitFlag> FLIP = EnumSet.of(CommitFlag.NONBLOCK, CommitFlag.PAGE_FLIP_EVENT);
    private static final Set<CommitFlag> RESTORE = EnumSet.of(CommitFlag.ALLOW_MODESET);
    private static final Set<CommitFlag> MODESET_NONBLOCK = EnumSet.of(CommitFlag.ALLOW_MODESET, CommitFlag.NONBLOCK,
            CommitFlag.PAGE_FLIP_EVENT);
    private static final Set<CommitFlag> MODESET_NO_EVENT = EnumSet.of(CommitFlag.ALLOW_MODESET);
    private static final Set<CommitFlag> FENCED_MODESET = EnumSet.of(CommitFlag.ALLOW_MODESET, CommitFlag.NONBLOCK);
    private static final Set<CommitFlag> FENCED_FLIP = EnumSet.of(CommitFlag.NONBLOCK);
    /** The plane properties saved at open and restored at the end. */
    private static final List<String> PLANE_STATE = List.of("FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W", "SRC_H",
            "CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H");
    /** How long the end of a run waits for the flip in flight: many refresh periods, to survive a loaded host. */
    static final int LAST_FLIP_MILLIS = 500;

    /** What the pipeline does once the flip in flight completed, at {@code timestampNanos} ({@code CLOCK_MONOTONIC}). */
    @FunctionalInterface
    interface Shown {
        void flipped(long timestampNanos) throws KernelException;
    }

    private final DrmDevice display;
    private final CrtcId crtc;
    private final PlaneId plane;
    private final Connector connector;
    private final Mode mode;
    private final int x;
    private final int y;
    /** A flip whose event comes later than this after its commit missed a vblank. */
    private final long lateNanos;
    private final DrmEvents events;
    private final DrmEvent event = new DrmEvent();
    private final Poller poller;
    private final int displayKey;
    private final AtomicRequest flip;
    private final AtomicRequest modeset;
    /** Where the display was at open. */
    private final Crtc savedCrtc;
    private final long savedActive;
    private final long savedConnectorCrtc;
    private final long[] savedPlane = new long[PLANE_STATE.size()];
    /** The run's choices: out-fences instead of flip events, in-fences on every commit, an audit of the out-fences. */
    private boolean outFences;
    private boolean inFences;
    private boolean audit;
    private long freedBeforeFence;
    private boolean modeSet;
    private boolean inFlight;
    private long flightData;
    /** When the flip in flight was committed ({@code System.nanoTime}, {@code CLOCK_MONOTONIC}). */
    private long committedNanos;
    /** The out-fence of the flip in flight with out-fences, and its key in the poller. */
    private SyncFile flipFence;
    private int flipFenceKey = -1;
    /** The frame size the flip request's rectangles are for. */
    private int placedWidth;
    private int placedHeight;

    private Scanout(DrmDevice display, Crtc crtc, Plane plane, Connector connector, Mode mode, int x, int y,
                    Poller poller) throws KernelException {
        this.display = display;
        this.crtc = crtc.id();
        this.plane = plane.id();
        this.connector = connector;
        this.mode = mode;
        this.x = x;
        this.y = y;
        this.lateNanos = 3 * 1_000_000_000L / (2L * Math.max(1, mode.vrefresh()));
        this.poller = poller;
        this.events = display.events();
        this.savedCrtc = display.crtc(crtc.id());
        this.savedActive = savedCrtc.properties().value("ACTIVE").orElse(0);
        this.savedConnectorCrtc = display.connectorCurrent(connector.id()).properties().value("CRTC_ID").orElse(0);
        Plane now = display.plane(plane.id());
        for (int i = 0; i < savedPlane.length; i++) {
            savedPlane[i] = now.properties().value(PLANE_STATE.get(i)).orElse(0);
        }
        this.displayKey = poller.register(events);
        this.flip = display.newAtomicRequest();
        this.modeset = display.newAtomicRequest();
    }

    /**
     * The plane of {@code display} on {@code crtc} driving {@code connector} in {@code mode}, frames placed at
     * {@code (x, y)}; reads the display's state ({@code DRM_IOCTL_MODE_GETCRTC}, {@code DRM_IOCTL_MODE_OBJ_GETPROPERTIES}
     * of the CRTC, plane and connector) for {@link #restore}, and registers the device's events in {@code poller}.
     *
     * @throws IllegalArgumentException when {@code (x, y)} is outside the mode or the device is not atomic
     * @throws KernelException reading the display's state
     */
    static Scanout open(DrmDevice display, Crtc crtc, Plane plane, Connector connector, Mode mode, int x, int y,
                        Poller poller) throws KernelException {
        if (x < 0 || y < 0 || x >= mode.hdisplay() || y >= mode.vdisplay()) {
            throw new IllegalArgumentException("position (" + x + ", " + y + ") is outside the mode " + mode);
        }
        if (!display.isAtomic()) {
            throw new IllegalArgumentException(display + " was not opened with atomic modesetting");
        }
        return new Scanout(display, crtc, plane, connector, mode, x, y, poller);
    }

    /** The device. */
    DrmDevice display() {
        return display;
    }

    /** At the start of a run: the next commit is a modeset; out-fences, in-fences and the audit as asked. */
    void begin(boolean outFences, boolean inFences, boolean audit) {
        this.outFences = outFences;
        this.inFences = inFences;
        this.audit = audit;
        synchronized (this) {
            freedBeforeFence = 0;
        }
        modeSet = false;
        inFlight = false;
    }

    /** Whether the run's modeset was committed. */
    boolean modeSet() {
        return modeSet;
    }

    /** The out-fence of the commit in flight when the run uses out-fences, else {@code null}; the scanout's. */
    SyncFile outFence() {
        return flipFence;
    }

    /** Whether a commit's completion is awaited. */
    boolean inFlight() {
        return inFlight;
    }

    /** Whether the flip in flight was committed more than 1.5 refresh periods before {@code nanos}. */
    boolean lateAt(long nanos) {
        return nanos - committedNanos > lateNanos;
    }

    /** Whether the poller found the device closed. */
    boolean closed() {
        return poller.closed(displayKey);
    }

    /**
     * Shows {@code fb}: the modeset the first time in a run, a non-blocking flip after; {@code userData} comes back in
     * its event. {@code inFence} (borrowed: the commit holds its own reference) is the plane's {@code IN_FENCE_FD}
     * when the run uses in-fences, {@code null} for none.
     *
     * @throws KernelException the commit refused ({@code DRM_IOCTL_MODE_ATOMIC})
     */
    void commit(Framebuffer fb, long userData, SyncFile inFence) throws KernelException {
        committedNanos = System.nanoTime();
        if (!modeSet) {
            modeset.clear();
            modeset.set(crtc, "MODE_ID", mode);
            modeset.set(crtc, "ACTIVE", true);
            modeset.set(connector.id(), "CRTC_ID", crtc);
            place(modeset, fb);
            fences(modeset, inFence);
            modeset.commit(outFences ? (inFences ? FENCED_MODESET : MODESET_NO_EVENT)
                    : (inFences ? MODESET_NONBLOCK : MODESET), userData);
            modeSet = true;
            watchOutFence(modeset);
            flip.clear();
            place(flip, fb);
            if (outFences) {
                flip.requestOutFence(crtc);
            }
        } else {
            if (fb.width() != placedWidth || fb.height() != placedHeight) { // a new frame size: a new rectangle
                flip.clear();
                place(flip, fb);
                if (outFences) {
                    flip.requestOutFence(crtc);
                }
            }
            flip.set(plane, "FB_ID", fb.id());
            fences(flip, inFence);
            flip.commit(outFences ? FENCED_FLIP : FLIP, userData);
            watchOutFence(flip);
        }
        inFlight = true;
        flightData = userData;
    }

    /** Sets the request's in-fence (or none) and asks for its out-fence, as the run uses them. */
    private void fences(AtomicRequest req, SyncFile inFence) throws KernelException {
        if (inFences) {
            if (inFence != null) {
                req.setInFence(plane, inFence);
            } else {
                req.clearInFence(plane);
            }
        }
        if (outFences && req == modeset) {
            req.requestOutFence(crtc);
        }
    }

    /** Takes the commit's out-fence and waits for it in the loop's poll. */
    private void watchOutFence(AtomicRequest req) throws KernelException {
        if (outFences) {
            Optional<SyncFile> fence = req.takeOutFence(crtc);
            if (fence.isEmpty()) {
                throw new IllegalStateException("DRM_IOCTL_MODE_ATOMIC on " + display + " returned no out-fence for "
                        + crtc);
            }
            flipFence = fence.get();
            flipFenceKey = poller.register(flipFence);
        }
    }

    private void place(AtomicRequest req, Framebuffer fb) throws KernelException {
        placedWidth = fb.width();
        placedHeight = fb.height();
        place(req, plane, crtc, fb, x, y, Math.min(fb.width(), mode.hdisplay() - x),
                Math.min(fb.height(), mode.vdisplay() - y));
    }

    /**
     * Sets {@code plane} to show the top left {@code width x height} of {@code fb}, unscaled, with its corner at
     * {@code (x, y)} on the CRTC.
     */
    static void place(AtomicRequest req, PlaneId plane, CrtcId crtc, Framebuffer fb, int x, int y, int width,
                      int height) throws KernelException {
        req.set(plane, "FB_ID", fb.id());
        req.set(plane, "CRTC_ID", crtc);
        req.set(plane, "SRC_X", 0);
        req.set(plane, "SRC_Y", 0);
        req.set(plane, "SRC_W", (long) width << 16);
        req.set(plane, "SRC_H", (long) height << 16);
        req.set(plane, "CRTC_X", x);
        req.set(plane, "CRTC_Y", y);
        req.set(plane, "CRTC_W", width);
        req.set(plane, "CRTC_H", height);
    }

    /**
     * After a wait of the loop: takes the events the device holds (one {@code read(2)} takes them all; later ones make
     * it ready for the next wait) and looks at the out-fence of the flip in flight; calls {@code shown} when that flip
     * completed. Events of other users of the device's event queue are ignored.
     *
     * @return whether the flip in flight completed
     */
    boolean service(Shown shown) throws KernelException {
        boolean completed = false;
        if (poller.ready(displayKey)) {
            do {
                if (!events.read(event, 0)) {
                    break;
                }
                completed |= eventCompletes(shown);
            } while (events.hasBuffered());
        }
        if (flipFenceKey >= 0 && (poller.ready(flipFenceKey) || poller.closed(flipFenceKey))) {
            fenceSignalled(shown);
            completed = true;
        }
        return completed;
    }

    private boolean eventCompletes(Shown shown) throws KernelException {
        if (event.kind() != DrmEvent.Kind.FLIP_COMPLETE || !inFlight || event.userData() != flightData) {
            return false;
        }
        inFlight = false;
        shown.flipped(event.timestampNanos());
        return true;
    }

    /** The out-fence of the flip in flight signalled (or its sync_file was found closed). */
    private void fenceSignalled(Shown shown) throws KernelException {
        long now = System.nanoTime();
        poller.unregister(flipFenceKey);
        flipFenceKey = -1;
        try (SyncFile fence = flipFence) {
            flipFence = null;
            if (audit && fence.status().isActive()) {
                synchronized (this) {
                    freedBeforeFence++;
                }
            }
        }
        inFlight = false;
        shown.flipped(now);
    }

    /**
     * At the end of a run: waits, at most {@link #LAST_FLIP_MILLIS}, for the flip in flight to complete (its event or
     * its out-fence), calling {@code shown} if it does; then drops an out-fence that never signalled.
     *
     * @return whether a commit is still in flight (abandoned: its frame may be scanned out until a restore)
     */
    boolean finish(Shown shown) throws KernelException {
        try {
            long until = System.nanoTime() + LAST_FLIP_MILLIS * 1_000_000L;
            if (flipFence != null && flipFence.await(Duration.ofMillis(LAST_FLIP_MILLIS))) {
                fenceSignalled(shown);
            }
            while (inFlight && !outFences) {
                long left = until - System.nanoTime();
                if (left <= 0 || !events.read(event, (int) Math.max(1, left / 1_000_000))) {
                    break;
                }
                eventCompletes(shown);
            }
        } finally {
            if (flipFenceKey >= 0) { // its out-fence never signalled
                poller.unregister(flipFenceKey);
                flipFenceKey = -1;
            }
            if (flipFence != null) {
                flipFence.close();
                flipFence = null;
            }
        }
        boolean abandoned = inFlight;
        inFlight = false;
        return abandoned;
    }

    /**
     * Frames freed while the out-fence of the commit that replaced them was not signalled, as
     * {@code SYNC_IOC_FILE_INFO} said when the pipeline was told; counted only with the audit. For the tests.
     */
    synchronized long freedBeforeFence() {
        return freedBeforeFence;
    }

    /**
     * One blocking commit back to the state read at open; a CRTC that had no mode is turned off, its connector
     * detached, and the plane gets its saved framebuffer, CRTC and rectangles either way.
     */
    void restore() throws KernelException {
        try (AtomicRequest back = display.newAtomicRequest()) {
            if (savedCrtc.mode().isPresent()) {
                back.set(crtc, "MODE_ID", savedCrtc.mode().get());
                back.set(crtc, "ACTIVE", savedActive);
                back.set(connector.id(), "CRTC_ID", savedConnectorCrtc);
            } else {
                back.set(crtc, "ACTIVE", false);
                back.set(crtc, "MODE_ID", 0);
                back.set(connector.id(), "CRTC_ID", 0);
            }
            // all of the plane's saved state, also when it was off: its rectangles would otherwise stay in the
            // kernel's state for the next user of the plane
            for (int i = 0; i < savedPlane.length; i++) {
                back.set(plane, PLANE_STATE.get(i), savedPlane[i]);
            }
            back.commit(RESTORE, 0);
        }
    }

    /** Frees the atomic requests; the poller, which the pipeline owns, is closed by it. */
    @Override
    public void close() {
        flip.close();
        modeset.close();
    }
}
