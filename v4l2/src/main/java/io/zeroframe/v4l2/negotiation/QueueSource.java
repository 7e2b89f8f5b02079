package io.zeroframe.v4l2.negotiation;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.Modifier;
import io.zeroframe.dmabuf.negotiation.Allocator;
import io.zeroframe.dmabuf.negotiation.Attempt;
import io.zeroframe.dmabuf.negotiation.BufferSource;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import io.zeroframe.v4l2.VideoQueue;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue's MMAP buffers as an allocator for trials: {@code VIDIOC_S_FMT} at the candidate's format, size and
 * {@code bytesperline} (refused unless the driver keeps them), {@code VIDIOC_REQBUFS} one MMAP buffer, and
 * {@link VideoQueue#exportFrame} ({@code VIDIOC_EXPBUF} per memory plane). {@link #release()} frees the buffer
 * ({@code VIDIOC_REQBUFS} 0); the exported frame keeps its memory until its owner closes it.
 */
final class QueueSource implements BufferSource {
    private static final Logger LOG = LoggerFactory.getLogger(QueueSource.class);

    private final VideoQueue queue;
    private final Allocator allocator;

    QueueSource(VideoQueue queue, Allocator allocator) {
        this.queue = queue;
        this.allocator = allocator;
    }

    @Override
    public Allocator allocator() {
        return allocator;
    }

    /** One exported frame, or the refusal; a refused attempt leaves the queue without buffers. */
    @Override
    public Attempt<Frame> allocate(Candidate candidate) {
        Objects.requireNonNull(candidate, "candidate");
        if (!candidate.modifier().equals(Modifier.LINEAR)) {
            return Attempt.refused(TrialResult.fixable("VIDIOC_S_FMT", "EINVAL", "V4L2 buffers are LINEAR, not "
                    + candidate.modifier()));
        }
        TrialResult formatSet = TrialFormat.set(queue, candidate.format(), candidate.layout());
        if (!formatSet.accepted()) {
            return Attempt.refused(formatSet);
        }
        try {
            return Attempt.accepted(queue.exportFrame(queue.allocate(1).getFirst()));
        } catch (KernelException e) {
            release();
            return Attempt.refused(Refusals.refused(e));
        } catch (IllegalArgumentException | IllegalStateException e) { // a format the frame model cannot hold
            release();
            return Attempt.refused(TrialResult.fixable("VIDIOC_EXPBUF", "EINVAL", e.getMessage()));
        }
    }

    /** {@code VIDIOC_REQBUFS} 0; never throws (what fails is logged). */
    @Override
    public void release() {
        try {
            queue.release();
        } catch (KernelException | RuntimeException e) {
            LOG.warn("freeing the trial buffer of {} failed", queue, e);
        }
    }

    @Override
    public String toString() {
        return allocator + " (" + queue + ")";
    }
}
