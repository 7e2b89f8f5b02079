package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.FrameLayout;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.Plan;
import io.zeroframe.v4l2.VideoFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A stage's CAPTURE frames from the allocator a {@link Plan} chose for the hop after it (a dma-heap, udmabuf, the
 * display's dumb buffers, the next device's exports), laid out as the stage's CAPTURE format says at each setup (a
 * decoder's: the stream's size, known only then), in the plan's allocator and modifier. What
 * {@link CodecStage#resultFrames} imports when the stage does not allocate its own results.
 *
 * <p>Each setup gets a new set; the set before it is closed then (a frame still shown keeps its memory in the
 * display's import). {@link #close} closes the current set, after the stage was closed or set up anew. Called on the
 * stage's thread; close from the owner's.
 */
final class SourceFrames implements CodecStage.ResultFrames, AutoCloseable {
    private final BufferSource source;
    private final Plan plan;
    private List<Frame> current = List.of();
    private boolean closed;

    SourceFrames(BufferSource source, Plan plan) {
        this.source = Objects.requireNonNull(source, "source");
        this.plan = Objects.requireNonNull(plan, "plan");
        if (!source.allocator().equals(plan.allocator())) {
            throw new IllegalArgumentException(source.allocator() + " is not the plan's allocator " + plan.allocator());
        }
    }

    /**
     * {@code count} frames for {@code format}; the previous set is closed first.
     *
     * @throws KernelException the allocator's refusal (naming its call and errno), or EINVAL for a format the frame
     *         model has no layout for
     */
    @Override
    public synchronized List<Frame> frames(VideoFormat format, int count) throws KernelException {
        if (closed) {
            throw new IllegalStateException("the frames of " + plan.allocator() + " are closed");
        }
        FrameLayout layout = format.toLayout().orElseThrow(() -> KernelException.of("allocate",
                plan.allocator().toString(), Errno.EINVAL, "no frame layout for the stage's format " + format));
        Candidate candidate = new Candidate(plan.allocator(), layout.format(), plan.chosen().modifier(), layout);
        closeCurrent();
        List<Frame> made = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                Attempt<Frame> attempt = source.allocate(candidate);
                if (!attempt.accepted()) {
                    throw KernelException.of("allocate", plan.allocator().toString(), Errno.ENOMEM, "frame " + i
                            + " of " + count + " for " + format + " refused: " + attempt.result());
                }
                made.add(attempt.get());
            }
        } catch (KernelException | RuntimeException | Error e) {
            made.forEach(Frame::close);
            throw e;
        } finally {
            source.release();
        }
        current = List.copyOf(made);
        return current;
    }

    private void closeCurrent() {
        current.forEach(Frame::close);
        current = List.of();
    }

    /** Closes the current set; later {@link #frames} calls throw. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        closeCurrent();
    }
}
