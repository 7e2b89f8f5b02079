package io.zeroframe.drm;

import io.zeroframe.bindings.FdClosedException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One use of a GEM handle on a DRM file (a buffer object the device knows by a number). Several
 * {@code GemHandle}s may share one kernel handle (importing one dma-buf twice gives the same number);
 * {@code DRM_IOCTL_GEM_CLOSE} runs once, when the last of them closes.
 *
 * <p>The kernel gives a closed handle's number to the next buffer the file makes, so the number is only used inside
 * a {@link #beginUse}/{@link #endUse} bracket, as an fd is: every call of this package does so, and a closed
 * handle is refused ({@link FdClosedException}) instead of reaching the buffer that got its number. Closing is
 * idempotent and thread-safe, also while calls use the handle (the last of them then releases it); after the device
 * is closed it does nothing (the kernel freed the handle with the file).
 *
 * {@snippet :
 * int number = handle.beginUse("DRM_IOCTL_VGEM_FENCE_ATTACH");   // FdClosedException once closed
 * try {
 *     // a driver-private ioctl naming the buffer by number
 * } finally {
 *     handle.endUse();
 * }
 * }
 */
public final class GemHandle implements AutoCloseable {
    /** In {@link #state}: set by close(); the low bits count the calls in flight. */
    private static final int CLOSED = 1 << 30;
    private static final int USERS = CLOSED - 1;

    private final DrmDevice device;
    private final int handle;
    private final String what;
    private final AtomicInteger state = new AtomicInteger();

    GemHandle(DrmDevice device, int handle, String what) {
        this.device = device;
        this.handle = handle;
        this.what = what;
    }

    /**
     * The kernel's handle number, for calls that pass it on while this object is open; inside a
     * {@link #beginUse} bracket when another thread may close it.
     *
     * @throws IllegalStateException once closed: the number may belong to another buffer now
     */
    public int value() {
        if ((state.get() & CLOSED) != 0) {
            throw new IllegalStateException(closedMessage());
        }
        return handle;
    }

    /**
     * Begins a use of the handle number by one call: until the matching {@link #endUse()}, a concurrent
     * {@link #close()} defers {@code DRM_IOCTL_GEM_CLOSE}, so the number stays this buffer's. Allocates nothing.
     *
     * @param operation names the call in the exception, e.g. {@code DRM_IOCTL_MODE_MAP_DUMB}
     * @return the handle number, valid until {@code endUse()}
     * @throws FdClosedException if this handle is closed
     */
    public int beginUse(String operation) throws FdClosedException {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                throw new FdClosedException(operation, device.path(), closedMessage());
            }
        } while (!state.weakCompareAndSetVolatile(s, s + 1));
        return handle;
    }

    /** Ends a use begun with {@link #beginUse}; the last use to end after a {@code close()} releases the handle. */
    public void endUse() {
        int after = state.decrementAndGet();
        if ((after & USERS) == USERS) {
            state.incrementAndGet();
            throw new IllegalStateException("endUse() without beginUse() on " + this);
        }
        if (after == CLOSED) {
            device.handles().release(handle);
        }
    }

    /** The device whose file the handle belongs to. */
    public DrmDevice device() {
        return device;
    }

    /** Whether this use is still open (not closed, nor closing while calls end). */
    public boolean isOpen() {
        return (state.get() & CLOSED) == 0;
    }

    /** How many open {@code GemHandle}s share this kernel handle now (0 once it is closed). */
    public int sharers() {
        return device.handles().count(handle);
    }

    /**
     * Ends this use; the last use of the kernel handle closes it ({@code DRM_IOCTL_GEM_CLOSE}), at once or, while
     * calls use it, when the last of them ends.
     */
    @Override
    public void close() {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!state.compareAndSet(s, s | CLOSED));
        if ((s & USERS) == 0) {
            device.handles().release(handle);
        }
    }

    private String closedMessage() {
        return "GEM handle " + handle + " was closed (" + what + "); the kernel may have given its number to "
                + "another buffer";
    }

    @Override
    public String toString() {
        return "GemHandle[" + handle + " on " + device.path() + ", " + what + (isOpen() ? "" : ", closed") + "]";
    }
}
