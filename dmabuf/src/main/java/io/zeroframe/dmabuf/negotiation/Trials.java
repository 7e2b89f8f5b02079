package io.zeroframe.dmabuf.negotiation;

import io.zeroframe.dmabuf.PixelFormat;

/**
 * The operations the {@link Planner} calls to prove a candidate on the devices before it commits to it:
 * allocate one buffer, import it into each endpoint that did not allocate it, register it as a framebuffer of each
 * plane, and show it in an atomic {@code TEST_ONLY} commit. Each answers a {@link TrialResult}: a refusal is an
 * expected outcome, not an exception.
 *
 * <p>For a candidate the planner calls {@link #allocate} first, then the other steps on that buffer in the order
 * above, stopping at the first refusal, and {@link #release} last whatever happened: an implementation keeps the
 * one buffer (and any GEM handle or framebuffer it made) from {@code allocate} to {@code release} and frees it
 * there, so a failed probe leaves nothing behind. Device implementations live with the devices (V4L2, DRM,
 * heaps); {@link ScriptedTrials} answers from a script, for tests and for applications that describe their
 * endpoints by hand.
 */
public interface Trials {
    /** Allocates one buffer as {@code candidate} says, from its allocator. */
    TrialResult allocate(Candidate candidate);

    /** Imports the allocated buffer into {@code endpoint} with the candidate's format and layout. */
    TrialResult importInto(Endpoint endpoint, Candidate candidate);

    /**
     * Registers the buffer as a framebuffer of {@code plane} in {@code format} (the format the plane reads it as,
     * e.g. XRGB8888 for an ARGB8888 buffer), with the modifier flag ({@code DRM_MODE_FB_MODIFIERS}) or without.
     */
    TrialResult registerFramebuffer(Endpoint plane, Candidate candidate, PixelFormat format, boolean modifierFlag);

    /** Shows that framebuffer on {@code plane} in an atomic {@code TEST_ONLY} commit. */
    TrialResult testCommit(Endpoint plane, Candidate candidate);

    /** Frees what the steps for {@code candidate} made; called once per candidate tried. Nothing by default. */
    default void release(Candidate candidate) {}
}
