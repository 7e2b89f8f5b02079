package io.zeroframe.bindings;

/**
 * Something a {@link Poller} can wait on together with other things: a V4L2 queue (a buffer to dequeue), V4L2
 * events, a DRM device's events, a sync_file (its fences signalled), a dma-buf's idle state. Implemented by the
 * types that own the fd; a caller never sees the fd itself.
 *
 * <p>The poller asks {@link #pollSource()} at every wait, so an object whose readiness depends on its state (a
 * V4L2 queue without buffers must not be polled for buffers) answers with the source that fits the moment. The
 * call must be cheap and allocate nothing: implementations return sources made in advance.
 */
public interface Pollable {
    /** The fd and {@code poll} events to wait on now; made in advance, so that a wait allocates nothing. */
    PollSource pollSource();
}
