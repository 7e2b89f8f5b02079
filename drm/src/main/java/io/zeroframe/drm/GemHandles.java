package io.zeroframe.drm;

import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_GEM_CLOSE;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_PRIME_FD_TO_HANDLE;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm.drm_gem_close;
import io.zeroframe.bindings.drm.drm_prime_handle;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.internal.DmaBufAccess;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GEM handles of one DRM file, counted: the kernel gives the same handle for every import of one buffer and
 * frees it on the first {@code DRM_IOCTL_GEM_CLOSE}, so each {@link GemHandle} counts here and only the last
 * release closes. Imports and closes run under one lock, so a close never frees a handle an import just got.
 */
final class GemHandles {
    private static final Logger LOG = LoggerFactory.getLogger(GemHandles.class);

    private final DrmDevice device;
    private final Map<Integer, Integer> counts = new HashMap<>();

    GemHandles(DrmDevice device) {
        this.device = device;
    }

    /** Counts a handle the kernel just created (a dumb buffer's). */
    synchronized GemHandle adopt(int handle, String what) {
        counts.merge(handle, 1, Integer::sum);
        return new GemHandle(device, handle, what);
    }

    GemHandle importDmaBuf(DmaBuf buffer) throws KernelException {
        OwnedFd bufferFd = DmaBufAccess.ownedFd(buffer);
        int raw = bufferFd.beginUse(DRM_IOCTL_PRIME_FD_TO_HANDLE.name());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_prime_handle.allocate(arena);
            drm_prime_handle.fd(request, raw);
            synchronized (this) {
                int result = device.tryIoctl(DRM_IOCTL_PRIME_FD_TO_HANDLE, request);
                if (result < 0) {
                    int errno = -result;
                    if (errno == Errno.ENODEV) {
                        throw KernelException.of(DRM_IOCTL_PRIME_FD_TO_HANDLE.name(), device.path(), errno,
                                "the driver (" + device.version().name() + ") refused to import that buffer ("
                                        + buffer + "); the device is still there: allocate the buffer from this "
                                        + "device (a dumb buffer, exported) and import it into the other side "
                                        + "instead");
                    }
                    throw device.failure(DRM_IOCTL_PRIME_FD_TO_HANDLE.name(), errno, "importing " + buffer);
                }
                int handle = drm_prime_handle.handle(request);
                counts.merge(handle, 1, Integer::sum);
                return new GemHandle(device, handle, "import of " + buffer);
            }
        } finally {
            bufferFd.endUse();
        }
    }

    /** Ends one use of {@code handle}; the last closes it ({@code DRM_IOCTL_GEM_CLOSE}). */
    synchronized void release(int handle) {
        Integer count = counts.get(handle);
        if (count == null) {
            throw new IllegalStateException("GEM handle " + handle + " on " + device.path() + " is not counted");
        }
        if (count > 1) {
            counts.put(handle, count - 1);
            return;
        }
        counts.remove(handle);
        if (!device.isOpen()) {
            return; // the kernel closed every handle with the file
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_gem_close.allocate(arena);
            drm_gem_close.handle(request, handle);
            int result = device.tryIoctl(DRM_IOCTL_GEM_CLOSE, request);
            if (result < 0 && device.isOpen()) {
                LOG.warn("{}", KernelException.of(DRM_IOCTL_GEM_CLOSE.name(), device.path(), -result,
                        "handle " + handle).getMessage());
            }
        }
    }

    /** How many {@link GemHandle}s hold {@code handle} open now (0: closed). */
    synchronized int count(int handle) {
        return counts.getOrDefault(handle, 0);
    }

    /** How many distinct handles are open through this file. */
    synchronized int openHandles() {
        return counts.size();
    }
}
