package io.zeroframe.drm;

/**
 * One event read from a DRM file, as a reusable holder: {@link DrmEvents#read} fills it in place so that reading
 * events allocates nothing. Copy what you keep; the next read overwrites it.
 *
 * <p>Kinds: {@link Kind#FLIP_COMPLETE} ({@code DRM_EVENT_FLIP_COMPLETE}, for commits with
 * {@link CommitFlag#PAGE_FLIP_EVENT} and legacy page flips), {@link Kind#VBLANK} ({@code DRM_EVENT_VBLANK}),
 * {@link Kind#CRTC_SEQUENCE} ({@code DRM_EVENT_CRTC_SEQUENCE}); others are {@link Kind#OTHER} with their type.
 */
public final class DrmEvent {
    /** The event's kind. */
    public enum Kind { VBLANK, FLIP_COMPLETE, CRTC_SEQUENCE, OTHER }

    Kind kind = Kind.OTHER;
    int type;
    long userData;
    long sequence;
    long timestampNanos;
    int crtc;

    /** What kind of event this is. */
    public Kind kind() {
        return kind;
    }

    /** The kernel's event type ({@code struct drm_event.type}). */
    public int type() {
        return type;
    }

    /** The user data the commit, flip or vblank request carried. */
    public long userData() {
        return userData;
    }

    /** The vblank sequence number of the event. */
    public long sequence() {
        return sequence;
    }

    /**
     * When it happened, in nanoseconds: {@code CLOCK_MONOTONIC} when the device reports
     * {@code DRM_CAP_TIMESTAMP_MONOTONIC} (microsecond resolution for vblank and flip events).
     */
    public long timestampNanos() {
        return timestampNanos;
    }

    /**
     * The CRTC's id, 0 if the kernel did not say (without {@code DRM_CAP_CRTC_IN_VBLANK_EVENT}, or for
     * {@link Kind#CRTC_SEQUENCE} events). Raw so that reading stays allocation-free; see {@link #crtc()}.
     */
    public int crtcId() {
        return crtc;
    }

    /** The CRTC as a typed id, if the kernel said (allocates). */
    public java.util.Optional<CrtcId> crtc() {
        return crtc == 0 ? java.util.Optional.empty() : java.util.Optional.of(new CrtcId(crtc));
    }

    /** A copy, for keeping. */
    public DrmEvent copy() {
        DrmEvent copy = new DrmEvent();
        copy.kind = kind;
        copy.type = type;
        copy.userData = userData;
        copy.sequence = sequence;
        copy.timestampNanos = timestampNanos;
        copy.crtc = crtc;
        return copy;
    }

    @Override
    public String toString() {
        return "DrmEvent[" + kind + " user data " + userData + ", sequence " + sequence + ", " + timestampNanos
                + " ns, crtc " + Integer.toUnsignedString(crtc) + "]";
    }
}
