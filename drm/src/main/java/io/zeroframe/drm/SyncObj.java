package io.zeroframe.drm;

import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SYNCOBJ_CREATE;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SYNCOBJ_DESTROY;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SYNCOBJ_QUERY;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SYNCOBJ_RESET;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SYNCOBJ_SIGNAL;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_SYNCOBJ_WAIT;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.FdClosedException;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm.drm_syncobj_array;
import io.zeroframe.bindings.drm.drm_syncobj_create;
import io.zeroframe.bindings.drm.drm_syncobj_destroy;
import io.zeroframe.bindings.drm.drm_syncobj_handle;
import io.zeroframe.bindings.drm.drm_syncobj_timeline_array;
import io.zeroframe.bindings.drm.drm_syncobj_timeline_wait;
import io.zeroframe.bindings.drm.drm_syncobj_wait;
import io.zeroframe.bindings.sys.IoctlRequest;
import io.zeroframe.dmabuf.SyncFile;
import io.zeroframe.dmabuf.internal.DmaBufAccess;
import io.zeroframe.dmabuf.internal.ThreadScratch;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A DRM sync object ({@code drm_syncobj}): a handle in its device's file that holds a fence, the container Vulkan
 * and the GPU drivers use for explicit synchronisation. Made with {@link DrmDevice#createSyncObj} on a device that
 * reports {@code DRM_CAP_SYNCOBJ} (virtio-gpu does; vkms and vgem do not).
 *
 * <p>Binary use: {@link #importFence} puts a sync_file's fence in it, {@link #exportFence} hands its fence out as a
 * sync_file, {@link #signal()} and {@link #reset()} replace the fence with a signalled one or none, and
 * {@link #isSignalled()} / {@link #await(Duration)} test and wait; a sync object without a fence counts as not
 * signalled yet (the waits use {@code DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT}, so a fence attached during the wait
 * counts). Timeline use ({@code DRM_CAP_SYNCOBJ_TIMELINE}): {@link #signal(long)} signals a point,
 * {@link #timelineValue()} reads the highest signalled point, {@link #await(long, Duration)} waits for one.
 *
 * <p>The calls allocate nothing but what they return (the sync_file of {@link #exportFence}): their ioctl arguments
 * live in the calling thread's scratch, as for {@code DMA_BUF_IOCTL_SYNC}.
 *
 * <p>Thread-safe. {@link #close()} may run from any thread at any time: it wakes waits (they end with
 * {@link FdClosedException} within 50 ms, the slice the kernel waits in), waits for calls in
 * flight, then destroys the handle, so no call ever reaches a handle number the kernel gave to a newer sync object.
 * Closing the device closes the handle with it.
 *
 * {@snippet :
 * try (SyncObj done = card.createSyncObj(false)) {
 *     done.importFence(renderFinished);            // a sync_file from the producer
 *     if (done.await(Duration.ofMillis(100))) {
 *         // the frame is ready
 *     }
 * }
 * }
 */
public final class SyncObj implements AutoCloseable {
    /** The longest single kernel wait: how soon a close from another thread ends a wait. */
    static final long WAIT_SLICE_MILLIS = 50;
    private static final Duration LONGEST_WAIT = Duration.ofDays(365L * 100);
    /** In the thread's scratch: the ioctl's struct at 0 (40 bytes at most), then the handle and point arrays. */
    private static final long HANDLE_SLOT = 64;
    private static final long POINT_SLOT = 72;

    private final DrmDevice device;
    private final int handle;
    private final String name;
    /** Calls hold the read lock; close() takes the write lock, so the handle outlives every call in flight. */
    private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
    /** Set once, by the one close() that destroys the handle (compareAndSet: concurrent closes destroy once). */
    private final AtomicBoolean closed = new AtomicBoolean();

    private SyncObj(DrmDevice device, int handle) {
        this.device = device;
        this.handle = handle;
        this.name = "sync object " + handle;
    }

    /** {@code DRM_IOCTL_SYNCOBJ_CREATE}, for {@link DrmDevice#createSyncObj}. */
    static SyncObj create(DrmDevice device, boolean signalled) throws KernelException {
        MemorySegment create = ThreadScratch.get();
        drm_syncobj_create.flags(create, signalled ? drm_h.DRM_SYNCOBJ_CREATE_SIGNALED() : 0);
        int result = device.tryIoctl(DRM_IOCTL_SYNCOBJ_CREATE, create);
        if (result < 0) {
            throw device.failure(DRM_IOCTL_SYNCOBJ_CREATE.name(), -result, -result == Errno.EOPNOTSUPP
                    ? "the driver " + device.version().name() + " has no sync objects (DRM_CAP_SYNCOBJ is "
                            + device.capabilities().value(Capability.SYNCOBJ) + "); virtio-gpu has them"
                    : null);
        }
        return new SyncObj(device, drm_syncobj_create.handle(create));
    }

    /** The handle in the device's file, for ioctls that take sync objects. */
    public int handle() {
        return handle;
    }

    /**
     * Replaces this sync object's fence with {@code fence}'s ({@code DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE} with
     * {@code IMPORT_SYNC_FILE}). The sync_file stays the caller's.
     *
     * @throws FdClosedException if this sync object or {@code fence} is closed
     */
    public void importFence(SyncFile fence) throws KernelException {
        Objects.requireNonNull(fence, "fence");
        OwnedFd fd = DmaBufAccess.ownedFd(fence);
        use(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE);
        try {
            int raw = fd.beginUse(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE.name());
            try {
                MemorySegment request = ThreadScratch.get();
                drm_syncobj_handle.handle(request, handle);
                drm_syncobj_handle.flags(request, drm_h.DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE());
                drm_syncobj_handle.fd(request, raw);
                int result = device.tryIoctl(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, request);
                if (result < 0) {
                    throw device.failure(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE.name(), -result, "importing " + fence
                            + " into " + name
                            + (-result == Errno.EINVAL ? ": the kernel took it for no sync_file" : ""));
                }
            } finally {
                fd.endUse();
            }
        } finally {
            done();
        }
    }

    /**
     * This sync object's fence as a new sync_file the caller owns ({@code DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD} with
     * {@code EXPORT_SYNC_FILE}): for a display commit's {@code IN_FENCE_FD}, a V4L2 or dma-buf consumer, or another
     * process.
     *
     * @throws KernelException EINVAL when it holds no fence yet (import one, or {@link #signal()} it)
     */
    public SyncFile exportFence() throws KernelException {
        use(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD);
        try {
            MemorySegment request = ThreadScratch.get();
            drm_syncobj_handle.handle(request, handle);
            drm_syncobj_handle.flags(request, drm_h.DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE());
            drm_syncobj_handle.fd(request, -1);
            int result = device.tryIoctl(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, request);
            if (result < 0) {
                throw device.failure(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD.name(), -result, "exporting the fence of " + name
                        + (-result == Errno.EINVAL ? ": it holds no fence yet (import one, or signal() it)" : ""));
            }
            return DmaBufAccess.wrapSyncFile(OwnedFd.adopt(drm_syncobj_handle.fd(request),
                    "sync_file (" + name + " on " + device.path() + ")"));
        } finally {
            done();
        }
    }

    /** Gives it a signalled fence ({@code DRM_IOCTL_SYNCOBJ_SIGNAL}). */
    public void signal() throws KernelException {
        handles(DRM_IOCTL_SYNCOBJ_SIGNAL);
    }

    /** Removes its fence ({@code DRM_IOCTL_SYNCOBJ_RESET}): not signalled until a fence is imported or signalled. */
    public void reset() throws KernelException {
        handles(DRM_IOCTL_SYNCOBJ_RESET);
    }

    /** Whether it holds a signalled fence, without waiting; {@code false} when it holds none. */
    public boolean isSignalled() throws KernelException {
        return await(Duration.ZERO);
    }

    /**
     * Waits up to {@code timeout} until it holds a signalled fence ({@code DRM_IOCTL_SYNCOBJ_WAIT} with
     * {@code WAIT_FOR_SUBMIT}, in slices of 50 ms so that {@link #close()} can end it).
     *
     * @param timeout {@link Duration#ZERO} to only look; {@code ChronoUnit.FOREVER.getDuration()} waits for ever
     *
     * @return {@code true} once signalled, {@code false} at the timeout
     * @throws FdClosedException if closed before or during the wait
     */
    public boolean await(Duration timeout) throws KernelException {
        return waitFor(-1, timeout);
    }

    /**
     * Timeline: waits up to {@code timeout} until {@code point} is signalled ({@code DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT}
     * with {@code WAIT_FOR_SUBMIT}, in slices like {@link #await(Duration)}).
     *
     * @throws KernelException EOPNOTSUPP without {@code DRM_CAP_SYNCOBJ_TIMELINE}
     */
    public boolean await(long point, Duration timeout) throws KernelException {
        if (point < 0) {
            throw new IllegalArgumentException(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT.name()
                    + ": timeline points are unsigned, not " + point);
        }
        return waitFor(point, timeout);
    }

    /** Timeline: signals {@code point} ({@code DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL}); points only go up. */
    public void signal(long point) throws KernelException {
        timeline(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, point);
    }

    /** Timeline: the highest signalled point ({@code DRM_IOCTL_SYNCOBJ_QUERY}); 0 for a new sync object. */
    public long timelineValue() throws KernelException {
        return timeline(DRM_IOCTL_SYNCOBJ_QUERY, 0);
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Destroys the handle ({@code DRM_IOCTL_SYNCOBJ_DESTROY}) once no call uses it; a wait in progress ends with
     * {@link FdClosedException} first. Idempotent and atomic: of concurrent closes exactly one destroys, so none
     * reaches the number the kernel gives to the next sync object. Nothing to do once the device is closed (the
     * kernel destroyed it with the file).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) { // waits see it between slices
            return; // another close destroys (or destroyed) the handle: a second destroy could hit a newer one
        }
        inUse.writeLock().lock();
        try {
            if (device.isOpen()) {
                MemorySegment destroy = ThreadScratch.get();
                drm_syncobj_destroy.handle(destroy, handle);
                device.tryIoctl(DRM_IOCTL_SYNCOBJ_DESTROY, destroy);
            }
        } finally {
            inUse.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "SyncObj[" + handle + " on " + device.path() + (closed.get() ? ", closed" : "") + "]";
    }

    // ---- internals

    private void use(IoctlRequest request) throws FdClosedException {
        inUse.readLock().lock();
        if (closed.get()) {
            inUse.readLock().unlock();
            throw new FdClosedException(request.name(), device.path(), "the " + name + " was closed");
        }
    }

    private void done() {
        inUse.readLock().unlock();
    }

    /** SIGNAL or RESET of this one handle. */
    private void handles(IoctlRequest request) throws KernelException {
        use(request);
        try {
            MemorySegment array = ThreadScratch.get();
            array.set(JAVA_INT, HANDLE_SLOT, handle);
            drm_syncobj_array.handles(array, array.address() + HANDLE_SLOT);
            drm_syncobj_array.count_handles(array, 1);
            int result = device.tryIoctl(request, array);
            if (result < 0) {
                throw device.failure(request.name(), -result, name);
            }
        } finally {
            done();
        }
    }

    /** {@code DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL} of {@code point}, or {@code DRM_IOCTL_SYNCOBJ_QUERY} (its point). */
    private long timeline(IoctlRequest request, long point) throws KernelException {
        use(request);
        try {
            MemorySegment array = ThreadScratch.get();
            array.set(JAVA_INT, HANDLE_SLOT, handle);
            array.set(JAVA_LONG, POINT_SLOT, point);
            drm_syncobj_timeline_array.handles(array, array.address() + HANDLE_SLOT);
            drm_syncobj_timeline_array.points(array, array.address() + POINT_SLOT);
            drm_syncobj_timeline_array.count_handles(array, 1);
            int result = device.tryIoctl(request, array);
            if (result < 0) {
                throw device.failure(request.name(), -result, name + timelineAdvice(-result));
            }
            return array.get(JAVA_LONG, POINT_SLOT);
        } finally {
            done();
        }
    }

    private String timelineAdvice(int errno) {
        return errno == Errno.EOPNOTSUPP ? ": the driver " + device.version().name()
                + " has no timeline sync objects (DRM_CAP_SYNCOBJ_TIMELINE)" : "";
    }

    /** The sliced kernel wait: binary when {@code point < 0}, else timeline. */
    private boolean waitFor(long point, Duration timeout) throws KernelException {
        Objects.requireNonNull(timeout, "timeout");
        IoctlRequest request = point < 0 ? DRM_IOCTL_SYNCOBJ_WAIT : DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT;
        // saturated: ChronoUnit.FOREVER.getDuration() and the like wait for ever, a negative timeout only looks
        long nanos = timeout.isNegative() ? 0
                : timeout.compareTo(LONGEST_WAIT) >= 0 ? Long.MAX_VALUE / 4 : timeout.toNanos();
        long deadline = System.nanoTime() + nanos;
        while (true) {
            use(request);
            int result;
            try {
                // the kernel's timeout is absolute CLOCK_MONOTONIC, the clock of System.nanoTime on Linux
                long sliceEnd = Math.min(deadline, System.nanoTime() + WAIT_SLICE_MILLIS * 1_000_000L);
                MemorySegment wait = ThreadScratch.get();
                wait.set(JAVA_INT, HANDLE_SLOT, handle);
                wait.set(JAVA_LONG, POINT_SLOT, point);
                int flags = drm_h.DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT();
                if (point < 0) {
                    drm_syncobj_wait.handles(wait, wait.address() + HANDLE_SLOT);
                    drm_syncobj_wait.count_handles(wait, 1);
                    drm_syncobj_wait.flags(wait, flags);
                    drm_syncobj_wait.timeout_nsec(wait, sliceEnd);
                } else {
                    drm_syncobj_timeline_wait.handles(wait, wait.address() + HANDLE_SLOT);
                    drm_syncobj_timeline_wait.points(wait, wait.address() + POINT_SLOT);
                    drm_syncobj_timeline_wait.count_handles(wait, 1);
                    drm_syncobj_timeline_wait.flags(wait, flags);
                    drm_syncobj_timeline_wait.timeout_nsec(wait, sliceEnd);
                }
                result = device.tryIoctl(request, wait);
            } finally {
                done();
            }
            if (result >= 0) {
                return true;
            }
            if (-result != Errno.ETIME) {
                throw device.failure(request.name(), -result, name + (point < 0 ? "" : " point " + point
                        + timelineAdvice(-result)));
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            if (closed.get()) {
                throw new FdClosedException(request.name(), device.path(), "closed by another thread while waiting");
            }
        }
    }
}
