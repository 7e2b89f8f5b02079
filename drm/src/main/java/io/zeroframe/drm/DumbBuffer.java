package io.zeroframe.drm;

import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_CREATE_DUMB;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_MODE_MAP_DUMB;
import static io.zeroframe.drm.internal.DrmIoctls.DRM_IOCTL_PRIME_HANDLE_TO_FD;

import io.zeroframe.bindings.Errno;
import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.OwnedFd;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.drm.drm_prime_handle;
import io.zeroframe.bindings.drm_mode.drm_mode_create_dumb;
import io.zeroframe.bindings.drm_mode.drm_mode_map_dumb;
import io.zeroframe.bindings.sys.Syscalls;
import io.zeroframe.dmabuf.DmaBuf;
import io.zeroframe.dmabuf.internal.DmaBufAccess;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A dumb buffer: linear memory a KMS device can scan out and the CPU can draw into
 * ({@code DRM_IOCTL_MODE_CREATE_DUMB}). It owns a GEM handle on its device's file ({@link #close()} releases it;
 * the memory lives on while a framebuffer, a mapping or an exported dma-buf still uses it).
 *
 * {@snippet :
 * try (DumbBuffer buffer = card.createDumbBuffer(1280, 800, 32);
 *      Arena arena = Arena.ofConfined()) {
 *     MemorySegment pixels = buffer.map(arena);                  // unmapped when the arena closes
 *     pixels.set(ValueLayout.JAVA_INT, 0, 0x00ff0000);           // XRGB8888: one red pixel
 *     Framebuffer fb = card.addFramebuffer(buffer, PixelFormat.XRGB8888);
 * }
 * }
 *
 * <p>Not thread-safe apart from {@link #close()}.
 */
public final class DumbBuffer implements AutoCloseable {
    private final DrmDevice device;
    private final GemHandle handle;
    private final int width;
    private final int height;
    private final int bitsPerPixel;
    private final int pitch;
    private final long size;

    private DumbBuffer(DrmDevice device, GemHandle handle, int width, int height, int bitsPerPixel, int pitch,
                       long size) {
        this.device = device;
        this.handle = handle;
        this.width = width;
        this.height = height;
        this.bitsPerPixel = bitsPerPixel;
        this.pitch = pitch;
        this.size = size;
    }

    static DumbBuffer create(DrmDevice device, int width, int height, int bitsPerPixel) throws KernelException {
        if (width <= 0 || height <= 0 || bitsPerPixel <= 0) {
            throw new IllegalArgumentException("dumb buffer " + width + "x" + height + " at " + bitsPerPixel
                    + " bits per pixel: sizes must be positive");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_mode_create_dumb.allocate(arena);
            drm_mode_create_dumb.width(request, width);
            drm_mode_create_dumb.height(request, height);
            drm_mode_create_dumb.bpp(request, bitsPerPixel);
            String detail = width + "x" + height + " at " + bitsPerPixel + " bits per pixel";
            int result = device.tryIoctl(DRM_IOCTL_MODE_CREATE_DUMB, request);
            if (result == -Errno.EACCES && device.isRenderNode()) {
                throw KernelException.of(DRM_IOCTL_MODE_CREATE_DUMB.name(), device.path(), Errno.EACCES, detail
                        + ": render nodes cannot make dumb buffers; open the card's primary node ("
                        + primaryNode(device) + ") or allocate from a dma-heap");
            }
            device.check(DRM_IOCTL_MODE_CREATE_DUMB, result, detail);
            GemHandle handle = device.handles().adopt(drm_mode_create_dumb.handle(request),
                    "dumb buffer " + width + "x" + height);
            return new DumbBuffer(device, handle, width, height, bitsPerPixel, drm_mode_create_dumb.pitch(request),
                    drm_mode_create_dumb.size(request));
        }
    }

    private static String primaryNode(DrmDevice renderNode) {
        try {
            return DrmDevices.query(Path.of(renderNode.path())).path().toString();
        } catch (IOException | RuntimeException e) {
            return "/dev/dri/cardN of the same device";
        }
    }

    /**
     * Maps the buffer for CPU access ({@code DRM_IOCTL_MODE_MAP_DUMB}, then {@code mmap} of the device), in
     * {@code arena}: the segment is {@link #size()} bytes and unmapped when the arena closes (any arena kind).
     *
     * @throws KernelException from the ioctl or mmap (ENOMEM near the mapping limit);
     *         {@link io.zeroframe.bindings.FdClosedException} if this buffer is closed
     */
    public MemorySegment map(Arena arena) throws KernelException {
        int number = handle.beginUse(DRM_IOCTL_MODE_MAP_DUMB.name());
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment request = drm_mode_map_dumb.allocate(scratch);
            drm_mode_map_dumb.handle(request, number);
            device.ioctl(DRM_IOCTL_MODE_MAP_DUMB, request, "handle " + number);
            return Syscalls.mmap(device.fd(), "mmap (dumb buffer " + number + ")",
                    drm_mode_map_dumb.offset(request), size, Syscalls.PROT_READ | Syscalls.PROT_WRITE,
                    Syscalls.MAP_SHARED, arena);
        } finally {
            handle.endUse();
        }
    }

    /**
     * Exports the buffer as a dma-buf ({@code DRM_IOCTL_PRIME_HANDLE_TO_FD}, read-write); the caller owns it. The
     * dma-buf keeps the memory alive after this buffer is closed.
     *
     * @throws io.zeroframe.bindings.FdClosedException if this buffer is closed
     */
    public DmaBuf exportDmaBuf() throws KernelException {
        int number = handle.beginUse(DRM_IOCTL_PRIME_HANDLE_TO_FD.name());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = drm_prime_handle.allocate(arena);
            drm_prime_handle.handle(request, number);
            drm_prime_handle.flags(request, drm_h.DRM_CLOEXEC() | drm_h.DRM_RDWR());
            drm_prime_handle.fd(request, -1);
            device.ioctl(DRM_IOCTL_PRIME_HANDLE_TO_FD, request, "dumb buffer handle " + number);
            return DmaBufAccess.wrap(OwnedFd.adopt(drm_prime_handle.fd(request),
                    "dma-buf (" + device.version().name() + " dumb buffer)"));
        } finally {
            handle.endUse();
        }
    }

    /** The GEM handle, borrowed from this buffer. */
    public GemHandle handle() {
        return handle;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int bitsPerPixel() {
        return bitsPerPixel;
    }

    /** Bytes from one row to the next, as the driver chose. */
    public int pitch() {
        return pitch;
    }

    /** The buffer's size in bytes, as the driver chose. */
    public long size() {
        return size;
    }

    /** Releases this buffer's GEM handle; idempotent, thread-safe. */
    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return "DumbBuffer[" + width + "x" + height + " " + bitsPerPixel + " bpp, pitch " + pitch + ", " + handle + "]";
    }
}
