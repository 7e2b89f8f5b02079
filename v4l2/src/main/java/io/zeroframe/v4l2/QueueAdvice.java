package io.zeroframe.v4l2;

import io.zeroframe.bindings.Errno;

/**
 * The sentences a queue's errors end with: what the errno means for the call that failed and what to do. Kept out
 * of {@link VideoQueue} so that the streaming path reads without them; built only when a call has failed.
 */
final class QueueAdvice {
    /** EBUSY from a node whose buffers belong to another open file (vb2 gives them to one file at a time). */
    static final String ANOTHER_FILE = "another file holds the node's buffers (another VideoDevice or process streams"
            + " from it): it must release them (VIDIOC_REQBUFS 0) or close first";
    static final String FATAL = "the stream failed (a fatal driver error): stop it and start again";

    private QueueAdvice() {}

    /** For {@code VIDIOC_REQBUFS} or {@code VIDIOC_CREATE_BUFS} refused with {@code errno}. */
    static String request(int errno, VideoQueue queue, boolean holdsBuffers, int count, Memory kind) {
        if (errno == Errno.EBUSY) {
            return holdsBuffers || queue.isStreaming()
                    ? "the queue is streaming or its buffers are in use: stop the stream (VIDIOC_STREAMOFF) first"
                    : ANOTHER_FILE;
        }
        if (errno == Errno.EINVAL) {
            return queue.type().kernelName() + " does not support " + kind.kernelName() + " (it supports "
                    + queue.info().capabilities() + ")";
        }
        return count + " " + kind.kernelName() + " buffers";
    }

    /** For a format change ({@code VIDIOC_S_FMT}) refused with EBUSY. */
    static String formatBusy(boolean thisFileHoldsBuffers) {
        return thisFileHoldsBuffers
                ? "the queue has buffers or is streaming: release its buffers (VIDIOC_REQBUFS 0) first"
                : ANOTHER_FILE;
    }

    /** For {@code VIDIOC_QBUF} refused with {@code errno}. */
    static String enqueue(int errno, VideoBuffer buffer) {
        if (errno == Errno.EINVAL && buffer.queued) {
            return "buffer " + buffer.index + " is queued already";
        }
        if (errno == Errno.EIO) {
            return FATAL;
        }
        return "buffer " + buffer.index;
    }

    /** For {@code VIDIOC_DQBUF} refused with {@code errno}. */
    static String dequeue(int errno, BufferType type) {
        if (errno == Errno.EINVAL) {
            return type.kernelName() + " is not streaming (VIDIOC_STREAMON) or has no buffers";
        }
        if (errno == Errno.EPIPE) {
            return "the last buffer was dequeued (V4L2_BUF_FLAG_LAST): restart the stream or send a START command";
        }
        if (errno == Errno.EIO) {
            return FATAL;
        }
        return "";
    }
}
