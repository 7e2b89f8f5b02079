package io.zeroframe.v4l2;

/**
 * What {@link VideoQueue#await} found ready on a node: a buffer to dequeue, an event to read, both, or nothing
 * before the timeout.
 */
public enum Readiness {
    /** The time passed with nothing ready. */
    NONE,
    /**
     * {@link VideoQueue#dequeue} answers at once: with a buffer, or with the reason none can come (the queue is not
     * streaming, a fatal error, the last buffer of a drain).
     */
    BUFFER,
    /** An event is pending: {@link VideoEvents#next} returns it at once. */
    EVENT,
    /** Both a buffer and an event. */
    BUFFER_AND_EVENT;

    /** Whether a dequeue answers at once. */
    public boolean buffer() {
        return this == BUFFER || this == BUFFER_AND_EVENT;
    }

    /** Whether an event is pending. */
    public boolean event() {
        return this == EVENT || this == BUFFER_AND_EVENT;
    }

    static Readiness of(boolean buffer, boolean event) {
        return buffer ? (event ? BUFFER_AND_EVENT : BUFFER) : (event ? EVENT : NONE);
    }
}
