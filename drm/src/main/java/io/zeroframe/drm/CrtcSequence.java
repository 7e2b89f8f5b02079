package io.zeroframe.drm;

/**
 * A CRTC's vblank counter as {@link DrmDevice#crtcSequence} read it ({@code struct drm_crtc_get_sequence}).
 *
 * @param active         whether the CRTC is enabled
 * @param sequence       vblanks counted so far (64-bit, the count {@link DrmDevice#queueSequenceEventAt} takes)
 * @param timestampNanos {@code CLOCK_MONOTONIC} time of the last vblank, in nanoseconds
 */
public record CrtcSequence(boolean active, long sequence, long timestampNanos) {}
