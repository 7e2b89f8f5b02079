package io.zeroframe.v4l2.negotiation;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.PixelFormat;
import io.zeroframe.dmabuf.negotiation.BufferSink;
import io.zeroframe.dmabuf.negotiation.Candidate;
import io.zeroframe.dmabuf.negotiation.Endpoint;
import io.zeroframe.dmabuf.negotiation.FormatOffer;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import io.zeroframe.v4l2.VideoBuffer;
import io.zeroframe.v4l2.VideoQueue;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue's import of a trial frame, proved on the driver: {@code VIDIOC_S_FMT} as the candidate lays the frame
 * out (refused unless the driver keeps it), {@link VideoQueue#importFrames} ({@code VIDIOC_REQBUFS}
 * {@code V4L2_MEMORY_DMABUF}, one buffer, pitches and offsets checked), then {@code VIDIOC_PREPARE_BUF}, or
 * {@code VIDIOC_QBUF} where the driver lacks it (ENOTTY). The import alone proves nothing: vb2 attaches and maps a
 * dma-buf only when a buffer is prepared or queued, which is where a driver refuses memory it cannot use.
 * {@link #release()} frees the buffer ({@code VIDIOC_REQBUFS} 0, which also takes back a buffer queued without a
 * stream).
 */
final class QueueSink implements BufferSink {
    private static final Logger LOG = LoggerFactory.getLogger(QueueSink.class);

    private final VideoQueue queue;
    private final Endpoint endpoint;
    /** The trial frame relabelled with the queue's format (ARGB8888 as XRGB8888), until {@link #release()}. */
    private Frame relabelled;

    QueueSink(VideoQueue queue, Endpoint endpoint) {
        this.queue = queue;
        this.endpoint = endpoint;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    /** Imports and prepares {@code frame}; a refusal leaves the queue without buffers. */
    @Override
    public TrialResult importFrame(Frame frame, Candidate candidate) {
        Objects.requireNonNull(frame, "frame");
        PixelFormat format = queueFormat(candidate.format());
        if (format == null) {
            return TrialResult.fixable("VIDIOC_S_FMT", "EINVAL", endpoint + " takes no format that reads "
                    + candidate.format());
        }
        TrialResult formatSet = TrialFormat.set(queue, format, candidate.layout());
        if (!formatSet.accepted()) {
            return formatSet;
        }
        try {
            Frame imported = frame;
            if (!format.contiguous().equals(frame.format().contiguous())) {
                relabelled = relabel(frame, format);
                imported = relabelled;
            }
            prove(queue.importFrames(List.of(imported)).getFirst());
            return TrialResult.ACCEPTED;
        } catch (KernelException e) {
            release();
            return Refusals.refused(e);
        } catch (IllegalArgumentException e) { // importFrames' checks: the layout the driver would misread
            release();
            return TrialResult.fixable("VIDIOC_REQBUFS", "EINVAL", e.getMessage());
        }
    }

    /** The format to set for frames laid out in {@code produced}: that one if the queue offers it, else its reading. */
    private PixelFormat queueFormat(PixelFormat produced) {
        if (endpoint.offers().stream().anyMatch(offer -> offer.format().equals(produced))) {
            return produced;
        }
        return endpoint.offerFor(produced).map(FormatOffer::format).orElse(null);
    }

    /** {@code VIDIOC_PREPARE_BUF}, or {@code VIDIOC_QBUF} on a driver without it. */
    private void prove(VideoBuffer buffer) throws KernelException {
        try {
            queue.prepare(buffer);
        } catch (KernelException e) {
            if (e.errno() != Errno.ENOTTY) {
                throw e;
            }
            queue.enqueue(buffer);
        }
    }

    /** {@code frame}'s planes in duplicates of its dma-bufs, as {@code format} (the same bytes). */
    private static Frame relabel(Frame frame, PixelFormat format) throws KernelException {
        Map<DmaBuf, DmaBuf> copies = new IdentityHashMap<>();
        List<Frame.Plane> planes = new ArrayList<>();
        try {
            for (Frame.Plane plane : frame.planes()) {
                DmaBuf copy = copies.get(plane.buffer());
                if (copy == null) {
                    copy = plane.buffer().duplicate();
                    copies.put(plane.buffer(), copy);
                }
                planes.add(new Frame.Plane(copy, plane.offset(), plane.pitch(), plane.length()));
            }
        } catch (KernelException | RuntimeException e) {
            copies.values().forEach(DmaBuf::close);
            throw e;
        }
        return Frame.of(format, frame.width(), frame.height(), frame.modifier(), planes);
    }

    /** {@code VIDIOC_REQBUFS} 0, then the relabelled frame; never throws (what fails is logged). */
    @Override
    public void release() {
        try {
            queue.release();
        } catch (KernelException | RuntimeException e) {
            LOG.warn("freeing the trial import of {} failed", endpoint, e);
        }
        if (relabelled != null) {
            relabelled.close();
            relabelled = null;
        }
    }

    @Override
    public String toString() {
        return endpoint + " (import)";
    }
}
