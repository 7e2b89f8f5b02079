package io.zeroframe.v4l2.negotiation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zeroframe.bindings.DeviceGoneException;
import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.dmabuf.negotiation.TrialResult;
import org.junit.jupiter.api.Test;

/** What a V4L2 call's refusal during a trial means for the candidate. */
class RefusalsTest {
    private static TrialResult refusal(String call, int errno) {
        return Refusals.refused(KernelException.of(call, "/dev/video0", errno));
    }

    @Test
    void refusedBuffersAreFixableByAnotherAllocation() {
        TrialResult refused = refusal("VIDIOC_PREPARE_BUF", Errno.EINVAL);
        assertEquals(TrialResult.Outcome.FIXABLE_BY_REALLOCATION, refused.outcome());
        assertEquals("VIDIOC_PREPARE_BUF: EINVAL, the driver refuses this buffer", refused.toString());
        assertEquals("VIDIOC_QBUF: EFAULT, the driver cannot map this buffer (too small, or memory it cannot reach)",
                refusal("VIDIOC_QBUF", Errno.EFAULT).toString());
        assertEquals("VIDIOC_S_FMT: EINVAL, the driver does not take this format",
                refusal("VIDIOC_S_FMT", Errno.EINVAL).toString());
        assertEquals("VIDIOC_REQBUFS: EINVAL, the queue does not take this kind of buffer",
                refusal("VIDIOC_REQBUFS", Errno.EINVAL).toString());
        assertEquals(TrialResult.Outcome.FIXABLE_BY_REALLOCATION, refusal("VIDIOC_REQBUFS", Errno.ENOMEM).outcome());
    }

    @Test
    void aBusyQueueAGoneDeviceOrAClosedQueueIsNotFixable() {
        TrialResult busy = refusal("VIDIOC_S_FMT", Errno.EBUSY);
        assertEquals(TrialResult.Outcome.NOT_FIXABLE, busy.outcome());
        assertEquals("VIDIOC_S_FMT: EBUSY, the queue is busy: it streams, or another file holds the node's buffers",
                busy.toString());
        TrialResult gone = Refusals.refused(new DeviceGoneException("VIDIOC_PREPARE_BUF", "/dev/video0",
                Errno.ENODEV, "gone"));
        assertEquals(TrialResult.Outcome.NOT_FIXABLE, gone.outcome());
        assertEquals("VIDIOC_PREPARE_BUF: ENODEV, the device is gone", gone.toString());
        assertEquals(TrialResult.Outcome.NOT_FIXABLE, Refusals.refused(new FdClosedException("VIDIOC_QBUF",
                "/dev/video0", "closed")).outcome());
    }
}
