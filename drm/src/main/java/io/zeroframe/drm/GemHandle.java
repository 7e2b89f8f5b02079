package io.zeroframe.drm;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One use of a GEM handle on a DRM file (a buffer object the device knows by a number). Several
 * {@code GemHandle}s may share one kernel handle (importing one dma-buf twice gives the same number);
 * {@code DRM_IOCTL_GEM_CLOSE} runs once, when the last of them closes. Closing is idempotent and thread-safe; after
 * the device is closed it does nothing (the kernel freed the handle with the file).
 */
public final class GemHandle implements AutoCloseable {
    private final DrmDevice device;
    private final int handle;
    private final String what;
    private final AtomicBoolean open = new AtomicBoolean(true);

    GemHandle(DrmDevice device, int handle, String what) {
        this.device = device;
        this.handle = handle;
        this.what = what;
    }

    /** The kernel's handle number, valid on this device's file while this object is open. */
    public int value() {
        return handle;
    }

    /** The device whose file the handle belongs to. */
    public DrmDevice device() {
        return device;
    }

    /** Whether this use is still open. */
    public boolean isOpen() {
        return open.get();
    }

    /** How many open {@code GemHandle}s share this kernel handle now (0 once it is closed). */
    public int sharers() {
        return device.handles().count(handle);
    }

    /** Ends this use; the last use of the kernel handle closes it ({@code DRM_IOCTL_GEM_CLOSE}). */
    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            device.handles().release(handle);
        }
    }

    @Override
    public String toString() {
        return "GemHandle[" + handle + " on " + device.path() + ", " + what + (isOpen() ? "" : ", closed") + "]";
    }
}
