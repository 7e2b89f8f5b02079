package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.drm.DrmDevice;
import io.zeroframe.drm.Framebuffer;
import io.zeroframe.v4l2.VideoBuffer;
import io.zeroframe.v4l2.VideoFormat;
import io.zeroframe.v4l2.VideoQueue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The buffers of a capture-to-scanout {@link Plan}, allocated once and recycled: each {@link Slot} is one frame's
 * memory with its V4L2 buffer (the same index for the pool's whole life) and its KMS framebuffer, and the pool
 * knows where each one is ({@link State}), so no buffer is handed to a device while another still uses it.
 *
 * <p>The cycle, which the pool enforces: a {@link State#FREE} slot goes {@link #toCamera to the camera}
 * ({@code VIDIOC_QBUF}); {@link #fromCamera} dequeues it ({@code VIDIOC_DQBUF}) as
 * {@link State#WAITING_TO_SHOW}; the caller commits its framebuffer and, once the flip completes, calls
 * {@link #shown}: the slot is {@link State#ON_SCREEN} and the one shown before is {@link State#FREE} again, returned
 * so the caller can queue it. {@link #skip} gives a captured frame back unshown.
 *
 * <p>How it allocates, by the plan's allocator: when the camera exports, {@code VIDIOC_REQBUFS} MMAP with the
 * plan's count and {@code VIDIOC_EXPBUF} of each ({@link VideoQueue#exportFrame}); since {@link VideoQueue#allocate}
 * maps every MMAP buffer, a camera that also imports gets its MMAP buffers freed ({@code VIDIOC_REQBUFS} 0, which
 * unmaps them; the dma-bufs keep the memory) and its own exports imported back ({@code V4L2_MEMORY_DMABUF}), so
 * that the process maps no frame: the camera writes into the same memory (a camera that cannot import keeps its
 * mapped MMAP buffers). Otherwise the count of frames from the allocator's {@link BufferSource}, imported into the
 * camera ({@link VideoQueue#importFrames}). Each frame is registered as a framebuffer of the plan's plane as the
 * plan says (format, modifier flag). The camera's format is set to the plan's layout first ({@code VIDIOC_S_FMT}).
 *
 * <p>Not thread-safe: one pipeline thread drives it. {@link #close} frees framebuffers, the camera's buffers and the
 * frames, and may be called once the camera no longer streams.
 */
public final class BufferPool implements AutoCloseable {
    /** Where a slot's buffer is. */
    public enum State {
        /** Nobody uses it. */
        FREE,
        /** Queued to the camera, which writes into it. */
        WITH_CAMERA,
        /** Captured; committed or about to be, not yet on screen. */
        WAITING_TO_SHOW,
        /** Scanned out now. */
        ON_SCREEN
    }

    /** One buffer: its memory, its V4L2 buffer and its framebuffer, paired for the pool's life. */
    public static final class Slot {
        private final int index;
        private final Frame frame;
        private final VideoBuffer videoBuffer;
        /** This slot as the pool's calls return it, made once: the per-frame calls allocate nothing. */
        private final Optional<Slot> present = Optional.of(this);
        private Framebuffer framebuffer;
        private State state = State.FREE;
        private boolean tapped;

        private Slot(int index, Frame frame, VideoBuffer videoBuffer) {
            this.index = index;
            this.frame = frame;
            this.videoBuffer = videoBuffer;
        }

        /** Its V4L2 buffer index, also its place in {@link #slots()}. */
        public int index() {
            return index;
        }

        /** Its memory; owned by the pool. */
        public Frame frame() {
            return frame;
        }

        /** Its V4L2 buffer. */
        public VideoBuffer videoBuffer() {
            return videoBuffer;
        }

        /** Its framebuffer on the plan's plane; owned by the pool. */
        public Framebuffer framebuffer() {
            return framebuffer;
        }

        /** Where it is. */
        public State state() {
            return state;
        }

        /**
         * Whether a {@link CaptureToScanout.FrameTap} (an encoder recording the camera) still reads its frame: it
         * does not go back to the camera before the tap gives it back, whatever the display does with it.
         */
        public boolean isTapped() {
            return tapped;
        }

        @Override
        public String toString() {
            return "slot " + index;
        }
    }

    private final VideoQueue camera;
    private final List<Slot> slots;
    private final List<Frame> frames;
    private Slot onScreen;
    private boolean closed;

    private BufferPool(VideoQueue camera, List<Slot> slots, List<Frame> frames) {
        this.camera = camera;
        this.slots = Collections.unmodifiableList(slots);
        this.frames = frames;
    }

    /**
     * Allocates the plan's buffers once, as described in the class comment.
     *
     * @param plan    a zero-copy plan whose producer is {@code camera} and whose one plane is on {@code display}
     * @param camera  the capture queue; it must not hold buffers
     * @param display the device of the plan's plane
     * @param source  the plan's allocator's source; unused (may be empty) when the camera allocates
     * @throws IOException when the camera refuses the format or the buffers, or the display a framebuffer: what
     *         was made is freed first
     */
    public static BufferPool allocate(Plan plan, VideoQueue camera, DrmDevice display, Optional<BufferSource> source)
            throws IOException {
        Objects.requireNonNull(plan, "plan");
        if (plan.kind() != Plan.Kind.ZERO_COPY || plan.framebuffers().size() != 1) {
            throw new IllegalArgumentException("a pool needs a zero-copy plan with one plane: " + plan.explain());
        }
        List<Frame> frames = new ArrayList<>(plan.count());
        List<Slot> slots = new ArrayList<>(plan.count());
        BufferPool pool = new BufferPool(camera, slots, frames);
        try {
            List<VideoBuffer> videoBuffers = allocateFrames(plan, camera, source, frames);
            Plan.Framebuffer registration = plan.framebuffers().getFirst();
            for (int i = 0; i < videoBuffers.size(); i++) {
                Slot slot = new Slot(i, frames.get(i), videoBuffers.get(i));
                slots.add(slot);
                Attempt<Framebuffer> added = display.tryAddFramebuffer(slot.frame, registration.format(),
                        registration.modifierFlag());
                if (!added.accepted()) {
                    throw new IOException("registering buffer " + i + " on " + registration.plane()
                            + " failed after the probe succeeded: " + added.result());
                }
                slot.framebuffer = added.get();
            }
            return pool;
        } catch (IOException | RuntimeException | Error e) {
            pool.close();
            throw e;
        }
    }

    /**
     * The camera's buffers for {@code plan}, as the class comment describes: the camera's format set to the plan's
     * layout ({@code VIDIOC_S_FMT}), then its own exports (imported back when it can import, so that none stays
     * mapped) or frames from {@code source} imported into it. Each frame made is added to {@code frames} as soon as
     * it exists (the caller owns them, also when this throws).
     *
     * @return the camera's buffers, by index, paired with {@code frames}
     * @throws IOException the camera's or the source's refusal
     */
    static List<VideoBuffer> allocateFrames(Plan plan, VideoQueue camera, Optional<BufferSource> source,
                                            List<Frame> frames) throws IOException {
        camera.device().setFormat(VideoFormat.of(camera.type(), plan.layout()));
        if (plan.allocator().source() == Allocator.Source.V4L2_EXPORT) {
            List<VideoBuffer> videoBuffers = camera.allocate(plan.count());
            for (VideoBuffer buffer : videoBuffers) {
                frames.add(camera.exportFrame(buffer));
            }
            if (!camera.info().canImport()) {
                return videoBuffers;
            }
            // VideoQueue maps every MMAP buffer it allocates: give them back (unmapped, then REQBUFS 0; the exports
            // keep the memory) and import the exports, so no frame stays mapped in the process
            camera.release();
            return camera.importFrames(frames);
        }
        BufferSource from = source.filter(s -> s.allocator().equals(plan.allocator()))
                .orElseThrow(() -> new IllegalArgumentException("no source for " + plan.allocator()));
        try {
            for (int i = 0; i < plan.count(); i++) {
                Attempt<Frame> made = from.allocate(plan.chosen());
                if (!made.accepted()) {
                    throw new IOException("allocating buffer " + i + " of " + plan.count() + " from "
                            + plan.allocator() + " failed after the probe succeeded: " + made.result());
                }
                frames.add(made.get());
            }
        } finally {
            from.release(); // the frames hold their memory; the source's own fds (a heap's) go
        }
        return camera.importFrames(frames);
    }

    /** Every slot, by V4L2 index. */
    public List<Slot> slots() {
        return slots;
    }

    /** The slot shown now, if any. */
    public Optional<Slot> onScreen() {
        return present(onScreen);
    }

    /** Queues a {@link State#FREE} slot that no tap reads to the camera ({@code VIDIOC_QBUF}). */
    public void toCamera(Slot slot) throws KernelException {
        expect(slot, State.FREE, "queue it to the camera");
        if (slot.tapped) {
            throw new IllegalStateException("cannot queue " + slot + " to the camera: a tap still reads its frame");
        }
        camera.enqueue(slot.videoBuffer);
        slot.state = State.WITH_CAMERA;
    }

    /**
     * The next captured slot ({@code VIDIOC_DQBUF}), now {@link State#WAITING_TO_SHOW}; empty when none came in
     * time (see {@link VideoQueue#dequeue}).
     */
    public Optional<Slot> fromCamera(long timeoutMillis) throws KernelException {
        Optional<VideoBuffer> done = camera.dequeue(timeoutMillis);
        if (done.isEmpty()) {
            return Optional.empty();
        }
        Slot slot = slots.get(done.get().index());
        expect(slot, State.WITH_CAMERA, "take it from the camera");
        slot.state = State.WAITING_TO_SHOW;
        return slot.present;
    }

    /**
     * Marks a {@link State#WAITING_TO_SHOW} slot as on screen (its flip completed) and frees the slot shown
     * before, which it returns so the caller can queue it again.
     */
    public Optional<Slot> shown(Slot slot) {
        expect(slot, State.WAITING_TO_SHOW, "show it");
        Slot before = onScreen;
        slot.state = State.ON_SCREEN;
        onScreen = slot;
        if (before != null) {
            before.state = State.FREE;
        }
        return present(before);
    }

    /** A tap reads a captured ({@link State#WAITING_TO_SHOW}) slot's frame from now on. */
    public void tap(Slot slot) {
        expect(slot, State.WAITING_TO_SHOW, "tap it");
        slot.tapped = true;
    }

    /**
     * The tap that read a slot's frame is done with it; returns whether the slot is {@link State#FREE} (the display
     * is done with it too), so that the caller queues it to the camera.
     */
    public boolean untap(Slot slot) {
        if (closed) {
            throw new IllegalStateException("the pool is closed");
        }
        if (!slot.tapped) {
            throw new IllegalStateException("cannot untap " + slot + ": no tap reads it");
        }
        slot.tapped = false;
        return slot.state == State.FREE;
    }

    /** Gives a captured slot back unshown: {@link State#WAITING_TO_SHOW} to {@link State#FREE}. */
    public void skip(Slot slot) {
        expect(slot, State.WAITING_TO_SHOW, "skip it");
        slot.state = State.FREE;
    }

    /**
     * A slot the camera held when its stream stopped ({@code VIDIOC_STREAMOFF} returns every queued buffer):
     * {@link State#WITH_CAMERA} to {@link State#FREE}.
     */
    public void fromStream(Slot slot) {
        expect(slot, State.WITH_CAMERA, "take it back from a stopped stream");
        slot.state = State.FREE;
    }

    /**
     * The display no longer shows the slot on screen (a completed commit showed something else or turned the plane
     * off): it is {@link State#FREE} again, and returned.
     */
    public Optional<Slot> offScreen() {
        if (closed) {
            throw new IllegalStateException("the pool is closed");
        }
        Slot before = onScreen;
        onScreen = null;
        if (before != null) {
            before.state = State.FREE;
        }
        return present(before);
    }

    private static Optional<Slot> present(Slot slot) {
        return slot == null ? Optional.empty() : slot.present;
    }

    private void expect(Slot slot, State state, String action) {
        if (closed) {
            throw new IllegalStateException("the pool is closed");
        }
        if (slots.get(slot.index) != slot) {
            throw new IllegalArgumentException(slot + " is not one of this pool's");
        }
        if (slot.state != state) {
            throw new IllegalStateException("cannot " + action + ": " + slot + " is " + slot.state + ", not "
                    + state);
        }
    }

    /**
     * Frees the framebuffers, the camera's buffers ({@code VIDIOC_REQBUFS} 0, stopping its stream) and the frames.
     * Idempotent; logs nothing and throws nothing: what the kernel refuses at teardown is released with the fds.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Slot slot : slots) {
            if (slot.framebuffer != null) {
                slot.framebuffer.close();
            }
        }
        try {
            camera.release();
        } catch (KernelException | RuntimeException e) {
            // the queue's own close frees them with its fd
        }
        for (Frame frame : frames) {
            frame.close();
        }
    }
}
