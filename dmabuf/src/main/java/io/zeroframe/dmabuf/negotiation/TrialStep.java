package io.zeroframe.dmabuf.negotiation;

/** The operations the planner asks {@link Trials} to try on a candidate, in the order it asks them. */
public enum TrialStep {
    /** Allocate one buffer from the candidate's allocator (a heap, udmabuf, an export). */
    ALLOCATE,
    /** Import that buffer into an endpoint that did not allocate it (V4L2 DMABUF, DRM PRIME import). */
    IMPORT,
    /** Register it as a framebuffer of a plane ({@code DRM_IOCTL_MODE_ADDFB2}). */
    REGISTER_FRAMEBUFFER,
    /** Show that framebuffer in an atomic {@code TEST_ONLY} commit on the plane's CRTC and mode. */
    TEST_COMMIT
}
