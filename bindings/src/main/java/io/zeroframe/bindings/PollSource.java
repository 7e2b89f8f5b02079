package io.zeroframe.bindings;

import io.zeroframe.bindings.sys.Syscalls;
import java.util.Objects;

/**
 * One entry of a {@code poll(2)} set: an {@link OwnedFd}, borrowed, and the events that mean "ready" for it.
 * The owner of the fd makes it once and hands it out through {@link Pollable#pollSource()}; the fd stays
 * private to the owner (a source exposes its path, never the fd). A source is itself {@link Pollable}, for
 * readiness that has no object of its own (a dma-buf idle for reading or for writing).
 *
 * <p>Events are the kernel's {@code POLLIN}, {@code POLLPRI}, {@code POLLOUT} bits (constants below); 0 waits
 * for nothing but still notices the fd being closed. {@code POLLERR} and {@code POLLHUP} are always reported.
 *
 * {@snippet :
 * try (OwnedFd readEnd = ...) {
 *     PollSource source = PollSource.of(readEnd, PollSource.POLLIN);   // borrows readEnd
 *     int key = poller.register(source);
 * }
 * }
 */
public final class PollSource implements Pollable {
    /** {@code POLLIN}: data to read (a buffer done on a capture queue, a DRM event, a sync_file signalled). */
    public static final short POLLIN = Syscalls.POLLIN;
    /** {@code POLLPRI}: urgent data (a pending V4L2 event). */
    public static final short POLLPRI = Syscalls.POLLPRI;
    /** {@code POLLOUT}: writable (a buffer done on an output queue, a dma-buf idle for writing). */
    public static final short POLLOUT = Syscalls.POLLOUT;

    private final OwnedFd fd;
    private final short events;

    private PollSource(OwnedFd fd, short events) {
        this.fd = fd;
        this.events = events;
    }

    /**
     * A source polling {@code fd} for {@code events}.
     *
     * @param fd borrowed: it stays owned (and closed) by its owner; a poller holds it in use only during a wait
     * @throws IllegalArgumentException for events other than {@code POLLIN}, {@code POLLPRI}, {@code POLLOUT}
     */
    public static PollSource of(OwnedFd fd, short events) {
        Objects.requireNonNull(fd, "fd");
        if ((events & ~(POLLIN | POLLPRI | POLLOUT)) != 0) {
            throw new IllegalArgumentException(String.format("poll events 0x%x for %s: only POLLIN (0x%x), "
                    + "POLLPRI (0x%x) and POLLOUT (0x%x) are waited for", events, fd.path(), POLLIN, POLLPRI, POLLOUT));
        }
        return new PollSource(fd, events);
    }

    /** The events waited for. */
    public short events() {
        return events;
    }

    /** The device or file polled, for messages. */
    public String path() {
        return fd.path();
    }

    /** Whether the fd is still open. */
    public boolean isOpen() {
        return fd.isOpen();
    }

    OwnedFd fd() {
        return fd;
    }

    /** This source itself. */
    @Override
    public PollSource pollSource() {
        return this;
    }

    @Override
    public String toString() {
        return String.format("PollSource[%s, events 0x%x]", fd, events);
    }
}
