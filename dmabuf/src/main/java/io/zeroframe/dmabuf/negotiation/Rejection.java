package io.zeroframe.dmabuf.negotiation;

import java.util.Objects;

/**
 * Why the planner did not take a candidate or an allocator: from the descriptions (no import claimed, a pitch one
 * endpoint cannot use) or from a trial's refusal, with the call and errno.
 *
 * @param what   the candidate or allocator, e.g. {@code XRGB8888 LINEAR pitch 2560 from dma-heap system}
 * @param result the refusal, with its classification
 * @param reason the full reason for people, e.g. {@code virtio_gpu plane 31: DRM_IOCTL_PRIME_FD_TO_HANDLE of a
 *               dma-heap buffer: ENODEV, the driver refuses foreign buffers}
 */
public record Rejection(String what, TrialResult result, String reason) {
    public Rejection {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(reason, "reason");
    }

    /** {@code what: reason}. */
    @Override
    public String toString() {
        return what + ": " + reason;
    }
}
