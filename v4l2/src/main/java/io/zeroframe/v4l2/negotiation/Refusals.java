package io.zeroframe.v4l2.negotiation;

import io.zeroframe.bindings.DeviceGoneException;
import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.negotiation.TrialResult;

/**
 * What a V4L2 call's refusal during a trial means for the candidate. A refusal of the buffer (its format, its
 * layout, its memory: EINVAL, EFAULT, ENOMEM...) is {@link TrialResult.Outcome#FIXABLE_BY_REALLOCATION fixable}:
 * another allocator, format or pitch may work. A refusal that no buffer changes is
 * {@link TrialResult.Outcome#NOT_FIXABLE not fixable}: the device is gone (V4L2 answers ENODEV to every call of an
 * unregistered node, which this library reports as {@link DeviceGoneException}, so an ENODEV here is never a
 * refused buffer), the queue is closed, or EBUSY (another file holds the node's buffers, or the queue streams).
 */
final class Refusals {
    private Refusals() {}

    /** {@code e} as a trial's result, with what it means. */
    static TrialResult refused(KernelException e) {
        return TrialResult.refused(e, outcome(e), meaning(e));
    }

    static TrialResult.Outcome outcome(KernelException e) {
        if (e instanceof DeviceGoneException || e instanceof FdClosedException || e.errno() == Errno.EBUSY) {
            return TrialResult.Outcome.NOT_FIXABLE;
        }
        return TrialResult.Outcome.FIXABLE_BY_REALLOCATION;
    }

    /** What the refusal of {@code e.operation()} with its errno means, for the plan's explanation. */
    static String meaning(KernelException e) {
        if (e instanceof DeviceGoneException) {
            return "the device is gone";
        }
        if (e instanceof FdClosedException) {
            return "the queue is closed";
        }
        int errno = e.errno();
        if (errno == Errno.EBUSY) {
            return "the queue is busy: it streams, or another file holds the node's buffers";
        }
        return switch (e.operation()) {
            case "VIDIOC_S_FMT", "VIDIOC_TRY_FMT" -> "the driver does not take this format";
            case "VIDIOC_REQBUFS" -> errno == Errno.ENOMEM ? "the driver could not allocate the buffer"
                    : "the queue does not take this kind of buffer";
            case "VIDIOC_PREPARE_BUF", "VIDIOC_QBUF" -> errno == Errno.EFAULT
                    ? "the driver cannot map this buffer (too small, or memory it cannot reach)"
                    : errno == Errno.ENOMEM ? "no memory to map this buffer" : "the driver refuses this buffer";
            case "VIDIOC_EXPBUF" -> "the driver cannot export its buffer";
            default -> "refused (" + e.getMessage() + ")";
        };
    }
}
