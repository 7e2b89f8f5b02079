package io.zeroframe.drm;

import io.zeroframe.bindings.KernelException;
import io.zeroframe.bindings.drm.drm_h;
import io.zeroframe.bindings.sys.IoctlRequest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * vgem's driver-private fence ioctls ({@code vgem_drm.h}, not installed on the host, so encoded with the generic
 * {@code _IOC} formula: {@code DRM_IOWR(DRM_COMMAND_BASE + 1, struct drm_vgem_fence_attach)} of 16 bytes and
 * {@code DRM_IOW(DRM_COMMAND_BASE + 2, struct drm_vgem_fence_signal)} of 8), for tests that need a real, controllable
 * dma-fence. Unsignalled fences signal when the vgem file closes (or after vgem's 10 s timeout).
 */
final class VgemFences {
    static final int VGEM_FENCE_WRITE = 1;
    private static final IoctlRequest ATTACH = IoctlRequest.of("DRM_IOCTL_VGEM_FENCE_ATTACH",
            ioc(3, drm_h.DRM_COMMAND_BASE() + 0x1, 16));
    private static final IoctlRequest SIGNAL = IoctlRequest.of("DRM_IOCTL_VGEM_FENCE_SIGNAL",
            ioc(1, drm_h.DRM_COMMAND_BASE() + 0x2, 8));

    private VgemFences() {}

    private static long ioc(int direction, int number, int size) {
        return ((long) direction << 30) | ((long) size << 16) | ((long) drm_h.DRM_IOCTL_BASE() << 8) | number;
    }

    /** Attaches an unsignalled write fence to a vgem buffer; returns the fence id for {@link #signal}. */
    static int attachWriteFence(DrmDevice vgem, GemHandle handle) throws KernelException {
        int number = handle.beginUse(ATTACH.name());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(16, 4);
            request.set(ValueLayout.JAVA_INT, 0, number);
            request.set(ValueLayout.JAVA_INT, 4, VGEM_FENCE_WRITE);
            vgem.ioctl(ATTACH, request);
            return request.get(ValueLayout.JAVA_INT, 8);
        } finally {
            handle.endUse();
        }
    }

    static void signal(DrmDevice vgem, int fence) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(8, 4);
            request.set(ValueLayout.JAVA_INT, 0, fence);
            vgem.ioctl(SIGNAL, request);
        }
    }
}
