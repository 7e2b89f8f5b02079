package io.zeroframe.drm;

/** What {@link DrmDevice#queueSequenceEventAt} does when the vblank asked for has already passed. */
public enum SequenceMiss {
    /** The kernel sends the event at once, carrying the current count. */
    SEND_NOW,
    /** The kernel moves the request to the next vblank ({@code DRM_CRTC_SEQUENCE_NEXT_ON_MISS}). */
    NEXT_VBLANK
}
