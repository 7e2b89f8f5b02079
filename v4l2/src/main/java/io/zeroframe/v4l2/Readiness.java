package io.zeroframe.v4l2;

/**
 * What {@link VideoQueue#await} found ready on a node: a buffer to dequeue, an event to read, both, or nothing
 * before the timeout.
 */
public enum Readiness {
    /** The time passed with nothing ready. */
    NONE(false, false),
    /**
     * {@link VideoQueue#dequeue} answers at once: with a buffer, or with the reason none can come (the queue is not
     * streaming, a fatal error, the last buffer of a drain).
     */
    BUFFER(true, false),
    /** An event is pending: {@link VideoEvents#next} returns it at once. */
    EVENT(false, true),
    /** Both a buffer and an event. */
    BUFFER_AND_EVENT(true, true);

    private final boolean buffer;
    private final boolean event;

    Readiness(boolean buffer, boolean event) {
        this.buffer = buffer;
        this.event = event;
    }

    /** Whether a dequeue answers at once. */
    public boolean buffer() {
        return buffer;
    }

    /** Whether an event is pending. */
    public boolean event() {
        return event;
    }

    static Readiness of(boolean buffer, boolean event) {
        return buffer ? (event ? BUFFER_AND_EVENT : BUFFER) : (event ? EVENT : NONE);
    }
}
