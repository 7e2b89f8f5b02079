package io.zeroframe.samples.pipeline;

import io.zeroframe.bindings.Poller;
import io.zeroframe.v4l2.VideoQueue;

/**
 * A pipeline's camera queue as its loop watches it: how many buffers the camera holds, the queue registered in the
 * loop's poller only while it holds one (a capture node with no buffer queued reports {@code POLLERR} at once), and
 * the gaps in the V4L2 sequence numbers (frames the camera dropped). Driven by the loop's thread.
 */
final class CameraWatch {
    private final VideoQueue queue;
    private final Poller poller;
    private int held;
    private int key = -1;
    private long lastSequence = -1;

    CameraWatch(VideoQueue queue, Poller poller) {
        this.queue = queue;
        this.poller = poller;
    }

    /** A run begins: no sequence number seen yet. */
    void begin() {
        lastSequence = -1;
    }

    /** A buffer was queued to the camera. */
    void queued() {
        held++;
    }

    /** A buffer was dequeued from it. */
    void taken() {
        held--;
    }

    /** Whether the camera holds a buffer. */
    boolean holds() {
        return held > 0;
    }

    /** Before each wait: the queue is in the poller exactly while the camera holds a buffer. */
    void watch() {
        if (held > 0 && key < 0) {
            key = poller.register(queue);
        } else if (held == 0 && key >= 0) {
            poller.unregister(key);
            key = -1;
        }
    }

    /** Whether the last wait found a captured frame. */
    boolean ready() {
        return key >= 0 && poller.ready(key);
    }

    /** Whether the last wait found the queue closed. */
    boolean closed() {
        return key >= 0 && poller.closed(key);
    }

    /** How many frames the camera dropped before the one numbered {@code sequence} ({@code v4l2_buffer.sequence}). */
    long droppedBefore(int sequence) {
        long now = Integer.toUnsignedLong(sequence);
        long dropped = lastSequence >= 0 && now > lastSequence + 1 ? now - lastSequence - 1 : 0;
        lastSequence = now;
        return dropped;
    }

    /** The stream stopped ({@code VIDIOC_STREAMOFF} returned every buffer): the camera holds none. */
    void stopped() {
        held = 0;
        watch();
    }

    /** The queue, for messages. */
    @Override
    public String toString() {
        return queue.toString();
    }
}
