package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.Frame;
import io.zeroframe.dmabuf.PixelFormat;

/**
 * The working side of an {@link Endpoint}: imports a trial buffer, and for a KMS plane registers it as a
 * framebuffer and shows it in an atomic {@code TEST_ONLY} commit, for {@link DeviceTrials}. Device modules
 * implement it: a V4L2 queue imports with {@code V4L2_MEMORY_DMABUF}, a DRM device with
 * {@code DRM_IOCTL_PRIME_FD_TO_HANDLE}, {@code DRM_IOCTL_MODE_ADDFB2} and an atomic test commit.
 *
 * <p>Every step answers a {@link TrialResult} naming the call and errno that refused. What the steps made (an
 * imported V4L2 buffer, a GEM handle, a framebuffer) is kept until {@link #release()}, which frees all of it and
 * never throws; the planner calls it once per candidate, whatever happened. One candidate at a time.
 */
public interface BufferSink {
    /** The endpoint this works for; {@link DeviceTrials} matches it by name. */
    Endpoint endpoint();

    /** Imports {@code frame}, laid out as {@code candidate} says, as this endpoint would in the pipeline. */
    TrialResult importFrame(Frame frame, Candidate candidate);

    /**
     * Registers {@code frame} as a framebuffer in {@code format} (the format the plane reads it as), with the
     * modifier flag or without. Only a plane has framebuffers: others answer a refusal that is not fixable.
     */
    default TrialResult registerFramebuffer(Frame frame, PixelFormat format, boolean modifierFlag) {
        return TrialResult.notFixable("DRM_IOCTL_MODE_ADDFB2", "EINVAL", endpoint() + " is not a KMS plane");
    }

    /** Shows the framebuffer registered last in an atomic {@code TEST_ONLY} commit; a plane only (see above). */
    default TrialResult testCommit() {
        return TrialResult.notFixable("DRM_IOCTL_MODE_ATOMIC", "EINVAL", endpoint() + " is not a KMS plane");
    }

    /** Frees what the steps made since the last release. Never throws. */
    void release();
}
