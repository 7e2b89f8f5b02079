package io.zeroframe.v4l2;

/**
 * The last event {@link VideoEvents#next} dequeued ({@code struct v4l2_event}): one object per
 * {@code VideoEvents}, updated in place by every dequeue so that reading events allocates nothing. Read what you
 * need before the next dequeue. Not thread-safe.
 */
public final class VideoEvent {
    int type;
    int id;
    int pending;
    int sequence;
    long timestampNanos;
    int changes;
    long value;
    int frameSequence;

    VideoEvent() {}

    /** The event's type, or null for a driver-private type ({@link #rawType()}). */
    public EventType type() {
        return EventType.ofOrNull(type);
    }

    /** The kernel's {@code type}. */
    public int rawType() {
        return type;
    }

    /** The subscription id: a control's id for {@link EventType#CTRL}, the input or pad for source changes. */
    public int id() {
        return id;
    }

    /** How many more events wait ({@code pending}). */
    public int pending() {
        return pending;
    }

    /** The event counter of this file handle ({@code sequence}). */
    public int sequence() {
        return sequence;
    }

    /** When the event was queued, {@code CLOCK_MONOTONIC} nanoseconds. */
    public long timestampNanos() {
        return timestampNanos;
    }

    /**
     * What changed: {@code V4L2_EVENT_CTRL_CH_*} bits (value 1, flags 2, range 4, dimensions 8) for control events,
     * {@code V4L2_EVENT_SRC_CH_RESOLUTION} (1) for source changes; 0 otherwise.
     */
    public int changes() {
        return changes;
    }

    /** A control event's new value ({@code value64}; integer, boolean and menu controls). */
    public long controlValue() {
        return value;
    }

    /** A frame-sync event's frame sequence. */
    public int frameSequence() {
        return frameSequence;
    }

    @Override
    public String toString() {
        EventType known = type();
        return "VideoEvent[" + (known == null ? "private " + type : known) + " id " + id + " seq " + sequence
                + " changes " + changes + " value " + value + "]";
    }
}
